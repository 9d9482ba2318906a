using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Queue.Live;
using Queue.Redis;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// A release that changes the Redis layout is deployed over a running instance: the node that starts finds live state
/// of an older layout (its cursor says so), rebuilds it from PostgreSQL by itself, and nothing of the old layout is read.
/// A node of the same layout follows what is there; one of an older layout leaves a newer one alone.
/// </summary>
public sealed class LayoutVersionTests(QueueApp app, ITestOutputHelper output) : IClassFixture<QueueApp>
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    static readonly string?[] Scopes = [null, "lv-a", "lv-b"];
    DateTimeOffset Now => app.Time.GetUtcNow();

    string Key(string queue, string name) => new LiveKeys(app.RedisPrefix).Of(queue, name);

    [Fact]
    public async Task A_node_started_over_live_state_of_an_older_layout_rebuilds_it_equal_to_PostgreSQL()
    {
        using (var http = app.Client())
        {
            await PostTrafficAsync(http, "old");
            await app.LiveCaughtUpAsync();
            await AssertEqualAsync(http);
        }
        var published = await PublishedSeqAsync("lv-a");
        var rebuilds = Rebuilds();
        var clock = new Stopwatch();

        await app.RestartAsync(async () =>
        {
            // As a release before layout versions left it: a cursor of no layout, and keys and members the new layout
            // does not have, or has otherwise.
            var db = app.Redis.Db;
            var cursor = (await app.Redis.CursorAsync())!.Value;
            await db.StringSetAsync(app.Redis.CursorKey, $"{cursor.Tx}:{cursor.Position}");
            await db.SortedSetAddAsync(Key("lv-a", "answered-by-minute"), "c:old-c1#0", 1);
            await db.SortedSetAddAsync(Key("lv-a", RedisLayout.Answered.Name), "c:ghost#0|5000000", Micros.Of(Now.AddMinutes(-2)));
            await db.HashSetAsync(Key("lv-a", RedisLayout.Parts.Name), "c:ghost", "1|[[\"Z\",\"answered\",\"c:ghost#0|5000000\",\"1\"]]");
            clock.Start();
        });

        using var client = app.Client();
        var took = await LiveCheck.UntilEqualAsync(client, app.Db, Scopes, "after a node started over layout 0", clock, TimeSpan.FromSeconds(30));
        output.WriteLine($"live state equal to PostgreSQL {took.TotalMilliseconds:F0} ms after a node started over live state of layout 0");
        Assert.True(took <= Within, $"live state was equal again {took.TotalMilliseconds:F0} ms after the node started");
        Assert.Equal(rebuilds + 1, Rebuilds());
        Assert.Contains(app.Logs, l => l.Contains("Live state in Redis is of layout 0, older than this node's", StringComparison.Ordinal));
        Assert.True(LiveCursor.Parse((await app.Redis.Db.StringGetAsync(app.Redis.CursorKey)).ToString()).IsCurrent);
        Assert.False(await app.Redis.Db.KeyExistsAsync(Key("lv-a", "answered-by-minute")));
        Assert.False(await app.Redis.Db.HashExistsAsync(Key("lv-a", RedisLayout.Parts.Name), "c:ghost"));
        // What was published stays: clients keep the highest number they have seen.
        Assert.True(await PublishedSeqAsync("lv-a") >= published);

        // And it follows the log from there on.
        await PostTrafficAsync(client, "new");
        await app.LiveCaughtUpAsync();
        await AssertEqualAsync(client);
    }

    [Fact]
    public async Task A_node_started_over_live_state_of_its_own_layout_follows_it_without_a_rebuild()
    {
        using (var http = app.Client())
        {
            await PostTrafficAsync(http, "same");
            await app.LiveCaughtUpAsync();
        }
        var rebuilds = Rebuilds();

        await app.RestartAsync();
        var follower = app.Factory.Services.GetRequiredService<LiveFollower>();
        var deadline = DateTime.UtcNow + Within;
        while (follower.CaughtUpAt is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the node did not catch up with the log");
            await Task.Delay(10);
        }
        using var client = app.Client();
        await PostTrafficAsync(client, "same-after");
        await app.LiveCaughtUpAsync();

        await AssertEqualAsync(client);
        Assert.Null(follower.LastRebuild);
        Assert.Equal(rebuilds, Rebuilds());
    }

    [Fact]
    public async Task A_node_that_finds_live_state_of_a_newer_layout_leaves_it_alone()
    {
        using var http = app.Client();
        await PostTrafficAsync(http, "newer");
        await app.LiveCaughtUpAsync();
        var rebuilds = Rebuilds();
        var cursor = (await app.Redis.CursorAsync())!.Value;
        var newer = $"{cursor.Tx}:{cursor.Position}:{RedisLayout.Version + 1}";
        await app.Redis.Db.StringSetAsync(app.Redis.CursorKey, newer);

        // Events keep coming; this node neither follows them into the newer layout nor rebuilds it back to its own.
        await PostTrafficAsync(http, "newer-after");
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!app.Logs.Any(l => l.Contains($"is of layout {RedisLayout.Version + 1}, newer than this node's", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the node did not notice the newer layout");
            await Task.Delay(10);
        }
        await Task.Delay(300);
        Assert.Equal(newer, (await app.Redis.Db.StringGetAsync(app.Redis.CursorKey)).ToString());
        Assert.Equal(rebuilds, Rebuilds());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/api/queues/lv-a")).StatusCode);

        // Back to this layout (the newer nodes rolled back): followed again from where it stands.
        await app.Redis.Db.StringSetAsync(app.Redis.CursorKey, LiveCursor.Format(cursor.Tx, cursor.Position));
        await app.LiveCaughtUpAsync();
        await AssertEqualAsync(http);
    }

    [Fact]
    public async Task While_live_state_is_rebuilt_nothing_is_pushed_from_it_and_no_alert_clears()
    {
        using var http = app.Client();
        await using var screen = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        await screen.JoinQueuesAsync("lv-w");
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("lv-w-q", Now.AddMinutes(-2), "lv-w-c", "lv-w"))).StatusCode);
        var raised = await screen.WaitForAlertAsync(a => a.Kind == Queue.Alerts.AlertKinds.QueueWait && a.Subject == "lv-w");

        // As another node does while it rebuilds: it holds the lock and has cleared live state, cursor and all.
        var store = app.Factory.Services.GetRequiredService<LiveStore>();
        var token = Guid.NewGuid().ToString("N");
        Assert.True(await store.TryLockAsync(token, TimeSpan.FromSeconds(30)));
        try
        {
            await store.ClearAsync();
            await store.RegisterQueuesAsync(["lv-w"]); // the rebuild has come to the queue, not yet to its waiting call
            screen.DrainAlerts();
            screen.Drain("QueueUpdated");
            for (var i = 0; i < 3; i++)
            {
                app.Time.Advance(TimeSpan.FromSeconds(1)); // every queue is looked at again each second
                await Task.Delay(200);
            }
            Assert.Empty(screen.DrainAlerts());
            Assert.DoesNotContain(screen.Drain("QueueUpdated"), s => s.Queue == "lv-w");
        }
        finally
        {
            await store.ReleaseLockAsync(token);
        }

        // This node rebuilds it then: the call is waiting still (the screen, told nothing new, showed it all along), its
        // alert the same one, never cleared; and pushes go on from the rebuilt state.
        await app.LiveCaughtUpAsync();
        var rebuilt = await http.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/queues/lv-w");
        Assert.Equal(1, rebuilt.GetProperty("snapshot").GetProperty("callsWaiting").GetInt64());
        Assert.DoesNotContain(screen.Drain("QueueUpdated"), s => s.Queue == "lv-w" && s.CallsWaiting != 1);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("lv-w-q2", Now, "lv-w-c2", "lv-w"))).StatusCode);
        await screen.WaitForAsync("QueueUpdated", s => s.Queue == "lv-w" && s.CallsWaiting == 2);
        var alert = await http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/alerts/{raised.Id}");
        Assert.Equal("open", alert.GetProperty("alert").GetProperty("state").GetString());
        Assert.Single(alert.GetProperty("history").EnumerateArray()); // raised, and nothing since
        Assert.DoesNotContain(screen.DrainAlerts(), a => a.Subject == "lv-w" && a.Id != raised.Id);
    }

    int Rebuilds() => app.Logs.Count(l => l.Contains("Live state rebuilt from PostgreSQL", StringComparison.Ordinal));

    async Task<long> PublishedSeqAsync(string queue)
    {
        var seq = await app.Redis.Db.HashGetAsync(Key(queue, RedisLayout.Published.Name), "seq");
        return seq.IsNull ? 0 : (long)seq;
    }

    async Task PostTrafficAsync(HttpClient http, string tag) =>
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. Ev.MixedCalls(tag, Now.AddMinutes(-10), 20, ("lv-a", "lv-b"), "ag-lv")])).StatusCode);

    Task AssertEqualAsync(HttpClient http) => LiveCheck.AssertEqualAsync(http, app.Db, Scopes);
}
