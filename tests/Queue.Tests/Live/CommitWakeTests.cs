using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Queue.EventLog;
using Queue.Live;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// A node that looks at the log every 30 s while it listens, unless a commit wakes it, and every 25 ms (the default)
/// while it cannot listen or committed events are held back behind a running transaction. Its listening connection goes
/// through a proxy the test can cut.
/// </summary>
public sealed class WakeQueueApp : QueueApp
{
    public TcpProxy Proxy { get; } = new(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString).Port));

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:QueueListen"] = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = Proxy.Port }.ConnectionString,
        ["Queue:Live:ListeningPollInterval"] = "00:00:30",
    };

    public override async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>Waiting on a node's live state and its listener.</summary>
static class Wake
{
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(5);

    /// <summary>Calls waiting in the queue by the node's live state (−1 while it is not served).</summary>
    public static async Task<long> WaitingAsync(HttpClient http, string queue)
    {
        using var response = await http.GetAsync($"/api/queues/{queue}");
        return response.StatusCode == HttpStatusCode.OK ? (await response.JsonAsync()).GetProperty("snapshot").GetProperty("callsWaiting").GetInt64() : -1;
    }

    /// <summary>Asserts that the node's live state shows <paramref name="count"/> calls waiting within <see cref="Within"/> of <paramref name="since"/>.</summary>
    public static async Task FollowsAsync(HttpClient http, string queue, long count, Stopwatch since, string what)
    {
        while (await WaitingAsync(http, queue) < count)
        {
            Assert.True(since.Elapsed < Within, $"{what}: not in live state {since.Elapsed} after its commit");
            await Task.Delay(20);
        }
    }

    public static async Task ListeningAsync(QueueApp app, bool listening)
    {
        var listener = app.Factory.Services.GetRequiredService<CommitListener>();
        var waited = Stopwatch.StartNew();
        while (listener.Listening != listening)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"the node's listener is not {(listening ? "up" : "down")} after 20 s");
            await Task.Delay(20);
        }
    }
}

