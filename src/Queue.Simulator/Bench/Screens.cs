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
internal sealed class Screens(ScreenMix mix, int first, int count, int queues, bool messagePack, bool join = false)
{
    const int MaxProbes = 4096;
    readonly long[][] probeSeen = Enumerable.Range(0, count).Select(_ => new long[MaxProbes]).ToArray();
    // When the service read each probe's snapshot (its clock is this machine's): splits a latency into the
    // service's part (post → snapshot) and delivery (snapshot → screen).
    readonly ConcurrentDictionary<int, DateTimeOffset> probeRead = new();
    readonly Dictionary<string, (long First, long Last, long Count)>[] seqs =
        Enumerable.Range(0, count).Select(_ => new Dictionary<string, (long, long, long)>(StringComparer.Ordinal)).ToArray();
    long details, messages;

    public async Task<HubConnection> ConnectAsync(int slot, Uri service, string key, CancellationToken ct)
    {
        var i = first + slot;
        var connection = LiveHubConnection.Build(service, key, messagePack);
        // As the pages do: one message a round with what changed among what the screen watches. Read into the few
        // fields measured, not a document: the screens share this machine's cores with the service they measure.
        if (join)
        {
            // As clients of the joining methods: a message per queue per push.
            connection.On<ScreenSnapshot>("QueueUpdated", s => Updated(slot, new ScreenUpdate([s])));
        }
        else if (messagePack)
        {
            connection.On<JsonElement>("Updated", u => Updated(slot, u.Deserialize<ScreenUpdate>(JsonSerializerOptions.Web)!));
        }
        else
        {
            connection.On<ScreenUpdate>("Updated", u => Updated(slot, u));
        }
        // What a screen receives besides, read as a page would, and counted.
        connection.On<JsonElement>("AlertChanged", _ => { });
        connection.On<JsonElement>("DetailUpdated", _ => Interlocked.Increment(ref details));
        await connection.StartAsync(ct);
        if (join && mix.KindOf(i) == ScreenKind.Wallboard) await connection.InvokeAsync<JsonElement>("JoinQueues", Shown(i), ct);
        else if (join) await connection.InvokeAsync<JsonElement>("JoinCenter", ct);
        else await connection.InvokeAsync<JsonElement>("Watch", mix.KindOf(i) == ScreenKind.Wallboard ? Shown(i) : null, ct);
        if (mix.KindOf(i) == ScreenKind.Console) await connection.InvokeAsync<JsonElement>("JoinDetail", SteadyLoad.QueueName(i % queues), ct);
        return connection;
    }

    void Updated(int slot, ScreenUpdate update)
    {
        Interlocked.Increment(ref messages);
        foreach (var snapshot in update.Queues) Seen(slot, snapshot);
    }

    void Seen(int slot, ScreenSnapshot snapshot)
    {
        var now = Stopwatch.GetTimestamp();
        var (queue, seq) = (snapshot.Queue, snapshot.Seq);
        lock (seqs[slot])
        {
            seqs[slot][queue] = seqs[slot].TryGetValue(queue, out var s) ? (s.First, seq, s.Count + 1) : (seq, seq, 1);
        }
        if (queue != SteadyLoad.ProbeQueue) return;
        // The probe queue's waiting count is the number of the newest probe included.
        var probe = (int)snapshot.CallsWaiting;
        probeRead.TryAdd(probe, snapshot.AsOf);
        var seen = probeSeen[slot];
        for (var p = Math.Min(probe, seen.Length - 1); p > 0 && seen[p] == 0; p--) seen[p] = now;
    }

    // A wallboard's queues: the probe queue and three of the load's; every other screen shows them all.
    string[] Shown(int i) => mix.KindOf(i) == ScreenKind.Wallboard
        ? [SteadyLoad.ProbeQueue, .. Enumerable.Range(0, ScreenMix.BoardQueues - 1).Select(k => SteadyLoad.QueueName((i * 3 + k) % queues))]
        : [SteadyLoad.ProbeQueue, .. Enumerable.Range(0, queues).Select(SteadyLoad.QueueName)];

    public void Reset()
    {
        foreach (var s in seqs) lock (s) s.Clear();
        Interlocked.Exchange(ref details, 0);
        Interlocked.Exchange(ref messages, 0);
    }

    /// <summary>
    /// What these screens saw of the probes posted at <paramref name="probes"/> (<see cref="Stopwatch"/> timestamps:
    /// the system's monotonic clock, the same in every process of this machine).
    /// </summary>
    public ScreensSeen Seen(IReadOnlyDictionary<int, long> probes, IReadOnlyDictionary<string, long> published)
    {
        var latencies = new List<double>();
        long missing = 0;
        foreach (var (probe, sent) in probes)
        {
            foreach (var seen in probeSeen)
            {
                if (probe < seen.Length && seen[probe] > sent) latencies.Add(Stopwatch.GetElapsedTime(sent, seen[probe]).TotalMilliseconds);
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
        return new ScreensSeen(latencies, missing, behind, pushes, Interlocked.Read(ref details), Interlocked.Read(ref messages), new Dictionary<int, DateTimeOffset>(probeRead), 0);
    }
}

/// <summary>The fields of a pushed snapshot the screens measure by.</summary>
internal sealed record ScreenSnapshot(string Queue, long Seq, long CallsWaiting, DateTimeOffset AsOf);

internal sealed record ScreenUpdate(IReadOnlyList<ScreenSnapshot> Queues);

/// <summary>
/// What one process of screens saw, merged by the bench: raw latencies, so that percentiles are of them all; how many
/// (screen, queue) pairs ended behind the number last published.
/// </summary>
internal sealed record ScreensSeen(
    List<double> LatenciesMs, long ProbesMissed, long LeftBehind, long QueuePushes, long DetailPushes, long Messages,
    Dictionary<int, DateTimeOffset> ProbeRead, double CpuSeconds);
