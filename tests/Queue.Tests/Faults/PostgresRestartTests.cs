using System.Diagnostics;
using System.Net;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Faults;

/// <summary>The service as a process on a PostgreSQL cluster of its own, which the test stops, crashes and starts again.</summary>
public sealed class OwnPostgresService : OwnService
{
    public PostgresServer Server { get; } = new();

    protected override string ServerConnectionString => Server.ConnectionString;

    public override async ValueTask InitializeAsync()
    {
        await Server.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// SPEC §2, §7: PostgreSQL restarted under load. While it is down, ingest answers 503 with Retry-After within 2 s and
/// stores nothing in part; once it is back the service recovers by itself: batches are acknowledged again, no
/// acknowledged event is lost, live state equals a recomputation from PostgreSQL.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class PostgresRestartTests(OwnPostgresService service, ITestOutputHelper output) : IClassFixture<OwnPostgresService>
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(2);
    static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Stopped_or_crashed_under_load_ingest_503s_within_2_s_and_the_service_recovers_by_itself()
    {
        await using var load = new IngestLoad(() => service.Client(timeout: TimeSpan.FromSeconds(10)), () => DateTimeOffset.UtcNow, "pg", seed: 15);
        load.Start();
        await load.AcknowledgedMoreAsync(5, Recovery, "before any restart");
        var probes = new List<string>();

        // A clean shutdown (sessions ended by the server), then a crash (recovered from the WAL at the next start).
        foreach (var mode in new[] { "fast", "immediate" })
        {
            await service.Server.StopAsync(mode);
            var down = Stopwatch.StartNew();

            using (var http = service.Client())
            {
                var now = DateTimeOffset.UtcNow;
                var id = $"probe-{mode}";
                probes.AddRange([id + "-q", id + "-a"]);
                var clock = Stopwatch.StartNew();
                using var response = await http.PostEventsAsync(Ev.Queued(id + "-q", now.AddSeconds(-20), id, "probe"), Ev.Answered(id + "-a", now, id, "probe-ag"));
                clock.Stop();
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(clock.Elapsed <= Within, $"PostgreSQL {mode} down: answered after {clock.Elapsed.TotalMilliseconds:F0} ms");
            }
            // The load keeps sending meanwhile, each batch answered 503 until PostgreSQL is back.
            while (down.Elapsed < TimeSpan.FromSeconds(3)) await Task.Delay(50);

            await service.Server.StartAsync();
            var back = Stopwatch.StartNew();
            service.Db.Clear(); // the test's own pooled sessions died with the server
            await load.AcknowledgedMoreAsync(5, Recovery, $"after PostgreSQL's {mode} restart");
            output.WriteLine($"{mode} stop: batches acknowledged again {back.Elapsed.TotalMilliseconds:F0} ms after PostgreSQL was back");
            await AssertReadyAsync();
        }

        await load.StopAsync();
        Assert.Empty(load.Unexpected);
        Assert.True(load.Answers.GetValueOrDefault("503") > 0, "no batch of the load was refused while PostgreSQL was down: " + load.Describe());
        Assert.True(load.MissingRetryAfter == 0, $"{load.MissingRetryAfter} answers 503 without Retry-After");
        Assert.True(load.Slowest503 <= Within, $"the slowest 503 took {load.Slowest503.TotalMilliseconds:F0} ms");
        Assert.Equal(0, load.Answers.GetValueOrDefault("timeout"));

        await LoadCheck.QuietAsync(service.Db);
        Assert.Empty(await LoadCheck.LostAsync(load, service.Db));
        var half = await LoadCheck.HalfStoredAsync(load, service.Db);
        Assert.True(half.Count == 0, string.Join("\n", half));
        await using (var probe = service.Db.CreateCommand("select count(*) from events where id = any($1)"))
        {
            probe.Parameters.Add(new Npgsql.NpgsqlParameter { Value = probes.ToArray() });
            Assert.Equal(0L, await probe.ExecuteScalarAsync());
        }
        await LiveCheck.CaughtUpAsync(service.Db, service.Redis, () => [service.LogTail()]);
        using var client = service.Client();
        var live = await LoadCheck.LiveDifferencesAsync(load, client, service.Db);
        Assert.True(live.Count == 0, "live state differs from PostgreSQL:\n" + string.Join("\n", live));
        output.WriteLine($"{load.Acknowledged.Distinct().Count()} acknowledged events checked in PostgreSQL; slowest 503 "
            + $"{load.Slowest503.TotalMilliseconds:F0} ms; {load.Describe()}");
    }

    /// <summary>The readiness check, where the service has one, says ready again.</summary>
    async Task AssertReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = service.Node.Address };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync("/health/ready");
            if (response.StatusCode is HttpStatusCode.OK) return;
            Assert.True(clock.Elapsed < Recovery, $"/health/ready still answers {(int)response.StatusCode} {Recovery.TotalSeconds:0} s after PostgreSQL was back");
            await Task.Delay(100);
        }
    }
}
