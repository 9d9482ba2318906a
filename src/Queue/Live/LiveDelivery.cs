using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace Queue.Live;

/// <summary>What a watching screen receives in one message: what changed among what it watches, since the last one.</summary>
/// <param name="Center">The center it watches (the whole one, or its team's), if that changed; null otherwise.</param>
/// <param name="Queues">Each of its queues that changed, at its newest.</param>
public sealed record LiveUpdate(QueueSnapshot? Center, IReadOnlyList<QueueSnapshot> Queues);

/// <summary>
/// Delivers what this node published to its own watching screens (<see cref="LiveViews"/>), a round at a time: the
/// snapshots of a publishing round are gathered until the round is done (or has waited <see cref="MaxHold"/>), then each
/// group of screens gets one <c>Updated</c> with what it watches, serialized once for the group (ADR 0009). A snapshot goes
/// to this node's screens once, whichever node claimed it.
/// </summary>
internal sealed partial class LiveDelivery(LiveViews views, IHubContext<LiveHub, ILiveClient> hub, ILogger<LiveDelivery> logger)
{
    /// <summary>The longest the first snapshot of a round waits for the round's others.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(30);

    readonly Lock gate = new();
    Dictionary<string, QueueSnapshot> pending = new(StringComparer.Ordinal);
    readonly Dictionary<string, long> delivered = new(StringComparer.Ordinal);
    readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    int publishing;

    /// <summary>
    /// A snapshot of <paramref name="key"/> (a queue or a center) just published or found published: delivered with the
    /// round unless this node's screens had it already. Answers whether it is news to them.
    /// </summary>
    public bool Offer(string key, QueueSnapshot snapshot)
    {
        if (views.IsEmpty) return false;
        lock (gate)
        {
            if (delivered.GetValueOrDefault(key) >= snapshot.Seq) return false;
            if (pending.TryGetValue(key, out var waiting) && waiting.Seq >= snapshot.Seq) return false;
            pending[key] = snapshot;
        }
        signal.Writer.TryWrite(true);
        return true;
    }

    public void Began() => Interlocked.Increment(ref publishing);

    public void Ended()
    {
        Interlocked.Decrement(ref publishing);
        signal.Writer.TryWrite(true);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await signal.Reader.ReadAsync(ct);
            var first = Stopwatch.GetTimestamp();
            // The round's other snapshots: until nothing is being published, or the first has waited long enough.
            while (Volatile.Read(ref publishing) > 0 && Stopwatch.GetElapsedTime(first) is var waited && waited < MaxHold)
            {
                using var hold = CancellationTokenSource.CreateLinkedTokenSource(ct);
                hold.CancelAfter(MaxHold - waited);
                try
                {
                    await signal.Reader.ReadAsync(hold.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // held long enough
                }
            }
            await DeliverAsync();
        }
    }

    async Task DeliverAsync()
    {
        Dictionary<string, QueueSnapshot> round;
        lock (gate)
        {
            if (pending.Count == 0) return;
            round = pending;
            pending = new(StringComparer.Ordinal);
            foreach (var (key, s) in round) delivered[key] = s.Seq;
        }
        foreach (var (group, spec) in views.Groups())
        {
            QueueSnapshot? center = null;
            var queues = new List<QueueSnapshot>();
            foreach (var (key, snapshot) in round)
            {
                if (!spec.Shows(key)) continue;
                if (LiveViewSpec.IsCenter(key)) center = snapshot;
                else queues.Add(snapshot);
            }
            if (center is null && queues.Count == 0) continue;
            try
            {
                await hub.Clients.Group(group).Updated(new LiveUpdate(center, queues));
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
                // Each snapshot is whole: what this group missed goes again with the next round that finds it published
                // (every queue is looked at each second).
                LogDeliveryFailed(logger, group, e.Message);
                lock (gate)
                {
                    foreach (var key in round.Keys.Where(spec.Shows)) delivered.Remove(key);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live update to {Group} not delivered: {Reason}")]
    static partial void LogDeliveryFailed(ILogger logger, string group, string reason);
}
