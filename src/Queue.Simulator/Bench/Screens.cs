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
internal sealed class Screens(ScreenMix mix, int first, int count, int queues, bool messagePack)
{
    const int MaxProbes = 4096;
    readonly long[][] probeSeen = Enumerable.Range(0, count).Select(_ => new long[MaxProbes]).ToArray();
    // When the service read each probe's snapshot (its clock is this machine's): splits a latency into the
    // service's part (post → snapshot) and delivery (snapshot → screen).
    readonly ConcurrentDictionary<int, DateTimeOffset> probeRead = new();
    readonly Dictionary<string, (long First, long Last, long Count)>[] seqs =
        Enumerable.Range(0, count).Select(_ => new Dictionary<string, (long, long, long)>(StringComparer.Ordinal)).ToArray();
    long details;

    public async Task<HubConnection> ConnectAsync(int slot, Uri service, string key, CancellationToken ct)
    {
        var i = first + slot;
        var connection = LiveHubConnection.Build(service, key, messagePack);
        connection.On<JsonElement>("QueueUpdated", s => Seen(slot, s));
        // What a screen receives besides, read as a page would, and counted.
        connection.On<JsonElement>("CenterUpdated", _ => { });
        connection.On<JsonElement>("AlertChanged", _ => { });
        connection.On<JsonElement>("DetailUpdated", _ => Interlocked.Increment(ref details));
        await connection.StartAsync(ct);
        switch (mix.KindOf(i))
        {
            case ScreenKind.Wallboard:
                string[] shown = [SteadyLoad.ProbeQueue, .. Enumerable.Range(0, ScreenMix.BoardQueues - 1).Select(k => SteadyLoad.QueueName((i * 3 + k) % queues))];
                await connection.InvokeAsync<JsonElement>("JoinQueues", shown, ct);
                break;
            case ScreenKind.Center:
                await connection.InvokeAsync<JsonElement>("JoinCenter", ct);
                break;
            case ScreenKind.Console:
                await connection.InvokeAsync<JsonElement>("JoinCenter", ct);
                await connection.InvokeAsync<JsonElement>("JoinDetail", SteadyLoad.QueueName(i % queues), ct);
                break;
        }
        return connection;
    }

    void Seen(int slot, JsonElement snapshot)
    {
        var now = Stopwatch.GetTimestamp();
        var queue = snapshot.GetProperty("queue").GetString()!;
        var seq = snapshot.GetProperty("seq").GetInt64();
        lock (seqs[slot])
        {
            seqs[slot][queue] = seqs[slot].TryGetValue(queue, out var s) ? (s.First, seq, s.Count + 1) : (seq, seq, 1);
        }
        if (queue != SteadyLoad.ProbeQueue) return;
        // The probe queue's waiting count is the number of the newest probe included.
        var probe = (int)snapshot.GetProperty("callsWaiting").GetInt64();
        probeRead.TryAdd(probe, snapshot.GetProperty("asOf").GetDateTimeOffset());
        var seen = probeSeen[slot];
        for (var p = Math.Min(probe, seen.Length - 1); p > 0 && seen[p] == 0; p--) seen[p] = now;
    }

    public void Reset()
    {
        foreach (var s in seqs) lock (s) s.Clear();
        Interlocked.Exchange(ref details, 0);
    }

    /// <summary>
    /// What these screens saw of the probes posted at <paramref name="probes"/> (<see cref="Stopwatch"/> timestamps:
    /// the system's monotonic clock, the same in every process of this machine).
    /// </summary>
    public ScreensSeen Seen(IReadOnlyDictionary<int, long> probes)
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
        long gaps = 0, pushes = 0;
        foreach (var screen in seqs)
        {
            lock (screen)
            {
                foreach (var (_, (firstSeq, last, n)) in screen)
                {
                    gaps += last - firstSeq + 1 - n;
                    pushes += n;
                }
            }
        }
        return new ScreensSeen(latencies, missing, gaps, pushes, Interlocked.Read(ref details), new Dictionary<int, DateTimeOffset>(probeRead), 0);
    }
}

/// <summary>What one process of screens saw, merged by the bench: raw latencies, so that percentiles are of them all.</summary>
internal sealed record ScreensSeen(
    List<double> LatenciesMs, long ProbesMissed, long PushesLost, long QueuePushes, long DetailPushes,
    Dictionary<int, DateTimeOffset> ProbeRead, double CpuSeconds);
