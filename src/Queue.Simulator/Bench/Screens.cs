using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Queue.Simulator.Bench;

/// <summary>
/// The screens of <c>ops/bench live</c> as a floor has them (issue mix, SPEC §7): wallboards showing a few queues, screens
/// joined to the whole center, and supervisors' consoles (the center and one queue in detail). Every screen shows the
/// probe queue, whose waiting count numbers the probes, so each one's latency is measured.
/// </summary>
internal sealed record ScreenMix(int Wallboards, int Center, int Consoles)
{
    /// <summary>How many queues a wallboard shows: the probe queue and three of the load's.</summary>
    public const int BoardQueues = 4;

    public int Count => Wallboards + Center + Consoles;

    /// <summary>A floor of <paramref name="screens"/>: 80 % wallboards of 4 queues, 15 % joined to the center, 5 % consoles.</summary>
    public static ScreenMix Of(int screens)
    {
        var consoles = screens * 5 / 100;
        var center = screens * 15 / 100;
        return new ScreenMix(screens - center - consoles, center, consoles);
    }

    /// <summary>Screen <paramref name="i"/>'s kind: wallboards first, then the center's, then consoles.</summary>
    public ScreenKind KindOf(int i) => i < Wallboards ? ScreenKind.Wallboard : i < Wallboards + Center ? ScreenKind.Center : ScreenKind.Console;

    public override string ToString() =>
        $"{Count:N0} screens: {Wallboards:N0} wallboards of {BoardQueues} queues, {Center:N0} joined to the center, {Consoles:N0} consoles";
}

internal enum ScreenKind { Wallboard, Center, Console }

/// <summary>What screens <c>[first, first + count)</c> of a mix saw: for each probe, when each screen first saw it; for each queue, the pushes' numbers.</summary>
internal sealed partial class Screens(ScreenMix mix, int first, int count, int queues, bool messagePack, bool join = false, bool lean = false)
{
    const int MaxProbes = 4096;
    /// <summary>One screen in this many times the load's own events too (<see cref="Answered"/>): enough screens for a percentile, few enough to keep the process light.</summary>
    public const int LoadSample = 10;
    readonly long[][] probeSeen = Enumerable.Range(0, count).Select(_ => new long[MaxProbes]).ToArray();
    // When the service read each probe's snapshot (its clock is this machine's): splits a latency into the
    // service's part (post → snapshot) and delivery (snapshot → screen).
    readonly ConcurrentDictionary<int, DateTimeOffset> probeRead = new();
    readonly Dictionary<string, (long First, long Last, long Count)>[] seqs =
        Enumerable.Range(0, count).Select(_ => new Dictionary<string, (long, long, long)>(StringComparer.Ordinal)).ToArray();
    // Per screen, the number of each queue's snapshot it holds; until its watch is answered, the changes that came.
    readonly Dictionary<string, long>[] held = Enumerable.Range(0, count).Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
    readonly List<ScreenChanges>?[] answering = new List<ScreenChanges>?[count];
    // For the sampled screens, per load queue: each answered count it showed, and when it first did.
    readonly Dictionary<string, List<(long Answered, long At)>>?[] answered = Enumerable.Range(0, count)
        .Select(slot => (first + slot) % LoadSample == 0 ? new Dictionary<string, List<(long, long)>>(StringComparer.Ordinal) : null).ToArray();
    long details, messages, changesMissed, centerBytes;
    // One screen on the whole center reads its messages as documents too: how many bytes such a screen is sent.
    int measured = -1;

