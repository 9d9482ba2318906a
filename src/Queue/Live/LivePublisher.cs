using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Queue.Redis;

namespace Queue.Live;

/// <summary>
/// Pushes snapshots of queues whose live state changed, coalesced in rounds: a queue goes at most once per interval
/// (<see cref="LiveOptions.IntervalFor"/>: longer as more screens watch), the queues changed meanwhile go together, and the last state always
/// goes out. Every second (of the service's clock) all queues are looked at again, because windows move with time
/// alone. A snapshot goes to the joined groups only if no node published the same content already, so several nodes do
/// not push the same thing several times; each node delivers a round to its own watching screens (<see cref="LiveDelivery"/>).
/// </summary>
internal sealed partial class LivePublisher(
    LiveView view, LiveStore store, LiveKeys keys, IHubContext<LiveHub, ILiveClient> hub, IEnumerable<ILiveObserver> observers, Auth.ApiKeyStore apiKeys,
    DetailPushes detailPushes, LiveDelivery delivery,
    Targets.QueueTargets targets, IOptions<LiveOptions> options, TimeProvider time, ILogger<LivePublisher> logger) : BackgroundService
{
    readonly LiveDeadlines deadlines = new(time);
    readonly ConcurrentDictionary<string, byte> dirty = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, byte> publishing = new(StringComparer.Ordinal);
    // When each queue was last pushed (a look that found nothing new gives its turn back): a queue goes at most once per interval.
    readonly ConcurrentDictionary<string, long> lastSent = new(StringComparer.Ordinal);
    readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    internal const string CenterKey = "";

    // A team's center (the sum of its queues, for keys scoped to them) is published under "#" and its id: no queue name
    // has a '#'. Once known (after one of its queues first went out), it goes in the rounds of its queues' changes, at most
    // once per interval like a queue.
    internal const string TeamPrefix = "#";
    readonly ConcurrentDictionary<string, IReadOnlyList<string>> teams = new(StringComparer.Ordinal);

    /// <summary>Queues whose live state changed: they go in the next round, with the center and the teams known to hold them.</summary>
    public void MarkDirty(IEnumerable<string> queues) => Mark(queues, teamsToo: true);

    /// <summary>Every queue looked at again (the clock, a rebuild): not the teams, which follow their queues' news.</summary>
    public async Task MarkAllDirtyAsync() => Mark([.. await store.QueuesAsync(), LiveKeys.Center], teamsToo: false);

    void Mark(IEnumerable<string> queues, bool teamsToo)
    {
        var any = false;
        foreach (var q in queues)
        {
            dirty[q == LiveKeys.Center ? CenterKey : q] = 0;
            any = true;
            if (!teamsToo) continue;
            // The teams known to hold it go in the same round, so that a team's screens get its sum with its queues.
            foreach (var key in teams.Where(t => t.Value.Contains(q, StringComparer.Ordinal)).Select(t => t.Key)) dirty[key] = 0;
        }
        if (!any) return;
        dirty[CenterKey] = 0;
        wake.Writer.TryWrite(true);
    }

    CancellationToken stopping;

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        stopping = ct;
        // New targets: snapshots carry them and their figures' states, and alerts are decided against them.
        targets.Changed += changed => MarkDirty(changed.Select(c => c.Queue));
        await using var ageing = time.CreateTimer(_ => _ = AgeAsync(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _ = AgeWhenReadyAsync(ct);
        var delivering = delivery.RunAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            var interval = Stopwatch.Frequency * options.Value.IntervalFor(delivery.Screens).Ticks / TimeSpan.TicksPerSecond;
            long? nextDue = null;
            var due = new List<(string Queue, long Before, long Taken)>();
            var now = Stopwatch.GetTimestamp();
            // A round goes when a changed queue is due (its last push an interval ago: a quiet queue's change goes at
            // once), and takes every changed queue pushed at least half an interval ago, so that busy queues go out
            // together and a screen gets one message a round for all it watches.
            var anyDue = false;
            foreach (var queue in dirty.Keys)
            {
                // A queue still being published goes again once that is done (it wakes this loop).
                if (publishing.ContainsKey(queue)) continue;
                var at = lastSent.GetValueOrDefault(queue, long.MinValue / 2) + interval;
                if (at <= now) anyDue = true;
                else nextDue = Math.Min(nextDue ?? long.MaxValue, at);
            }
            if (anyDue)
            {
                nextDue = null;
                foreach (var queue in dirty.Keys)
                {
                    if (publishing.ContainsKey(queue)) continue;
                    var last = lastSent.GetValueOrDefault(queue, long.MinValue / 2);
                    if (last + interval / 2 > now)
                    {
                        nextDue = Math.Min(nextDue ?? long.MaxValue, last + interval);
                        continue;
                    }
                    dirty.TryRemove(queue, out _);
                    lastSent[queue] = now;
                    due.Add((queue, last, now));
                }
            }
            // Queues go out side by side, each on its own: one slow read (the center's, every queue's once a second)
            // must not hold back a queue whose figures just changed. The round's queues, center and teams are read at
            // one instant, each queue once (LiveReads).
            if (due.Count > 0)
            {
                var reads = view.Reads();
                foreach (var (queue, before, taken) in due)
                {
                    publishing[queue] = 0;
                    _ = PublishThenWakeAsync(queue, before, taken, delivery.Began(), reads);
                }
            }
            var wait = nextDue is { } d ? Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), d) : Timeout.InfiniteTimeSpan;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (wait != Timeout.InfiniteTimeSpan) timeout.CancelAfter(wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
            try
            {
                await wake.Reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // the next round is due
            }
        }
        try
        {
            await delivering;
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    async Task PublishThenWakeAsync(string queue, long before, long taken, LiveDelivery.RoundPart part, LiveReads reads)
    {
        try
        {
            // Looked at and found as it was pushed last (the clock's round, or another node's push): its turn is given
            // back, so that its next change goes at once.
            if (!await PublishOrRetryAsync(queue, part, reads)) lastSent.TryUpdate(queue, before, taken);
        }
        finally
        {
            publishing.TryRemove(queue, out _);
            part.Done();
            wake.Writer.TryWrite(true);
        }
    }

    // A round's look and a deadline's alike (a deadline's takes no part in a round, and reads on its own). Redis
    // failing: the queue goes again at its next turn, not at once. A defect: it goes again at its next change.
    async Task<bool> PublishOrRetryAsync(string queue, LiveDelivery.RoundPart? part = null, LiveReads? reads = null)
    {
        try
        {
            return await PublishAsync(queue, part, reads ?? view.Reads());
        }
        catch (Exception e) when (Said(queue, e))
        {
            if (IsOutage(e)) dirty[queue] = 0;
            return true;
        }
    }

    static bool IsOutage(Exception e) => e is StackExchange.Redis.RedisException or TimeoutException;

    // Whatever fails in a look that nothing awaits is said here: an outage as a warning, a defect as an error, nothing
    // while the service stops (what the look needed may be gone already). Always true: the failure is handled.
    bool Said(string queue, Exception e)
    {
        if (IsOutage(e)) LogPublishFailed(logger, queue, e.Message);
        else if (!stopping.IsCancellationRequested) LogPublishBroken(logger, queue, e);
        return true;
    }

    // Observers that cannot judge yet name no deadline: once all can, every queue is looked at again at once, not at
    // the next second of the service's clock (which a test's clock may never reach).
    async Task AgeWhenReadyAsync(CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(observers.Select(o => o.Ready)).WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await AgeAsync();
    }

    async Task AgeAsync()
    {
        try
        {
            await MarkAllDirtyAsync();
        }
        catch (Exception e) when (Said("(all)", e))
        {
            // said; every queue is looked at again within the second
        }
    }

    public override void Dispose()
    {
        deadlines.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerts of {Queue} not checked: {Reason}")]
    static partial void LogAlertsFailed(ILogger logger, string queue, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Live snapshot of {Queue} failed to publish")]
    static partial void LogPublishBroken(ILogger logger, string queue, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live snapshot of {Queue} not published: {Reason}")]
    static partial void LogPublishFailed(ILogger logger, string queue, string reason);
}
