using System.Diagnostics;
using System.Net;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>A node that polls the log only every 30 s: what it shows must come from commits waking it.</summary>
public sealed class SlowPollQueueApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Queue:Live:PollInterval"] = "00:00:30",
        ["Queue:Live:ListeningPollInterval"] = "00:00:30",
    };
}

/// <summary>SPEC §2: an accepted event is in live state within 1 s; the follower is woken by the commit (LISTEN/NOTIFY), not by a poll.</summary>
public sealed class CommitWakeTests(SlowPollQueueApp app) : IClassFixture<SlowPollQueueApp>
{
    [Fact]
    public async Task A_committed_event_reaches_live_state_at_once_though_the_log_is_polled_every_30_s()
    {
        using var http = app.Client();
        await app.LiveCaughtUpAsync(TimeSpan.FromSeconds(40)); // the first look, and the listener up
        foreach (var i in Enumerable.Range(1, 3))
        {
            var posted = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued($"wake-{i}", app.Time.GetUtcNow(), $"wake-c{i}", "wake"))).StatusCode);
            while ((await (await http.GetAsync("/api/queues/wake")).JsonAsync()).GetProperty("snapshot").GetProperty("callsWaiting").GetInt64() < i)
            {
                Assert.True(posted.Elapsed < TimeSpan.FromSeconds(5), $"event {i} not in live state {posted.Elapsed} after its commit");
                await Task.Delay(20);
            }
        }
    }
}
