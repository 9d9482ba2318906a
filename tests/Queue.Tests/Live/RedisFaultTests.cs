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

/// <summary>SPEC §2, §7: Redis flushed or restarted, live state is rebuilt from PostgreSQL within a second of Redis being reachable.</summary>
[Collection(AloneCollection.Name)]
public sealed class RedisFaultTests(OwnRedisApp app) : IClassFixture<OwnRedisApp>
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
    async Task<TimeSpan> UntilEqualAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        List<string> last = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            last = [];
            foreach (var scope in Scopes) last.AddRange(await LiveCheck.DifferencesAsync(http, app.Db, scope));
            if (last.Count == 0) return clock.Elapsed;
            await Task.Delay(10);
        }
        Assert.Fail("live state did not become equal to PostgreSQL within 15 s:\n" + string.Join("\n", last));
        return clock.Elapsed;
    }
}
