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
        output.WriteLine($"live state equal to PostgreSQL again {took.TotalMilliseconds:F0} ms after a FLUSHALL");
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
        output.WriteLine($"live state equal to PostgreSQL again {took.TotalMilliseconds:F0} ms after Redis was back from a kill");
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

    async Task PostTrafficAsync(HttpClient http, string tag) =>
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. Ev.MixedCalls(tag, Now.AddMinutes(-10), 30, ("rf-a", "rf-b"), "ag-rf")])).StatusCode);

    Task AssertEqualAsync(HttpClient http) => LiveCheck.AssertEqualAsync(http, app.Db, Scopes);

    /// <summary>Time until every scope's live snapshot equals PostgreSQL again.</summary>
    Task<TimeSpan> UntilEqualAsync(HttpClient http) => UntilEqualAsync(http, Scopes);

    Task<TimeSpan> UntilEqualAsync(HttpClient http, string?[] scopes) =>
        LiveCheck.UntilEqualAsync(http, app.Db, scopes, "after the fault", within: TimeSpan.FromSeconds(15));
}
