using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Queue.Live;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// A node whose alerts take as long as the test wants over one queue's snapshots, as over a slow PostgreSQL; its rounds
/// are held up to a minute for their snapshots, so that one held for anything else would not reach its screens in time.
/// </summary>
public sealed class SlowAlertsApp : QueueApp
{
    public GatedObserver Observer { get; } = new("rh-slow");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Queue:Live:RoundHold"] = "00:01:00",
    };

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<ILiveObserver>(Observer);
}

/// <summary>Follows snapshots as the alerts do, and holds every one of <paramref name="queue"/> with a call waiting until released.</summary>
public sealed class GatedObserver(string queue) : ILiveObserver
{
    readonly TaskCompletionSource gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed when a snapshot of the queue with a call waiting came to be observed.</summary>
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => gate.TrySetResult();

    public async Task<DateTimeOffset?> QueueChangedAsync(QueueSnapshot snapshot, CancellationToken ct)
    {
        if (snapshot.Queue != queue || snapshot.CallsWaiting == 0) return null;
        Entered.TrySetResult();
        await gate.Task;
        return null;
    }

    public Task<DateTimeOffset?> CenterChangedAsync(CancellationToken ct) => Task.FromResult<DateTimeOffset?>(null);

    public Task Ready => Task.CompletedTask;
}

/// <summary>
/// A publishing round reaches the watching screens once its snapshots are read: it does not wait for the alerts those
/// snapshots are judged by, nor for the consoles' details, which may take a trip to PostgreSQL each. Held here for up to a
/// minute (<see cref="LiveOptions.RoundHold"/>), a round that waited for its alerts would come after the screens' wait.
/// </summary>
public sealed class RoundHoldTests(SlowAlertsApp app) : IClassFixture<SlowAlertsApp>
{
    [Fact]
    public async Task A_round_reaches_the_watching_screens_while_its_queues_alerts_are_still_being_decided()
    {
        using var http = app.Client();
        var key = await app.KeyAsync("wallboard");
        await using var watching = await LiveClient.ConnectAsync(app.Factory.Server, key);
        await using var joined = await LiveClient.ConnectAsync(app.Factory.Server, key);
        try
        {
            await watching.WatchAsync("rh-slow", "rh-other");
            await joined.JoinQueuesAsync("rh-slow");
            var now = app.Time.GetUtcNow();
            Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
                Ev.Queued("rh-1", now.AddSeconds(-3), "rh-c1", "rh-slow"), Ev.Queued("rh-2", now.AddSeconds(-2), "rh-c2", "rh-other"))).StatusCode);

            await app.Observer.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var (update, _) = await watching.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "rh-slow" && q.CallsWaiting == 1));
            var (pushed, _, _) = await joined.WaitForAsync("QueueUpdated", q => q.Queue == "rh-slow" && q.CallsWaiting == 1);

            // The watching screen's round came while the alerts were still deciding over the very snapshot it shows (they
            // are released below, after the wait). The joined screen's copy, sent before the alerts as ever, came too.
            Assert.Contains(update.Queues, q => q.Queue == "rh-slow" && q.CallsWaiting == 1);
            Assert.Equal(1, pushed.CallsWaiting);
        }
        finally
        {
            app.Observer.Release();
        }

        // Released, the queue goes on: its next change reaches the screen.
        var later = app.Time.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("rh-3", later.AddSeconds(-1), "rh-c3", "rh-slow"))).StatusCode);
        await watching.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "rh-slow" && q.CallsWaiting == 2));
    }
}