    /// <summary>Connects screen <paramref name="slot"/>: by the lean client (<see cref="ScreenSocket"/>) or by the official one.</summary>
    public async Task<IAsyncDisposable> ConnectAsync(int slot, Uri service, string key, CancellationToken ct)
    {
        if (lean && messagePack && !join) return await ConnectLeanAsync(slot, service, key, ct);
        var i = first + slot;
        var connection = LiveHubConnection.Build(service, key, messagePack ? ScreenMessagePack.Options : null);
        // As the pages do: one message a round with what changed among what the screen watches. Read into the few
        // fields measured, not a document: the screens share this machine's cores with the service they measure.
        if (join)
        {
            // As clients of the joining methods: a message per queue per push.
            connection.On<ScreenSnapshot>("QueueUpdated", s => Seen(slot, s.Queue, s.Seq, s.CallsWaiting, s.AsOf, s.Windows?.Today?.Answered));
        }
        else if (mix.KindOf(i) == ScreenKind.Center && Interlocked.CompareExchange(ref measured, slot, -1) == -1)
        {
            connection.On<JsonElement>("Updated", u => CenterUpdated(slot, u));
        }
        else
        {
            // In MessagePack, by the screens' own reader (ScreenMessagePack).
            connection.On<ScreenChanges>("Updated", u => Updated(slot, u));
        }
        // What a screen receives besides, read as a page would, and counted.
        connection.On<JsonElement>("AlertChanged", _ => { });
        connection.On<JsonElement>("DetailUpdated", _ => Interlocked.Increment(ref details));
        await connection.StartAsync(ct);
        if (join && mix.KindOf(i) == ScreenKind.Wallboard) await connection.InvokeAsync<JsonElement>("JoinQueues", Shown(i), ct);
        else if (join) await connection.InvokeAsync<JsonElement>("JoinCenter", ct);
        else await WatchAsync(slot, queues => connection.InvokeAsync<JsonElement>("Watch", queues, ct), mix.KindOf(i) == ScreenKind.Wallboard ? Shown(i) : null);
        if (mix.KindOf(i) == ScreenKind.Console) await connection.InvokeAsync<JsonElement>("JoinDetail", SteadyLoad.QueueName(i % queues), ct);
        return connection;
    }

    // As a page watches (live.ts Watching): what comes while the watch is answered applies to the answer.
    async Task WatchAsync(int slot, Func<string[]?, Task<JsonElement>> watch, string[]? queues)
    {
        lock (held[slot]) answering[slot] = [];
        var watched = (await watch(queues)).Deserialize<ScreenWatched>(JsonSerializerOptions.Web)!;
        List<ScreenChanges> waiting;
        lock (held[slot])
        {
            foreach (var q in watched.Queues)
            {
                held[slot][q.Queue] = q.Seq;
                Answered(slot, q.Queue, q.Windows?.Today?.Answered, Stopwatch.GetTimestamp());
            }
            waiting = answering[slot]!;
            answering[slot] = null;
        }
        foreach (var update in waiting) Apply(slot, update);
    }

    // The screen measured on the whole center: its update read as a document, its bytes counted.
    void CenterUpdated(int slot, JsonElement update)
    {
        Interlocked.Add(ref centerBytes, System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(update).Length);
        Updated(slot, update.Deserialize<ScreenChanges>(JsonSerializerOptions.Web)!);
    }

    void Updated(int slot, ScreenChanges update)
    {
        Interlocked.Increment(ref messages);
        lock (held[slot])
        {
            if (answering[slot] is { } waiting)
            {
                waiting.Add(update);
                return;
            }
        }
        Apply(slot, update);
    }

    void Apply(int slot, ScreenChanges update)
    {
        foreach (var change in update.Queues)
        {
            // As a page applies a change: to the snapshot it holds, which must be the one the change is against.
            lock (held[slot])
            {
                var had = held[slot].GetValueOrDefault(change.Queue);
                if (change.Seq <= had) continue;
                if (change.Base != 0 && change.Base != had)
                {
                    changesMissed++;
                    continue;
                }
                held[slot][change.Queue] = change.Seq;
            }
            Seen(slot, change.Queue, change.Seq, change.Set.CallsWaiting, change.Set.AsOf, change.Set.Windows?.Today?.Answered);
        }
    }

