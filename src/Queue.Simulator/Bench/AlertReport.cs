using System.Globalization;
using System.Text;

namespace Queue.Simulator.Bench;

/// <summary>Latencies in milliseconds: how many, and the nearest-rank percentiles.</summary>
internal sealed record LatencyFigures(int Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static LatencyFigures Of(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToList();
        return new(sorted.Count, Percentile(sorted, 0.50), Percentile(sorted, 0.95), Percentile(sorted, 0.99), sorted.Count == 0 ? 0 : sorted[^1]);
    }

    /// <summary>Nearest rank: the smallest value with at least a share <paramref name="p"/> of the values at or below it.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public override string ToString() =>
        Count == 0 ? "none" : $"p50 {P50Ms:F0} / p95 {P95Ms:F0} / p99 {P99Ms:F0} / max {MaxMs:F0} ms";
}

/// <summary>
/// One episode of a breach in a queue as the clients saw it: the instant its threshold was crossed (<see cref="Trigger"/>),
/// when the service says it raised the alert, when each client got the raise and how many raises it got; then the
/// instant the condition ended (the answering post's 2xx) and when each client got the clear.
/// </summary>
internal sealed record EpisodeOutcome(
    string Queue, DateTimeOffset Trigger, DateTimeOffset? ServiceRaisedAt, DateTimeOffset?[] RaiseSeen, int[] Raises,
    DateTimeOffset? ClearTrigger, DateTimeOffset?[] ClearSeen, int[] Clears);

/// <summary>The figures of one kind of episode, over every client's sightings.</summary>
internal sealed record EpisodeFigures(
    string Kind, string Trigger, double TargetSeconds, int Queues, int Clients,
    int Episodes, int Raised, long Missed, long Duplicates, long Early,
    int Cleared, long ClearMissed, long ClearDuplicates,
    LatencyFigures Raise, LatencyFigures ServiceDecided, LatencyFigures Clear, IReadOnlyList<SlowEpisode> Slowest)
{
    /// <summary>
    /// An episode is raised when every client got its raise within <paramref name="timeout"/> of the crossing; a
    /// sighting later than that, or none, is missed; a raise before the crossing is early (a breach is strictly past
    /// its target); more than one raise (or clear) in one episode is a duplicate. Latencies are every client's.
    /// </summary>
    public static EpisodeFigures Of(string kind, string trigger, double targetSeconds, int queues, int clients,
        IReadOnlyList<EpisodeOutcome> episodes, TimeSpan timeout)
    {
        var raise = new List<double>();
        var decided = new List<double>();
        var clear = new List<double>();
        int raised = 0, cleared = 0;
        long missed = 0, duplicates = 0, early = 0, clearMissed = 0, clearDuplicates = 0;
        foreach (var e in episodes)
        {
            var all = true;
            for (var c = 0; c < clients; c++)
            {
                duplicates += Math.Max(0, e.Raises[c] - 1);
                if (e.RaiseSeen[c] is not { } seen || seen - e.Trigger > timeout)
                {
                    missed++;
                    all = false;
                    continue;
                }
                if (seen < e.Trigger) early++;
                raise.Add((seen - e.Trigger).TotalMilliseconds);
            }
            if (all) raised++;
            if (e.ServiceRaisedAt is { } at) decided.Add((at - e.Trigger).TotalMilliseconds);
            if (e.ClearTrigger is not { } clearTrigger || e.Raises.All(n => n == 0)) continue;
            var allCleared = true;
            for (var c = 0; c < clients; c++)
            {
                clearDuplicates += Math.Max(0, e.Clears[c] - 1);
                if (e.ClearSeen[c] is { } seen && seen - clearTrigger <= timeout) clear.Add((seen - clearTrigger).TotalMilliseconds);
                else
                {
                    clearMissed++;
                    allCleared = false;
                }
            }
            if (allCleared) cleared++;
        }
        return new(kind, trigger, targetSeconds, queues, clients, episodes.Count, raised, missed, duplicates, early,
            cleared, clearMissed, clearDuplicates, LatencyFigures.Of(raise), LatencyFigures.Of(decided), LatencyFigures.Of(clear),
            [.. episodes.Select(SlowEpisode.Of).OrderByDescending(e => e.LastSeenMs ?? double.MaxValue).Take(10)]);
    }

    public override string ToString() =>
        $"{Episodes} episodes ({Queues} queues, target {TargetSeconds:0.#} s, {Clients} clients): raised {Raised}, missed {Missed}, duplicates {Duplicates}, early {Early}; " +
        $"crossing → client {Raise}; crossing → the service deciding {ServiceDecided}; cleared {Cleared} (missed {ClearMissed}), answer → client {Clear}";
}