/// <summary>
/// ADR 0002: the follower is woken by commits (this node's own, and other nodes' by LISTEN/NOTIFY), not by its poll; a
/// missed notification only delays: it polls while it cannot listen, and looks again soon while committed events are
/// held back behind a running transaction, which may end without notifying anyone.
/// </summary>
public sealed class CommitWakeTests(WakeQueueApp app) : IClassFixture<WakeQueueApp>
{
    [Fact]
    public async Task Each_commit_of_this_node_is_announced_to_it_once_the_commit_has_returned()
    {
        using var http = app.Client();
        var announcer = app.Factory.Services.GetRequiredService<CommitAnnouncer>();
        var heard = 0;
        void Count() => Interlocked.Increment(ref heard);
        announcer.Committed += Count;
        try
        {
            // One event (written with others waiting, group commit), then a batch of its own.
            Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("told-1", app.Time.GetUtcNow(), "told-c1", "told"))).StatusCode);
            Assert.Equal(1, Volatile.Read(ref heard));
            var batch = Enumerable.Range(0, 150).Select(i => (System.Text.Json.Nodes.JsonNode)Ev.Queued($"told-b{i}", app.Time.GetUtcNow(), $"told-cb{i}", "told")).ToArray();
            Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(batch)).StatusCode);
            Assert.Equal(2, Volatile.Read(ref heard));
        }
        finally
        {
            announcer.Committed -= Count;
        }
    }

    [Fact]
    public async Task What_the_follower_reads_is_counted_into_the_log_s_rate_which_spaces_its_looks()
    {
        using var http = app.Client();
        var listener = app.Factory.Services.GetRequiredService<CommitListener>();
        var batch = Enumerable.Range(0, 400).Select(i => (System.Text.Json.Nodes.JsonNode)Ev.Queued($"rate-{i}", app.Time.GetUtcNow(), $"rate-c{i}", "rate")).ToArray();
        var since = Stopwatch.StartNew();

        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(batch)).StatusCode);
        await Wake.FollowsAsync(http, "rate", 400, since, "a batch of 400");

        // 400 events read by looks since the post began: the rate holds them, decayed by e^(-t/1 s) at most since then.
        var rate = listener.Rate;
        Assert.InRange(rate, 400 * Math.Exp(-since.Elapsed.TotalSeconds), 1_000);
    }

    [Fact]
    public async Task Events_posted_to_this_node_reach_live_state_at_once_though_it_looks_every_30_s()
    {
        using var http = app.Client();
        await app.LiveCaughtUpAsync(TimeSpan.FromSeconds(40));
        await Wake.ListeningAsync(app, true);
        foreach (var i in Enumerable.Range(1, 3))
        {
            var posted = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued($"wake-{i}", app.Time.GetUtcNow(), $"wake-c{i}", "wake"))).StatusCode);
            await Wake.FollowsAsync(http, "wake", i, posted, $"event {i}");
        }
    }

    [Fact]
    public async Task Events_posted_to_another_node_reach_this_node_s_live_state_by_their_notification()
    {
        using var http = app.Client();
        await app.LiveCaughtUpAsync(TimeSpan.FromSeconds(40));
        await Wake.ListeningAsync(app, true);
        await using var other = new OtherNode(app, app.Time);
        using var there = other.Client();
        foreach (var i in Enumerable.Range(1, 3))
        {
            var posted = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await there.PostEventsAsync(Ev.Queued($"far-{i}", app.Time.GetUtcNow(), $"far-c{i}", "far"))).StatusCode);
            await Wake.FollowsAsync(http, "far", i, posted, $"event {i} of another node");
        }
    }

    [Fact]
    public async Task A_node_that_loses_its_listening_connection_polls_until_it_listens_again()
    {
        using var http = app.Client();
        await app.LiveCaughtUpAsync(TimeSpan.FromSeconds(40));
        await Wake.ListeningAsync(app, true);
        await using var other = new OtherNode(app, app.Time);
        using var there = other.Client();
        try
        {
            app.Proxy.Cut();
            await Wake.ListeningAsync(app, false);
            Assert.Contains(app.Logs, l => l.Contains("Not listening for commits", StringComparison.Ordinal));
            var posted = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await there.PostEventsAsync(Ev.Queued("deaf-1", app.Time.GetUtcNow(), "deaf-c1", "deaf"))).StatusCode);
            await Wake.FollowsAsync(http, "deaf", 1, posted, "an event of another node while this one cannot listen");
        }
        finally
        {
            app.Proxy.Restore();
        }

        // Listening again, it is woken again: a look every 30 s would not do.
        await Wake.ListeningAsync(app, true);
        var again = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await there.PostEventsAsync(Ev.Queued("deaf-2", app.Time.GetUtcNow(), "deaf-c2", "deaf"))).StatusCode);
        await Wake.FollowsAsync(http, "deaf", 2, again, "an event of another node once this one listens again");
    }

    [Fact]
    public async Task An_event_held_back_by_a_running_transaction_follows_when_it_ends_though_that_notifies_no_one()
    {
        using var http = app.Client();
        await app.LiveCaughtUpAsync(TimeSpan.FromSeconds(40));
        await Wake.ListeningAsync(app, true);

        // A transaction with an id of its own, older than the event's, that writes no event: the horizon stays below it.
        await using var blocker = await app.Db.OpenConnectionAsync();
        await using var running = await blocker.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("select pg_current_xact_id()", blocker, running)) await take.ExecuteScalarAsync();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("held-1", app.Time.GetUtcNow(), "held-c1", "held"))).StatusCode);

        var page = await new CommittedEvents(app.Db).ReadAsync(FeedCursor.Start, 50_000, TestContext.Current.CancellationToken);
        Assert.True(page.HeldBack);
        Assert.DoesNotContain(page.Events, e => e.Event.Id == "held-1");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.True(await Wake.WaitingAsync(http, "held") < 1, "the event was in live state while a transaction older than it was running");

        var ended = Stopwatch.StartNew();
        await running.CommitAsync(TestContext.Current.CancellationToken);
        await Wake.FollowsAsync(http, "held", 1, ended, "an event held back until a transaction ended");
    }
}
