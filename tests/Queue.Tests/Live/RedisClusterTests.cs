using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;
using StackExchange.Redis;

namespace Queue.Tests.Live;

/// <summary>A service whose Redis is a cluster of three masters of this class's own; it trims often.</summary>
public sealed class ClusterRedisApp : QueueApp
{
    public RedisCluster Cluster { get; } = new(nodes: 3);

    protected override string ServiceRedis => Cluster.ConnectionString;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Queue:Live:TrimInterval"] = "00:00:00.200" };

    public override async ValueTask InitializeAsync()
    {
        await Cluster.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>
/// SPEC §6: where one Redis is outgrown, Redis Cluster. Live state on three masters: each queue's keys on the node of its
/// slot, every script and transaction on one slot (the cluster refuses anything else), and live state equal to PostgreSQL
/// through following the log, new thresholds, trimming and a rebuild.
/// </summary>
public sealed class RedisClusterTests(ClusterRedisApp app) : IClassFixture<ClusterRedisApp>
{
    static readonly string[] Queues = ["cl-a", "cl-b", "cl-c", "cl-d", "cl-e", "cl-f"];

    [Fact]
    public async Task Live_state_on_a_three_node_cluster_equals_PostgreSQL_through_follow_new_thresholds_trim_and_rebuild()
    {
        // The queues' keys live on every one of the three nodes, and the center's on one of them.
        var nodes = Queues.Append("~").Select(q => app.Redis.Connection.GetServer((RedisKey)$"{app.RedisPrefix}live:{{{q}}}:parts").EndPoint.ToString()).Distinct().Count();
        Assert.Equal(3, nodes);

        using var http = app.Client();
        await http.PostEventsRetryingAsync([.. Traffic(app.Time.GetUtcNow().AddMinutes(-40))]);
        await app.LiveCaughtUpAsync();
        await UntilEqualAsync(http, "after following the log");
        var listed = await http.GetFromJsonAsync<JsonArray>("/api/queues");
        Assert.Equal(Queues, listed!.Select(q => q!["queue"]!.GetValue<string>()).Where(q => q.StartsWith("cl-", StringComparison.Ordinal)).Order());

        // New thresholds project the queue's calls again, replacing parts of the same version.
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/targets/cl-b", new { serviceLevelThresholdSeconds = 20, shortAbandonSeconds = 3 })).StatusCode);
        await UntilEqualAsync(http, "after new thresholds");

        // A day and more later, every ended call and closed visit ages out of every window and is trimmed away.
        app.Time.Advance(TimeSpan.FromHours(30));
        var now = app.Time.GetUtcNow();
        await Until(async () =>
        {
            foreach (var queue in Queues.Append("~"))
                if (await app.Redis.Db.SortedSetLengthAsync($"{app.RedisPrefix}live:{{{queue}}}:expiry", double.NegativeInfinity, Queue.Redis.Micros.Of(now)) > 0) return false;
            return true;
        }, "parts past their expiry were trimmed");
        await UntilEqualAsync(http, "after trimming");

        // Live state lost on every node: rebuilt from PostgreSQL, chunk by chunk, queue by queue. The cursor goes last,
        // so that no rebuild starts before everything else is gone.
        var cursor = $"{app.RedisPrefix}live:{{~}}:cursor";
        foreach (var key in (await app.Redis.KeysAsync()).Where(k => k != cursor)) await app.Redis.Db.KeyDeleteAsync(key);
        await app.Redis.Db.KeyDeleteAsync(cursor);
        await Until(async () => await app.Redis.CursorAsync() is not null, "live state was rebuilt");
        await UntilEqualAsync(http, "after a rebuild");

        Assert.DoesNotContain(app.Logs, l => l.Contains("CROSSSLOT", StringComparison.Ordinal) || l.Contains("single slot", StringComparison.Ordinal)
            || l.Contains("non local key", StringComparison.Ordinal) || l.StartsWith("Error Queue.Live", StringComparison.Ordinal));
    }

    // Calls waiting, answered, abandoned and transferred between queues; visits linked to calls; agents in several queues.
    static IEnumerable<JsonNode> Traffic(DateTimeOffset at)
    {
        for (var i = 0; i < 60; i++)
        {
            var (queue, other) = (Queues[i % Queues.Length], Queues[(i + 2) % Queues.Length]);
            var call = $"cl-call-{i}";
            var t = at.AddSeconds(i * 20);
            yield return Ev.Queued($"cl-{i}-q", t, call, queue);
            switch (i % 4)
            {
                case 0: break; // still waiting
                case 1:
                    yield return Ev.Answered($"cl-{i}-a", t.AddSeconds(5 + i % 50), call, $"cl-ag-{i % 5}");
                    yield return Ev.Completed($"cl-{i}-c", t.AddSeconds(200), call, i % 8 == 1 ? "resolved" : "field_visit", i % 8 == 1 ? null : $"cl-v-{i}");
                    if (i % 8 != 1) yield return Ev.VisitCreated($"cl-{i}-v", t.AddSeconds(201), $"cl-v-{i}", call, "r1");
                    break;
                case 2: yield return Ev.Abandoned($"cl-{i}-x", t.AddSeconds(2 + i % 20), call); break;
                default:
                    yield return Ev.Transferred($"cl-{i}-t", t.AddSeconds(10), call, other);
                    yield return Ev.Answered($"cl-{i}-a", t.AddSeconds(40), call, $"cl-ag-{i % 5}");
                    break;
            }
        }
        for (var a = 0; a < 5; a++)
        {
            var agent = Ev.AgentStatus($"cl-ag-{a}-s", at, $"cl-ag-{a}", a % 2 == 0 ? "available" : "busy");
            agent["queues"] = new JsonArray(Queues[a], Queues[a + 1]);
            yield return agent;
        }
    }

    Task UntilEqualAsync(HttpClient http, string when) => LiveCheck.UntilEqualAsync(http, app.Db, Queues.Append(null), when);

    static async Task Until(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 20 s: {what}");
            await Task.Delay(50);
        }
    }
}