    // A queue's snapshot numbered seq seen; the waiting count, instant and today's answered count when they changed.
    void Seen(int slot, string queue, long seq, long? waiting, DateTimeOffset? asOf, long? answeredToday)
    {
        var now = Stopwatch.GetTimestamp();
        lock (seqs[slot])
        {
            seqs[slot][queue] = seqs[slot].TryGetValue(queue, out var s) ? (s.First, seq, s.Count + 1) : (seq, seq, 1);
        }
        Answered(slot, queue, answeredToday, now);
        if (queue != SteadyLoad.ProbeQueue || waiting is not { } probe) return;
        // The probe queue's waiting count is the number of the newest probe included.
        if (asOf is { } read) probeRead.TryAdd((int)probe, read);
        var seen = probeSeen[slot];
        for (var p = Math.Min((int)probe, seen.Length - 1); p > 0 && seen[p] == 0; p--) seen[p] = now;
    }

    // A sampled screen showing a load queue's answered count: when it first showed each higher one.
    void Answered(int slot, string queue, long? count, long now)
    {
        if (count is not { } n || answered[slot] is not { } shown || queue == SteadyLoad.ProbeQueue) return;
        lock (shown)
        {
            if (!shown.TryGetValue(queue, out var list)) shown[queue] = list = [];
            if (list.Count == 0 || list[^1].Answered < n) list.Add((n, now));
        }
    }

    // A wallboard's queues: the probe queue and three of the load's; every other screen shows them all.
    string[] Shown(int i) => mix.KindOf(i) == ScreenKind.Wallboard
        ? [SteadyLoad.ProbeQueue, .. Enumerable.Range(0, ScreenMix.BoardQueues - 1).Select(k => SteadyLoad.QueueName((i * 3 + k) % queues))]
        : [SteadyLoad.ProbeQueue, .. Enumerable.Range(0, queues).Select(SteadyLoad.QueueName)];

    public void Reset()
    {
        foreach (var s in seqs) lock (s) s.Clear();
        foreach (var shown in answered.OfType<Dictionary<string, List<(long, long)>>>()) lock (shown) shown.Clear();
        Interlocked.Exchange(ref details, 0);
        Interlocked.Exchange(ref messages, 0);
        Interlocked.Exchange(ref changesMissed, 0);
        Interlocked.Exchange(ref centerBytes, 0);
    }

    /// <summary>
    /// What these screens saw of the probes posted at <paramref name="probes"/> (<see cref="Stopwatch"/> timestamps:
    /// the system's monotonic clock, the same in every process of this machine).
    /// </summary>
    public ScreensSeen Seen(IReadOnlyDictionary<int, long> probes, IReadOnlyDictionary<string, long> published,
        IReadOnlyDictionary<string, List<long[]>> marks)
    {
        var latencies = new List<double>();
        var slowest = new Dictionary<int, double>();
        var firstSeen = new Dictionary<int, double>();
        long missing = 0;
        foreach (var (probe, sent) in probes)
        {
            foreach (var seen in probeSeen)
            {
                if (probe < seen.Length && seen[probe] > sent)
                {
                    var ms = Stopwatch.GetElapsedTime(sent, seen[probe]).TotalMilliseconds;
                    latencies.Add(ms);
                    slowest[probe] = Math.Max(ms, slowest.GetValueOrDefault(probe));
                    firstSeen[probe] = Math.Min(ms, firstSeen.GetValueOrDefault(probe, double.MaxValue));
                }
                else missing++;
            }
        }
        // A screen may skip snapshots a round made stale (ADR 0009); what it must not do is stay behind: at the end,
        // every queue it shows is at the number the service last published.
        long behind = 0, pushes = 0;
        for (var slot = 0; slot < count; slot++)
        {
            lock (seqs[slot])
            {
                foreach (var (_, (_, _, n)) in seqs[slot]) pushes += n;
                foreach (var queue in Shown(first + slot).Where(published.ContainsKey))
                {
                    if (!seqs[slot].TryGetValue(queue, out var s) || s.Last < published[queue]) behind++;
                }
            }
        }
        var (load, loadMissed) = LoadSeen(marks);
        return new ScreensSeen(latencies, missing, behind, pushes, Interlocked.Read(ref details), Interlocked.Read(ref messages), new Dictionary<int, DateTimeOffset>(probeRead), 0,
            Interlocked.Read(ref changesMissed), measured >= 0 ? Interlocked.Read(ref centerBytes) : null, load, loadMissed, slowest, firstSeen);
    }

