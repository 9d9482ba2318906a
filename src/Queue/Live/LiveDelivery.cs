using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;

namespace Queue.Live;

/// <summary>What a screen starting to watch is answered: the center it watches (the whole one, or its team's; null if it
/// watches named queues) and each of its queues, whole.</summary>
public sealed record LiveUpdate(QueueSnapshot? Center, IReadOnlyList<QueueSnapshot> Queues);

/// <summary>
/// Delivers what this node published to its own watching screens (<see cref="LiveViews"/>), a round at a time: the
/// snapshots of a publishing round are gathered until the round is done (or the first has waited <see cref="MaxHold"/>),
/// then each group of screens gets one <c>Updated</c> with what it watches, serialized once for the group, every group's
/// at once (ADR 0009). A snapshot goes to this node's screens once, whichever node claimed it, as its change from the
/// one they were sent before (whole if they were sent none); a screen starting to watch is answered those same
/// snapshots (<see cref="Delivered"/>).
/// </summary>
internal sealed partial class LiveDelivery(LiveViews views, IHubContext<LiveHub, ILiveClient> hub, ILogger<LiveDelivery> logger)
{
    /// <summary>The longest the first snapshot of a round waits for the round's others.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMilliseconds(30);

    // As the hub's JSON protocol writes them: what a change is told against.
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly Lock gate = new();
    Dictionary<string, Sent> pending = new(StringComparer.Ordinal);
    // What this node's screens were last sent of each key: what the next change is told against.
    readonly Dictionary<string, Sent> delivered = new(StringComparer.Ordinal);
    readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    int publishing;

    /// <summary>
    /// A snapshot of <paramref name="key"/> (a queue or a center) just published or found published: delivered with the
    /// round unless this node's screens had it already. Answers whether it is news to them.
    /// </summary>
    public bool Offer(string key, QueueSnapshot snapshot)
    {
        if (views.IsEmpty)
        {
            // No screen of this node holds anything: the next one starts from what it is answered.
            lock (gate) delivered.Clear();
            return false;
        }
        lock (gate)
        {
            if (!IsNews(key, snapshot.Seq)) return false;
        }
        var sent = new Sent(snapshot, JsonSerializer.SerializeToElement(snapshot, Json));
        lock (gate)
        {
            if (!IsNews(key, snapshot.Seq)) return false;
            pending[key] = sent;
        }
        signal.Writer.TryWrite(true);
        return true;
    }

    bool IsNews(string key, long seq) =>
        !(delivered.TryGetValue(key, out var had) && had.Snapshot.Seq >= seq) && !(pending.TryGetValue(key, out var waiting) && waiting.Snapshot.Seq >= seq);

    /// <summary>
    /// The snapshot of <paramref name="key"/> this node's screens were last sent, if any: what a screen starting to watch
    /// is answered, so that the changes that follow apply to what it holds. Called after the screen joined its group.
    /// </summary>
    public QueueSnapshot? Delivered(string key)
    {
        lock (gate) return delivered.TryGetValue(key, out var sent) ? sent.Snapshot : null;
    }

    /// <summary>How many screens of this node watch something: each gets at most one message a round.</summary>
    public int Screens => views.Screens;

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
        var round = new Dictionary<string, SnapshotChange>(StringComparer.Ordinal);
        lock (gate)
        {
            if (pending.Count == 0) return;
            foreach (var (key, sent) in pending)
            {
                var s = sent.Snapshot;
                round[key] = delivered.TryGetValue(key, out var had)
                    ? new SnapshotChange(s.Queue, s.Seq, had.Snapshot.Seq, JsonChanges.Of(had.Json, sent.Json))
                    : new SnapshotChange(s.Queue, s.Seq, 0, sent.Json);
                delivered[key] = sent;
            }
            pending = new(StringComparer.Ordinal);
        }
        // Every group's message goes out at once, not each after the one before has crossed the backplane.
        var sends = new List<(string Group, LiveViewSpec Spec, Task Sent)>();
        foreach (var (group, spec) in views.Groups())
        {
            SnapshotChange? center = null;
            var queues = new List<SnapshotChange>();
            foreach (var (key, change) in round)
            {
                if (!spec.Shows(key)) continue;
                if (LiveViewSpec.IsCenter(key)) center = change;
                else queues.Add(change);
            }
            if (center is null && queues.Count == 0) continue;
            sends.Add((group, spec, SendAsync(group, new LiveChanges(center, queues))));
        }
        foreach (var (group, spec, sent) in sends)
        {
            try
            {
                await sent;
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
                // What this group missed goes again, whole, with the next round that finds it published (every queue is
                // looked at each second); a screen that got a later change against what it missed watches again.
                LogDeliveryFailed(logger, group, e.Message);
                lock (gate)
                {
                    foreach (var key in round.Keys.Where(spec.Shows)) delivered.Remove(key);
                }
            }
        }
    }

    // Whatever fails, fails in the task it answers: the other groups' messages are on their way.
    async Task SendAsync(string group, LiveChanges changes) => await hub.Clients.Group(group).Updated(changes);

    sealed record Sent(QueueSnapshot Snapshot, JsonElement Json);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live update to {Group} not delivered: {Reason}")]
    static partial void LogDeliveryFailed(ILogger logger, string group, string reason);
}
