using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Queue.Live;
using Queue.Simulator.Bench;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>Two service processes on two loopback ports, sharing one PostgreSQL database and one Redis, as behind a load balancer.</summary>
public sealed class TwoNodes : IAsyncLifetime
{
    public const string CallerSecret = QueueApp.CallerSecret;
    readonly string database = $"queue_t_{Guid.NewGuid():N}";
    readonly string logs = Path.Combine(Path.GetTempPath(), $"queue-nodes-{Guid.NewGuid():N}");

    public string AdminKey { get; } = "nodes_" + Guid.NewGuid().ToString("N");
    public ServiceProcess A { get; private set; } = null!;
    public ServiceProcess B { get; private set; } = null!;
    public NpgsqlDataSource Db { get; private set; } = null!;
    public TestRedis Redis { get; } = new(TestRedis.BaseConnectionString, $"t{Guid.NewGuid():N}:");

    string ConnectionString => new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = database }.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(database);
        Db = NpgsqlDataSource.Create(ConnectionString);
        var started = await Task.WhenAll(StartAsync("a", null), StartAsync("b", null));
        (A, B) = (started[0], started[1]);
    }

    /// <summary>Starts a node (again, on <paramref name="port"/>, after it was killed).</summary>
    public Task<ServiceProcess> StartAsync(string name, int? port) =>
        ServiceProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "Queue.dll"), ConnectionString, CallerSecret,
            Path.Combine(logs, $"{name}-{DateTime.UtcNow:HHmmssfff}.log"), CancellationToken.None,
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = TestRedis.BaseConnectionString,
                ["Queue__Live__KeyPrefix"] = Redis.Prefix,
                // Nodes learn of changed targets from each other at once; here, only that way.
                ["Queue__Targets__ReloadInterval"] = "01:00:00",
            },
            port, AdminKey);

    public async Task RestartAAsync()
    {
        var port = A.Port;
        await A.DisposeAsync();
        A = await StartAsync("a", port);
    }

    public HttpClient Client(ServiceProcess node)
    {
        var http = new HttpClient { BaseAddress = node.Address };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        await Redis.DeleteKeysAsync();
        await Redis.DisposeAsync();
        await Db.DisposeAsync();
        await TestDatabase.DropAsync(database);
        try
        {
            Directory.Delete(logs, recursive: true);
        }
        catch (IOException)
        {
            // kept for a look
        }
    }
}

