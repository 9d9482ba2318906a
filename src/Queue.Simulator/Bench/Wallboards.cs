using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Queue.Simulator.Bench;

/// <summary>What the wallboards saw: for each probe, when each saw it; for each queue, the pushes' numbers.</summary>
internal sealed class Wallboards(int clients, bool messagePack = false)
{
    readonly long[][] probeSeen = Enumerable.Range(0, clients).Select(_ => new long[4096]).ToArray();
    // When the service read each probe's snapshot (its clock is this machine's): splits a latency into the
    // service's part (post → snapshot) and delivery (snapshot → wallboard).
    readonly ConcurrentDictionary<int, DateTimeOffset> probeRead = new();
    readonly Dictionary<string, (long First, long Last, long Count)>[] seqs =
        Enumerable.Range(0, clients).Select(_ => new Dictionary<string, (long, long, long)>(StringComparer.Ordinal)).ToArray();

    public async Task<HubConnection> ConnectAsync(int i, Uri service, string key, CancellationToken ct)
    {
        var connection = LiveHubConnection.Build(service, key, messagePack);
        connection.On<JsonElement>("QueueUpdated", s => Seen(i, s));
        await connection.StartAsync(ct);
        await connection.InvokeAsync<JsonElement>("JoinCenter", ct);
        return connection;
    }

    void Seen(int client, JsonElement snapshot)
    {
        var now = Stopwatch.GetTimestamp();
        var queue = snapshot.GetProperty("queue").GetString()!;
        var seq = snapshot.GetProperty("seq").GetInt64();
        lock (seqs[client])
        {
            seqs[client][queue] = seqs[client].TryGetValue(queue, out var s) ? (s.First, seq, s.Count + 1) : (seq, seq, 1);
        }
        if (queue != SteadyLoad.ProbeQueue) return;
        // The probe queue's waiting count is the number of the newest probe included.
        var probe = (int)snapshot.GetProperty("callsWaiting").GetInt64();
        probeRead.TryAdd(probe, snapshot.GetProperty("asOf").GetDateTimeOffset());
        var seen = probeSeen[client];
        for (var p = Math.Min(probe, seen.Length - 1); p > 0 && seen[p] == 0; p--) seen[p] = now;
    }

    public void Reset()
    {
        foreach (var s in seqs) lock (s) s.Clear();
    }

    public FreshnessResult Result(ConcurrentDictionary<int, long> probes, ConcurrentDictionary<int, DateTimeOffset> probeSent,
        long posted, TimeSpan elapsed, double cpuCores, long peakMemory)
    {
        var toSnapshot = probeSent.Where(p => probeRead.ContainsKey(p.Key)).Select(p => (probeRead[p.Key] - p.Value).TotalMilliseconds).Order().ToList();
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
        latencies.Sort();
        long gaps = 0, pushes = 0;
        foreach (var client in seqs)
        {
            lock (client)
            {
                foreach (var (_, (first, last, count)) in client)
                {
                    gaps += last - first + 1 - count;
                    pushes += count;
                }
            }
        }
        return new FreshnessResult(clients, posted, elapsed.TotalSeconds, posted / elapsed.TotalSeconds, probes.Count, latencies.Count,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Count == 0 ? 0 : latencies[^1],
            Percentile(toSnapshot, 0.50), Percentile(toSnapshot, 0.99),
            missing, gaps, pushes, cpuCores, peakMemory / 1024.0 / 1024.0);
    }

    static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