/// <summary>
/// An episode among the slowest, to look up in the service's log: when the threshold was crossed, how long until
/// the service decided (its <c>raisedAt</c>) and until the last client saw the raise (null: a client never did).
/// </summary>
internal sealed record SlowEpisode(string Queue, DateTimeOffset Trigger, double? DecidedMs, double? LastSeenMs)
{
    public static SlowEpisode Of(EpisodeOutcome e) => new(e.Queue, e.Trigger, (e.ServiceRaisedAt - e.Trigger)?.TotalMilliseconds,
        e.RaiseSeen.Any(s => s is null) ? null : e.RaiseSeen.Max(s => s!.Value - e.Trigger).TotalMilliseconds);
}

/// <summary>The figures of one <c>ops/bench alerts</c> run, as printed and as written to JSON.</summary>
internal sealed record AlertReport(
    DateTimeOffset StartedAt, AlertBench.Options Options, bool PerQueueTargets, int Cores,
    long EventsPosted, double Seconds, double EventsPerSecond,
    EpisodeFigures Wait, EpisodeFigures? Asa,
    IReadOnlyDictionary<string, int> OtherAlerts, long Stray, double ServiceCpuCores, double ServicePeakMiB)
{
    public string Table()
    {
        var text = new StringBuilder();
        var w = Wait;
        text.AppendLine("| figure | measured | SPEC |");
        text.AppendLine("|---|---|---|");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| `queue.wait` (time-driven): crossing → client, p50 / p95 / p99 / max ({w.Episodes:N0} episodes over {w.Queues} queues, target {w.TargetSeconds:0.#} s, {EventsPerSecond:N0} events/s) | {Ms(w.Raise)} | p99 ≤ 1 s (§4, §7) |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| of which crossing → the service deciding to raise (its `raisedAt`), p50 / p99 | {w.ServiceDecided.P50Ms:F0} / {w.ServiceDecided.P99Ms:F0} ms | |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| raised / missed (none within {Options.TimeoutSeconds} s) / duplicates / early | {w.Raised:N0} of {w.Episodes:N0} / {w.Missed} / {w.Duplicates} / {w.Early} | all / 0 / 0 / 0 |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| `queue.wait` cleared: answer's 2xx → client | {Ms(w.Clear)} ({w.Cleared:N0} cleared, {w.ClearMissed} missed) | |");
        if (Asa is { } a)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| `queue.asa` (event-driven): crossing answer's 2xx → client ({a.Episodes:N0} episodes over {a.Queues} queues, target {a.TargetSeconds:0.#} s) | {Ms(a.Raise)} | |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| raised / missed / duplicates | {a.Raised:N0} of {a.Episodes:N0} / {a.Missed} / {a.Duplicates} | all / 0 / 0 |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| `queue.asa` cleared: answers' 2xx → client | {Ms(a.Clear)} ({a.Cleared:N0} cleared, {a.ClearMissed} missed) | |");
        }
        var others = OtherAlerts.Count == 0 ? "none" : string.Join(", ", OtherAlerts.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));
        text.AppendLine(CultureInfo.InvariantCulture, $"| other alert changes seen (not episodes) / strays | {others} / {Stray} | |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| service CPU, peak memory | {ServiceCpuCores:F2} cores of {Cores}, {ServicePeakMiB:F0} MiB | |");
        return text.ToString();
    }

    static string Ms(LatencyFigures f) => f.Count == 0 ? "none" : $"{f.P50Ms:F0} / {f.P95Ms:F0} / {f.P99Ms:F0} / {f.MaxMs:F0} ms";
}