/// <summary>SPEC §6, issue 4 item 5: a client on node B sees what was posted to node A; nothing counts twice; a killed node loses nothing.</summary>
public sealed class NodesTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    static DateTimeOffset Now => DateTimeOffset.UtcNow;

    [Fact]
    public async Task A_client_on_node_B_sees_an_event_posted_to_node_A()
    {
        using var a = nodes.Client(nodes.A);
        await using var client = await LiveClient.ConnectAsync(nodes.B.Address, nodes.AdminKey);
        var joined = Assert.Single(await client.JoinQueuesAsync("two"));
        Assert.Equal(0, joined.CallsWaiting);

        var posted = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await a.PostEventsAsync(Ev.Queued("two-1", Now.AddSeconds(-3), "two-c1", "two"))).StatusCode);
        // How soon is measured by ops/bench live, on a quiet machine; here, that it arrives at all.
        var (snapshot, _, _) = await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "two" && s.CallsWaiting == 1, TimeSpan.FromSeconds(10));
        Assert.InRange(snapshot.LongestWaitSeconds!.Value, 3, 3 + (DateTime.UtcNow - posted).TotalSeconds + 1);
    }

    [Fact]
    public async Task A_screen_watching_on_node_B_gets_an_event_posted_to_node_A_though_A_published_it()
    {
        using var a = nodes.Client(nodes.A);
        // Node A has a screen of its own, so that it publishes the round too: B must deliver what A claimed first.
        await using var onA = await LiveClient.ConnectAsync(nodes.A.Address, nodes.AdminKey);
        await using var onB = await LiveClient.ConnectAsync(nodes.B.Address, nodes.AdminKey);
        await onA.WatchAsync("two-w");
        var watched = Assert.Single((await onB.WatchAsync("two-w")).Queues);

        Assert.Equal(HttpStatusCode.OK, (await a.PostEventsAsync(Ev.Queued("two-w1", Now.AddSeconds(-3), "two-wc1", "two-w"))).StatusCode);
        var (onBUpdate, _) = await onB.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "two-w" && q.CallsWaiting == 1));
        var (onAUpdate, _) = await onA.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "two-w" && q.CallsWaiting == 1));
        // One number for one content, whichever node delivered it.
        Assert.Equal(onAUpdate.Queues.Single().Seq, onBUpdate.Queues.Single().Seq);
        Assert.True(onBUpdate.Queues.Single().Seq > watched.Seq);
    }

    [Fact]
    public async Task Targets_set_on_node_A_take_effect_on_node_B_at_once_live_windows_recounted()
    {
        using var a = nodes.Client(nodes.A);
        using var b = nodes.Client(nodes.B);
        var start = Now.AddMinutes(-5);
        Assert.Equal(HttpStatusCode.OK, (await b.PostEventsAsync(
            Ev.Queued("tt-q1", start, "tt-c1", "two-t"), Ev.Answered("tt-a1", start.AddSeconds(15), "tt-c1", "ag-tt"),
            Ev.Queued("tt-q2", start, "tt-c2", "two-t"), Ev.Answered("tt-a2", start.AddSeconds(25), "tt-c2", "ag-tt"))).StatusCode);
        await using var client = await LiveClient.ConnectAsync(nodes.B.Address, nodes.AdminKey);
        var joined = Assert.Single(await client.JoinQueuesAsync("two-t"));
        if (joined.Windows.Today.Answered != 2)
            await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "two-t" && s.Windows.Today.Answered == 2);
        Assert.Equal(1.0, (await client.JoinQueuesAsync("two-t"))[0].Windows.Today.ServiceLevel);

        Assert.Equal(HttpStatusCode.OK, (await a.PutAsJsonAsync("/api/targets/two-t", new { waitSeconds = 12, serviceLevelThresholdSeconds = 20 })).StatusCode);
        var (snapshot, _, _) = await client.WaitForAsync(nameof(ILiveClient.QueueUpdated),
            s => s.Queue == "two-t" && s.Targets.WaitSeconds == 12 && s.Windows.Today.ServiceLevel == 0.5, TimeSpan.FromSeconds(5));
        Assert.Equal(20, snapshot.Targets.ServiceLevelThresholdSeconds);
        Assert.Empty(await LiveCheck.DifferencesAsync(b, nodes.Db, "two-t"));
        Assert.Equal(HttpStatusCode.NoContent, (await b.DeleteAsync("/api/targets/two-t")).StatusCode);
        await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "two-t" && s.Targets.WaitSeconds == 30 && s.Windows.Today.ServiceLevel == 1.0,
            TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Events_posted_to_both_nodes_and_twice_are_counted_once()
    {
        using var a = nodes.Client(nodes.A);
        using var b = nodes.Client(nodes.B);
        var random = new Random(4);
        var batches = Enumerable.Range(0, 20).Select(batch => Enumerable.Range(0, 10).SelectMany(i =>
        {
            var n = batch * 10 + i;
            var at = Now.AddMinutes(-5).AddSeconds(n);
            JsonNode[] call =
            [
                Ev.Queued($"both-q{n}", at, $"both-c{n}", n % 2 == 0 ? "both-x" : "both-y"),
                Ev.Answered($"both-a{n}", at.AddSeconds(n % 40), $"both-c{n}", "ag-both"),
                Ev.Completed($"both-d{n}", at.AddSeconds(60), $"both-c{n}", n % 10 == 0 ? "escalated" : "resolved"),
            ];
            return call;
        }).ToArray()).ToList();

        // Every batch to both nodes, at once, in a random order: each event arrives twice, through two nodes.
        await Task.WhenAll(batches.SelectMany(batch => new[] { (a, batch), (b, batch) }).OrderBy(_ => random.Next())
            .Select(p => p.Item1.PostEventsRetryingAsync(p.batch)));
        await LiveCheck.CaughtUpAsync(nodes.Db, nodes.Redis);

        foreach (var node in new[] { a, b })
        {
            foreach (var scope in new string?[] { "both-x", "both-y", null })
                Assert.Empty(await LiveCheck.DifferencesAsync(node, nodes.Db, scope));
            var x = await node.GetFromJsonAsync<QueueDetail>("/api/queues/both-x");
            Assert.Equal(100, x!.Snapshot.Windows.M15.Answered);
            Assert.Equal(100, x.Snapshot.Windows.M15.Completed);
        }
    }

    [Fact]
    public async Task A_node_killed_right_after_acknowledging_loses_nothing()
    {
        using var b = nodes.Client(nodes.B);
        for (var round = 0; round < 3; round++)
        {
            using (var a = nodes.Client(nodes.A))
            {
                var events = Enumerable.Range(0, 50).Select(i => (JsonNode)Ev.Queued($"kill{round}-{i}", Now.AddSeconds(-i), $"kill{round}-c{i}", "killed")).ToArray();
                Assert.Equal(HttpStatusCode.OK, (await a.PostEventsAsync(events)).StatusCode);
            }
            await nodes.A.KillAsync(); // kill -9, the moment the batch is acknowledged

            // B, and A once back, serve every acknowledged event, and agree with PostgreSQL.
            await LiveCheck.CaughtUpAsync(nodes.Db, nodes.Redis);
            Assert.Empty(await LiveCheck.DifferencesAsync(b, nodes.Db, "killed"));
            var killed = await b.GetFromJsonAsync<QueueDetail>("/api/queues/killed");
            Assert.Equal(50 * (round + 1), killed!.Snapshot.CallsWaiting);

            await nodes.RestartAAsync();
            using var again = nodes.Client(nodes.A);
            Assert.Empty(await LiveCheck.DifferencesAsync(again, nodes.Db, "killed"));
        }
    }
}
