using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Queue.Alerts;
using Queue.Live;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// Screens that watch (<see cref="LiveHub.Watch"/>): one <c>Updated</c> a publishing round with what changed among what
/// they watch, and nothing else (ADR 0009).
/// </summary>
public sealed class LiveWatchTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task A_wallboard_gets_the_queues_that_changed_together_in_one_message_and_no_other_queue()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        var watched = await client.WatchAsync("wt-a", "wt-b", "wt-c");
        Assert.Null(watched.Center);
        Assert.Equal(["wt-a", "wt-b", "wt-c"], watched.Queues.Select(q => q.Queue));
        Assert.All(watched.Queues, q => Assert.Equal(0, q.CallsWaiting));

        // One batch touching two watched queues and one not watched.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("wt-1", Now.AddSeconds(-5), "wt-c1", "wt-a"), Ev.Queued("wt-2", Now.AddSeconds(-4), "wt-c2", "wt-b"),
            Ev.Queued("wt-3", Now.AddSeconds(-3), "wt-c3", "wt-other"))).StatusCode);
        var (update, before) = await client.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wt-b" && q.CallsWaiting == 1));
        // Committed together, published in one round: one message holds both.
        Assert.Contains(update.Queues, q => q.Queue == "wt-a" && q.CallsWaiting == 1);
        Assert.Empty(before);
        Assert.Null(update.Center);
        Assert.All(update.Queues, q => Assert.True(q.Seq > watched.Queues.Single(w => w.Queue == q.Queue).Seq));

        await Task.Delay(600); // anything else on its way
        Assert.DoesNotContain(client.DrainUpdates().SelectMany(u => u.Queues), q => q.Queue is not ("wt-a" or "wt-b" or "wt-c"));
        // Nothing of the groups a joining screen is in.
        Assert.Empty(client.Drain(nameof(ILiveClient.QueueUpdated)));
    }

    [Fact]
    public async Task The_center_gets_its_totals_with_the_queues_and_nothing_while_the_clock_alone_moves()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        var watched = await client.WatchAsync();
        Assert.NotNull(watched.Center);
        Assert.Null(watched.Center!.Queue);

        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("wc-1", Now.AddSeconds(-3), "wc-c1", "wc-q"))).StatusCode);
        var (update, _) = await client.WaitForUpdateAsync(u => u.Center is { } c && c.CallsWaiting == watched.Center.CallsWaiting + 1
            || u.Queues.Any(q => q.Queue == "wc-q"));
        var all = new List<LiveUpdate> { update };
        // The center and the queue come in the same round, or the next if the center's read was slower.
        if (update.Center is null || update.Queues.All(q => q.Queue != "wc-q"))
            all.Add((await client.WaitForUpdateAsync(_ => true)).Update);
        Assert.Contains(all, u => u.Center is { } c && c.CallsWaiting == watched.Center.CallsWaiting + 1);
        Assert.Contains(all.SelectMany(u => u.Queues), q => q.Queue == "wc-q" && q.CallsWaiting == 1);

        await Task.Delay(600);
        client.DrainUpdates();
        // Three seconds of the clock, looked at each second: the wait grows, no figure changes, nothing is sent.
        for (var i = 0; i < 3; i++)
        {
            app.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(300);
        }
        Assert.DoesNotContain(client.DrainUpdates().SelectMany(u => u.Queues), q => q.Queue == "wc-q");
    }

    [Fact]
    public async Task Watching_again_replaces_what_was_watched_and_unwatching_stops_the_updates()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await client.WatchAsync("wr-1");
        await client.WatchAsync("wr-2");
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("wr-e1", Now.AddSeconds(-2), "wr-c1", "wr-1"), Ev.Queued("wr-e2", Now.AddSeconds(-2), "wr-c2", "wr-2"))).StatusCode);
        var (update, _) = await client.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wr-2" && q.CallsWaiting == 1));
        Assert.DoesNotContain(update.Queues, q => q.Queue == "wr-1");

        await client.UnwatchAsync();
        await Task.Delay(300);
        client.DrainUpdates();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("wr-e3", Now.AddSeconds(-1), "wr-c3", "wr-2"))).StatusCode);
        await app.LiveCaughtUpAsync();
        await Task.Delay(600);
        Assert.Empty(client.DrainUpdates());
    }

    [Fact]
    public async Task A_queue_whose_published_number_Redis_lost_goes_on_above_what_screens_have()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await client.WatchAsync("wn");
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("wn-1", Now.AddSeconds(-2), "wn-c1", "wn"))).StatusCode);
        var (first, _) = await client.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wn" && q.CallsWaiting == 1));

        // As after a FLUSHALL: the queue's published number and content are gone.
        Assert.True(await app.Redis.Db.KeyDeleteAsync(new Queue.Redis.LiveKeys(app.RedisPrefix).Of("wn", Queue.Redis.RedisLayout.Published.Name)));
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("wn-2", Now.AddSeconds(-1), "wn-c2", "wn"))).StatusCode);
        var (next, _) = await client.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wn" && q.CallsWaiting == 2));
        // A screen keeps the highest number it has seen: the new one is above, so it is shown.
        Assert.True(next.Queues.Single().Seq > first.Queues.Single().Seq, $"{next.Queues.Single().Seq} after {first.Queues.Single().Seq}");
    }

    [Fact]
    public async Task A_change_carries_what_differs_from_the_snapshot_held_and_makes_what_a_new_screen_is_answered()
    {
        using var http = app.Client();
        await using var first = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"), messagePack: true);
        await first.WatchAsync("wd");
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("wd-1", Now.AddSeconds(-3), "wd-c1", "wd"))).StatusCode);
        await first.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wd" && q.CallsWaiting == 1));
        var held = first.Held("wd")!;
        first.DrainChanges();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("wd-2", Now.AddSeconds(-2), "wd-c2", "wd"))).StatusCode);
        await first.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wd" && q.CallsWaiting == 2));
        var change = first.DrainChanges().SelectMany(c => c.Queues).Single(c => c.Queue == "wd");
        // Against the snapshot the screen holds, and only what differs: not the targets nor the answered counts, which did not change.
        Assert.Equal(held.Seq, change.Base);
        Assert.Equal(2, change.Set.GetProperty("callsWaiting").GetInt64());
        Assert.False(change.Set.TryGetProperty("targets", out _), change.Set.GetRawText());
        Assert.DoesNotContain("answered", change.Set.GetRawText(), StringComparison.Ordinal);

        // A screen starting later, the clock having moved and no figure with it, is answered what the first holds, so the
        // changes to come apply to both alike; and from then on both hold the same.
        app.Time.Advance(TimeSpan.FromSeconds(2));
        await Task.Delay(300);
        await using var second = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        var answered = (await second.WatchAsync("wd")).Queues.Single();
        Assert.Equal(Json(first.Held("wd")!), Json(answered));
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Answered("wd-3", Now.AddSeconds(-1), "wd-c1", "wd-agent"))).StatusCode);
        await second.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wd" && q.Windows.Today.Answered == 1));
        await first.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wd" && q.Windows.Today.Answered == 1));
        await Task.Delay(300);
        Assert.Equal(Json(first.Held("wd")!), Json(second.Held("wd")!));
        Assert.Equal(0, first.Missed + second.Missed);
    }

    [Fact]
    public async Task Screens_starting_to_watch_while_a_queue_changes_never_get_a_change_against_what_they_do_not_hold()
    {
        using var http = app.Client();
        var key = await app.KeyAsync("wallboard");
        var screens = new List<LiveClient>();
        try
        {
            const int calls = 24;
            for (var i = 1; i <= calls; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued($"ws-{i}", Now.AddSeconds(-30 + i), $"ws-c{i}", "ws"))).StatusCode);
                // A screen starts every fourth call, while the rounds go on.
                if (i % 4 == 1)
                {
                    var screen = await LiveClient.ConnectAsync(app.Factory.Server, key, messagePack: i % 8 == 1);
                    screens.Add(screen);
                    await screen.WatchAsync("ws", "ws-other");
                }
                await Task.Delay(60);
            }
            foreach (var screen in screens)
            {
                if (screen.Held("ws")?.CallsWaiting != calls)
                    await screen.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "ws" && q.CallsWaiting == calls));
            }
            await Task.Delay(300);
            Assert.All(screens, s => Assert.Equal(0, s.Missed));
            Assert.Single(screens.Select(s => Json(s.Held("ws")!)).Distinct());
        }
        finally
        {
            foreach (var screen in screens) await screen.DisposeAsync();
        }
    }

    static string Json(QueueSnapshot s) => System.Text.Json.JsonSerializer.Serialize(s, System.Text.Json.JsonSerializerOptions.Web);

    [Fact]
    public async Task A_bad_queue_name_is_refused_and_watching_keeps_what_it_had()
    {
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await client.WatchAsync("wb-ok");
        var refused = await Assert.ThrowsAsync<HubException>(() => client.WatchAsync("wb-ok", "not a queue!"));
        Assert.Contains("'not a queue!' is not a queue name", refused.Message, StringComparison.Ordinal);

        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("wb-1", Now.AddSeconds(-1), "wb-c1", "wb-ok"))).StatusCode);
        await client.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wb-ok" && q.CallsWaiting == 1));
    }

    [Fact]
    public async Task A_team_key_watching_the_center_gets_its_queues_and_their_sum_only()
    {
        using var admin = app.Client();
        await using var team = await TeamScreenAsync(admin, "watch team", "wtm-a", "wtm-b");
        var watched = await team.WatchAsync();
        Assert.Equal(0, watched.Center!.CallsWaiting);
        Assert.All(watched.Queues, q => Assert.Contains(q.Queue, new[] { "wtm-a", "wtm-b" }));
        await Assert.ThrowsAsync<HubException>(() => team.WatchAsync("wtm-a", "wtm-other"));

        Assert.Equal(HttpStatusCode.OK, (await admin.PostEventsAsync(
            Ev.Queued("wtm-1", Now.AddSeconds(-3), "wtm-c1", "wtm-a"), Ev.Queued("wtm-2", Now.AddSeconds(-3), "wtm-c2", "wtm-other"))).StatusCode);
        var (update, _) = await team.WaitForUpdateAsync(u => u.Center is { CallsWaiting: 1 });
        await Task.Delay(600);
        var seen = team.DrainUpdates().Append(update).ToList();
        Assert.DoesNotContain(seen.SelectMany(u => u.Queues), q => q.Queue == "wtm-other");
        Assert.DoesNotContain(seen, u => u.Center is { CallsWaiting: > 1 });
    }

    [Fact]
    public async Task A_team_screen_gets_its_queues_change_and_their_sum_in_one_message()
    {
        using var admin = app.Client();
        await using var team = await TeamScreenAsync(admin, "watch team together", "wtt-a", "wtt-b");
        await team.WatchAsync();

        // The team's first change makes it known to the publisher; its sum may follow its queue then.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostEventsAsync(Ev.Queued("wtt-1", Now.AddSeconds(-3), "wtt-c1", "wtt-a"))).StatusCode);
        await team.WaitForUpdateAsync(u => u.Center is { CallsWaiting: 1 });
        await Task.Delay(300);

        // From then on a change of its queue and of their sum come in one round: the screen never shows a sum that
        // its queues do not add up to.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostEventsAsync(Ev.Queued("wtt-2", Now.AddSeconds(-2), "wtt-c2", "wtt-b"))).StatusCode);
        var (update, _) = await team.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "wtt-b" && q.CallsWaiting == 1));
        Assert.Equal(2, update.Center?.CallsWaiting);
    }

    // A screen connected with a wallboard key scoped to queues: a team's.
    async Task<LiveClient> TeamScreenAsync(HttpClient admin, string name, params string[] queues)
    {
        using var created = await admin.PostAsJsonAsync("/api/keys", new { name, role = "wallboard", queues });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (await created.JsonAsync()).GetProperty("key").GetString()!;
        return await LiveClient.ConnectAsync(app.Factory.Server, key);
    }

    [Fact]
    public async Task A_watching_screen_gets_the_alerts_of_what_it_watches_only()
    {
        using var http = app.Client();
        await using var mine = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await using var other = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await mine.WatchAsync("wal");
        await other.WatchAsync("wal-other");
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("wal-1", Now.AddSeconds(-31), "wal-c1", "wal"))).StatusCode);

        var raised = await mine.WaitForAlertAsync(a => a.Kind == AlertKinds.QueueWait && a.Subject == "wal");
        Assert.Equal(AlertStates.Open, raised.State);
        await Task.Delay(300);
        Assert.DoesNotContain(other.DrainAlerts(), a => a.Subject == "wal");
    }
}