    /// <summary>
    /// The load's own events on the busy queues, as the sampled screens saw them: a batch posted at t that brought a
    /// queue's answered count to n is seen when the screen first shows n or more. (A later batch committed before it
    /// can show n first; such a batch is not counted.) Not seen by the end: missed.
    /// </summary>
    (List<double> Latencies, long Missed) LoadSeen(IReadOnlyDictionary<string, List<long[]>> marks)
    {
        var latencies = new List<double>();
        long missed = 0;
        for (var slot = 0; slot < count; slot++)
        {
            if (answered[slot] is not { } shown) continue;
            lock (shown)
            {
                foreach (var queue in Shown(first + slot).Where(marks.ContainsKey))
                {
                    var seen = shown.GetValueOrDefault(queue) ?? [];
                    var j = 0;
                    foreach (var mark in marks[queue])
                    {
                        while (j < seen.Count && seen[j].Answered < mark[0]) j++;
                        if (j == seen.Count) missed++;
                        else if (seen[j].At > mark[1]) latencies.Add(Stopwatch.GetElapsedTime(mark[1], seen[j].At).TotalMilliseconds);
                    }
                }
            }
        }
        return (latencies, missed);
    }
}

/// <summary>The fields of a pushed snapshot the screens measure by.</summary>
internal sealed record ScreenSnapshot(string Queue, long Seq, long CallsWaiting, DateTimeOffset AsOf, ScreenWindows? Windows = null);

/// <summary>The fields of a pushed change the screens measure by: the waiting count and instant, when they changed.</summary>
internal sealed record ScreenChange(string Queue, long Seq, long Base, ScreenSet Set);

internal sealed record ScreenSet(long? CallsWaiting, DateTimeOffset? AsOf, ScreenWindows? Windows = null);

/// <summary>Of a snapshot's windows, today's answered count: it grows with every answered call of the queue.</summary>
internal sealed record ScreenWindows(ScreenWindow? Today);

internal sealed record ScreenWindow(long? Answered);

internal sealed record ScreenChanges(IReadOnlyList<ScreenChange> Queues);

/// <summary>A watch's answer: the snapshots the screen holds at first.</summary>
internal sealed record ScreenWatched(IReadOnlyList<ScreenSnapshot> Queues);

/// <summary>
/// What one process of screens saw, merged by the bench: raw latencies, so that percentiles are of them all; how many
/// (screen, queue) pairs ended behind the number last published; how many changes came against another snapshot than
/// the one held (each would make a page watch again); the JSON bytes one screen on the whole center was sent (null: none here);
/// the load's own events as the sampled screens saw them (<see cref="Screens.LoadSample"/>), and how many of those they never saw;
/// each probe's latest and earliest sighting, in ms from its post (the spread between them is a round's fan-out).
/// </summary>
internal sealed record ScreensSeen(
    List<double> LatenciesMs, long ProbesMissed, long LeftBehind, long QueuePushes, long DetailPushes, long Messages,
    Dictionary<int, DateTimeOffset> ProbeRead, double CpuSeconds, long ChangesMissed = 0, long? CenterScreenBytes = null,
    List<double>? LoadLatenciesMs = null, long LoadMissed = 0, Dictionary<int, double>? ProbeSlowestMs = null, Dictionary<int, double>? ProbeFirstMs = null);
