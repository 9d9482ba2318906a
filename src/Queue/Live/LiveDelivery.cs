using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Queue.Live;

/// <summary>What a screen starting to watch is answered: the center it watches (the whole one, or its team's; null if it
/// watches named queues) and each of its queues, whole.</summary>
public sealed record LiveUpdate(QueueSnapshot? Center, IReadOnlyList<QueueSnapshot> Queues);

/// <summary>
/// Delivers what this node published to its own watching screens (<see cref="LiveViews"/>), a round at a time: the
/// snapshots of a publishing round are gathered until every one of them is read and offered (or the first has waited
/// <see cref="LiveOptions.RoundHold"/>), then each group of screens gets one <c>Updated</c> with what it watches,
/// serialized once for the group and written by this node to its screens' connections (<see cref="ScreenConnections"/>),
/// not through the backplane (ADR 0009). A
/// snapshot goes to this node's screens once, whichever node claimed it, as its change from the one they were sent
/// before (whole if they were sent none, or to a screen that missed a round); a screen starting to watch is answered
/// those same snapshots (<see cref="Delivered"/>).
/// </summary>
internal sealed class LiveDelivery(LiveViews views, ScreenConnections connections, IOptions<LiveOptions> options)
{
    /// <summary>How many screens a round writes to before it lets the node's other work run.</summary>
    const int WritesPerTurn = 64;

    // As the hub's JSON protocol writes them: what a change is told against.
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    readonly Lock gate = new();
    Dictionary<string, Sent> pending = new(StringComparer.Ordinal);
    // What this node's screens were last sent of each key: what the next change is told against.
    readonly Dictionary<string, Sent> delivered = new(StringComparer.Ordinal);
    readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    // The round's parts not yet done: snapshots still being read.
    int undone;

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

    /// <summary>
    /// A key's publishing began: the round waits for it (at most <see cref="LiveOptions.RoundHold"/>) until its part is
    /// <see cref="RoundPart.Done"/>, as soon as its snapshot is offered, not after the alerts and details that follow it.
    /// </summary>
    public RoundPart Began()
    {
        Interlocked.Increment(ref undone);
        return new RoundPart(this);
    }

    void Ended()
    {
        Interlocked.Decrement(ref undone);
        signal.Writer.TryWrite(true);
    }

    /// <summary>One key's share of a round: done once, by the first call of <see cref="Done"/>.</summary>
    public sealed class RoundPart(LiveDelivery delivery)
    {
        int done;

        public void Done()
        {
            if (Interlocked.Exchange(ref done, 1) == 0) delivery.Ended();
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        // A screen that missed a round is caught up as soon as it can take something, not at the next change.
        connections.Freed = () => signal.Writer.TryWrite(true);
        while (!ct.IsCancellationRequested)
        {
            await signal.Reader.ReadAsync(ct);
            var first = Stopwatch.GetTimestamp();
            var most = options.Value.RoundHold;
            // The round's other snapshots: until none is being read (what follows a snapshot, its alerts and details, is
            // not waited for), or the first has waited long enough.
            while (Volatile.Read(ref undone) > 0 && Stopwatch.GetElapsedTime(first) is var waited && waited < most)
            {
                using var hold = CancellationTokenSource.CreateLinkedTokenSource(ct);
                hold.CancelAfter(most - waited);
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
            if (pending.Count == 0 && !connections.AnyBehind) return;
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
        var written = 0;
        foreach (var (spec, screens) in views.Groups())
        {
            var keys = round.Keys.Where(spec.Shows).ToList();
            if (keys.Count == 0 && !connections.AnyBehind) continue;
            // Serialized once per protocol, when the group's first screen speaking it is written to.
            var message = keys.Count == 0 ? null : Updated(Changes(keys.Select(k => (k, round[k]))));
            // For a screen that missed rounds: what it missed of another view, watched before this one, is not its to show.
            Func<IReadOnlyCollection<string>, SerializedHubMessage> whole = missed => Whole([.. missed.Where(spec.Shows)]);
            foreach (var screen in screens)
            {
                connections.Write(screen, message, keys, whole);
                // Each write hands its connection's transport a piece of work on the thread pool. A round's thousands,
                // handed at once, would be queued ahead of whatever the node does next (the follower's look, a commit's
                // answer), which would then wait for the whole round to be written: so the round takes turns with it.
                if (++written % WritesPerTurn == 0) await Task.Yield();
            }
        }
    }

    static SerializedHubMessage Updated(LiveChanges changes) => new(new InvocationMessage(nameof(ILiveClient.Updated), [changes]));

    static LiveChanges Changes(IEnumerable<(string Key, SnapshotChange Change)> changes)
    {
        SnapshotChange? center = null;
        var queues = new List<SnapshotChange>();
        foreach (var (key, change) in changes)
        {
            if (LiveViewSpec.IsCenter(key)) center = change;
            else queues.Add(change);
        }
        return new LiveChanges(center, queues);
    }

    // What this node's screens were last sent of keys, whole: for a screen that missed a round of them.
    SerializedHubMessage Whole(IReadOnlyCollection<string> keys)
    {
        var whole = new List<(string, SnapshotChange)>();
        lock (gate)
        {
            foreach (var key in keys)
            {
                if (delivered.TryGetValue(key, out var sent)) whole.Add((key, new SnapshotChange(sent.Snapshot.Queue, sent.Snapshot.Seq, 0, sent.Json)));
            }
        }
        return Updated(Changes(whole));
    }

    sealed record Sent(QueueSnapshot Snapshot, JsonElement Json);
}
