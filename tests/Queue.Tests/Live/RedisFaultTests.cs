using System.Diagnostics;
using System.Net;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>A service whose Redis is a server of this class's own, so it can be flushed and killed.</summary>
public sealed class OwnRedisApp : QueueApp
{
    public RedisServer Server { get; } = new();

    protected override string ServiceRedis => Server.ConnectionString;

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
/// SPEC §2, §7: Redis flushed or restarted, live state is rebuilt from PostgreSQL within a second of Redis being reachable;
/// under sustained ingest, every batch is still acknowledged while Redis is away.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class RedisFaultTests(OwnRedisApp app, ITestOutputHelper output) : IClassFixture<OwnRedisApp>
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(1);
    static readonly string?[] Scopes = [null, "rf-a", "rf-b"];
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task After_a_flushall_live_state_is_rebuilt_and_equal_within_a_second()
    {
        using var http = app.Client();
        await PostTrafficAsync(http, "flush");
        await app.LiveCaughtUpAsync();
        await AssertEqualAsync(http);

        await app.Server.FlushAllAsync();
        var took = await UntilEqualAsync(http);
        Assert.True(took <= Within, $"live state was equal again {took.TotalMilliseconds:F0} ms after the flush");
    }

    [Fact]
    public async Task After_redis_restarts_live_state_is_rebuilt_and_equal_within_a_second_of_it_being_back()
    {
        using var http = app.Client();
        await PostTrafficAsync(http, "before");
        await app.LiveCaughtUpAsync();

        await app.Server.KillAsync();
        // Ingest does not need Redis: events are accepted while it is away…
        await PostTrafficAsync(http, "while-down");
        await app.Server.StartAsync();

        // …and are live within a second of Redis answering again.
        var took = await UntilEqualAsync(http);
        Assert.True(took <= Within, $"live state was equal again {took.TotalMilliseconds:F0} ms after Redis was back");
    }

    [Fact]
    public async Task Under_load_ingest_answers_2xx_while_redis_is_killed_restarted_and_flushed_and_live_state_is_equal_again()
    {
        await using var load = new IngestLoad(() => app.Client(), () => Now, "rl", seed: 7);
        load.Start();
        await load.AcknowledgedMoreAsync(5, Patience, "before Redis is killed");

        await app.Server.KillAsync();
        // PostgreSQL is the system of record: ingest goes on without Redis.
        await load.AcknowledgedMoreAsync(20, Patience, "while Redis is down");
        await app.Server.StartAsync();
        await load.AcknowledgedMoreAsync(10, Patience, "after Redis is back");
        await app.Server.FlushAllAsync();
        await load.AcknowledgedMoreAsync(10, Patience, "after Redis is flushed");
        await load.StopAsync();

        Assert.Empty(load.Unexpected);
        Assert.True(load.Answers.Keys.All(k => k == "200"), "answers other than 200: " + load.Describe());
        await LoadCheck.QuietAsync(app.Db);
        using var http = app.Client();
        var took = await UntilEqualAsync(http, [null, .. load.Queues]);
        Assert.True(took <= Within * 5, $"live state was equal again {took.TotalMilliseconds:F0} ms after the load stopped");
        Assert.Empty(await LoadCheck.LostAsync(load, app.Db));
        var half = await LoadCheck.HalfStoredAsync(load, app.Db);
        Assert.True(half.Count == 0, string.Join("\n", half));
        output.WriteLine($"live state equal to PostgreSQL {took.TotalMilliseconds:F0} ms after the load stopped; "
            + $"{load.Acknowledged.Distinct().Count()} acknowledged events checked; {load.Describe()}");
    }

    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    async Task PostTrafficAsync(HttpClient http, string tag)
    {
        var at = Now.AddMinutes(-10);
        var events = new List<System.Text.Json.Nodes.JsonNode>();
        for (var i = 0; i < 30; i++)
        {
            var queue = i % 2 == 0 ? "rf-a" : "rf-b";
            var call = $"{tag}-c{i}";
            events.Add(Ev.Queued($"{tag}-q{i}", at.AddSeconds(i), call, queue));
            if (i % 3 == 0) continue; // still waiting
            events.Add(i % 5 == 0 ? Ev.Abandoned($"{tag}-x{i}", at.AddSeconds(i + 7), call) : Ev.Answered($"{tag}-a{i}", at.AddSeconds(i + 3 * (i % 20)), call, "ag-rf"));
            if (i % 4 == 1) events.Add(Ev.Completed($"{tag}-d{i}", at.AddSeconds(i + 200), call, i % 8 == 1 ? "resolved" : "escalated"));
        }
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);
    }

    async Task AssertEqualAsync(HttpClient http)
    {
        var problems = new List<string>();
        foreach (var scope in Scopes) problems.AddRange(await LiveCheck.DifferencesAsync(http, app.Db, scope));
        Assert.Empty(problems);
    }

    /// <summary>Time until every scope's live snapshot equals PostgreSQL again.</summary>
    Task<TimeSpan> UntilEqualAsync(HttpClient http) => UntilEqualAsync(http, Scopes);

    async Task<TimeSpan> UntilEqualAsync(HttpClient http, string?[] scopes)
    {
        var clock = Stopwatch.StartNew();
        List<string> last = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            last = [];
            foreach (var scope in scopes) last.AddRange(await LiveCheck.DifferencesAsync(http, app.Db, scope));
            if (last.Count == 0) return clock.Elapsed;
            await Task.Delay(10);
        }
        Assert.Fail("live state did not become equal to PostgreSQL within 15 s:\n" + string.Join("\n", last));
        return clock.Elapsed;
    }
}
