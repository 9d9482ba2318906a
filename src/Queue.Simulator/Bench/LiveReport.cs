using System.Globalization;
using System.Text;

namespace Queue.Simulator.Bench;

/// <summary>What (a) cost while the load ran: cores of the service, of the screens' processes and of the load generator; the service's memory.</summary>
internal sealed record FreshnessCost(double ServiceCores, double ServicePeakMiB, double ServiceKiBPerScreen, double ScreensCores, double LoadCores);

/// <summary>
/// (a): how fresh a floor of screens was while events flowed, and what it cost. The probes (P50Ms…) are calls in a
/// quiet queue of their own, whose change goes out at once; the load's own events (Load…) are on the busy queues, whose
/// changes go out at most once per push interval, as the sampled screens saw them. Of each probe, its first screen and its
/// last (of those that saw it: a probe missed is counted in ProbesMissed): from post to the first is the service's part
/// (the follower, the snapshot's read, the round's hold), from the first to the last is the round's fan-out to every
/// screen (FirstScreenP50Ms, LastScreenP50Ms: medians over the probes).
/// </summary>
internal sealed record FreshnessResult(
    string Mix, int Screens, long EventsPosted, double Seconds, double EventsPerSecond, int Probes, long Observations,
    double P50Ms, double P99Ms, double MaxMs, double ToSnapshotP50Ms, double ToSnapshotP99Ms, long ProbesMissed, long LeftBehind,
    long QueuePushes, long DetailPushes, long Messages, FreshnessCost Cost, long ChangesMissed, double? CenterScreenKiBPerSecond,
    long LoadObservations, double LoadP50Ms, double LoadP99Ms, double LoadMaxMs, long LoadMissed, IReadOnlyList<SlowProbe> SlowestProbes,
    double FirstScreenP50Ms = 0, double LastScreenP50Ms = 0)
{
    /// <summary>SPEC §7: an accepted event reaches a connected screen in p99 ≤ 250 ms.</summary>
    public const double TargetP99Ms = 250;

    public bool Holds => P99Ms <= TargetP99Ms && LoadP99Ms <= TargetP99Ms && LeftBehind == 0 && ProbesMissed == 0 && LoadMissed == 0 && ChangesMissed == 0;

    public static FreshnessResult Of(ScreenMix mix, ScreensSeen seen, int probes, IReadOnlyDictionary<int, DateTimeOffset> probeSent, long posted,
        TimeSpan elapsed, FreshnessCost cost)
    {
        var latencies = seen.LatenciesMs.Order().ToList();
        var load = (seen.LoadLatenciesMs ?? []).Order().ToList();
        var toSnapshot = probeSent.Where(p => seen.ProbeRead.ContainsKey(p.Key)).Select(p => (seen.ProbeRead[p.Key] - p.Value).TotalMilliseconds).Order().ToList();
        var firstScreen = (seen.ProbeFirstMs ?? []).Where(p => probeSent.ContainsKey(p.Key)).Select(p => p.Value).Order().ToList();
        var lastScreen = (seen.ProbeSlowestMs ?? []).Where(p => probeSent.ContainsKey(p.Key)).Select(p => p.Value).Order().ToList();
        return new FreshnessResult(mix.ToString(), mix.Count, posted, elapsed.TotalSeconds, posted / elapsed.TotalSeconds, probes, latencies.Count,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Count == 0 ? 0 : latencies[^1],
            Percentile(toSnapshot, 0.50), Percentile(toSnapshot, 0.99), seen.ProbesMissed, seen.LeftBehind, seen.QueuePushes, seen.DetailPushes, seen.Messages, cost, seen.ChangesMissed,
            seen.CenterScreenBytes / 1024.0 / elapsed.TotalSeconds,
            load.Count, Percentile(load, 0.50), Percentile(load, 0.99), load.Count == 0 ? 0 : load[^1], seen.LoadMissed, Slowest(seen, probeSent),
            Percentile(firstScreen, 0.50), Percentile(lastScreen, 0.50));
    }

    // The probes whose slowest screen saw them latest, with when in the run they were posted: a few at the start are the
    // service still settling, a few spread over the run are stalls, many alike are a floor beyond what the node keeps up with.
    static List<SlowProbe> Slowest(ScreensSeen seen, IReadOnlyDictionary<int, DateTimeOffset> probeSent)
    {
        if (probeSent.Count == 0) return [];
        var start = probeSent.Values.Min();
        return [.. (seen.ProbeSlowestMs ?? []).Where(p => probeSent.ContainsKey(p.Key))
            .OrderByDescending(p => p.Value).Take(3)
            .Select(p => new SlowProbe(Math.Round((probeSent[p.Key] - start).TotalSeconds, 1), Math.Round(p.Value)))];
    }

    static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    public override string ToString() =>
        $"{EventsPosted:N0} events in {Seconds:F1} s ({EventsPerSecond:N0}/s); {Probes} probes × {Screens:N0} screens: " +
        $"p50 {P50Ms:F0} ms, p99 {P99Ms:F0} ms, max {MaxMs:F0} ms (post → snapshot read p50 {ToSnapshotP50Ms:F0}, p99 {ToSnapshotP99Ms:F0} ms; a probe's first screen p50 {FirstScreenP50Ms:F0} ms, its last {LastScreenP50Ms:F0} ms); " +
        $"slowest probes (second of the run: slowest screen) {string.Join(", ", SlowestProbes.Select(p => $"{p.AtSeconds:F1} s: {p.SlowestMs:F0} ms"))}; " +
        $"the load's events on the busy queues ({LoadObservations:N0} sightings): p50 {LoadP50Ms:F0} ms, p99 {LoadP99Ms:F0} ms, max {LoadMaxMs:F0} ms, {LoadMissed} missed; " +
        $"{ProbesMissed} probe sightings missed, {LeftBehind} (screen, queue) left behind, {ChangesMissed} changes against a snapshot not held; {QueuePushes:N0} snapshots in {Messages:N0} messages (and {DetailPushes:N0} details), a screen on the center sent {CenterScreenKiBPerSecond:F0} KiB/s; " +
        $"cores: service {Cost.ServiceCores:F2}, screens {Cost.ScreensCores:F2}, load {Cost.LoadCores:F2}; service peak {Cost.ServicePeakMiB:F0} MiB, {Cost.ServiceKiBPerScreen:F0} KiB per screen";
}

/// <summary>A probe, by when it was posted (seconds into the measured run), and how long its slowest screen took to see it.</summary>
internal sealed record SlowProbe(double AtSeconds, double SlowestMs);

/// <summary>(b): live state rebuilt from a generated week.</summary>
internal sealed record RebuildResult(int Operators, long CallsInWeek, long Entities, double RebuildSeconds, double StartToLiveSeconds, double RedisMiB, double ServicePeakMiB)
{
    public override string ToString() =>
        $"{CallsInWeek:N0} calls in the week; {Entities:N0} live entities rebuilt in {RebuildSeconds:F1} s ({StartToLiveSeconds:F1} s from process start); " +
        $"Redis +{RedisMiB:F0} MiB; service peak {ServicePeakMiB:F0} MiB";
}

/// <summary>What <c>ops/bench live</c> measured, and its table against SPEC §7.</summary>
internal sealed record LiveReport(LiveBench.Options Options, IReadOnlyList<FreshnessResult> Freshness, RebuildResult? Rebuild)
{
    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | measured | SPEC §7 |");
        text.AppendLine("|---|---|---|");
        foreach (var f in Freshness) Rows(text, f, $"{Options.Protocol}, {Options.Via}, {Options.ScreenClient}");
        if (Freshness.Count > 1)
        {
            var knee = Freshness.Where(f => f.Holds).Select(f => f.Screens).DefaultIfEmpty(0).Max();
            text.AppendLine(CultureInfo.InvariantCulture, $"| the knee: most screens holding p99 ≤ {FreshnessResult.TargetP99Ms:F0} ms, nothing lost | {(knee == 0 ? "none of those run" : knee.ToString("N0", CultureInfo.InvariantCulture))} | ≥ 2,000 |");
        }
        if (Rebuild is { } r)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| live state rebuilt, week of {r.Operators:N0} operators ({r.CallsInWeek:N0} calls) | {r.RebuildSeconds:F1} s ({r.Entities:N0} entities; {r.StartToLiveSeconds:F1} s from start) | ≤ 60 s |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Redis memory for that live state | {r.RedisMiB:F0} MiB | |");
        }
        return text.ToString();
    }

    static void Rows(StringBuilder text, FreshnessResult f, string protocol)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"| event → screen, p50 / p99 / max ({f.Mix}; {protocol}; {f.EventsPerSecond:N0} events/s, {f.Seconds:F0} s): probes, in a quiet queue | {f.P50Ms:F0} / {f.P99Ms:F0} / {f.MaxMs:F0} ms (post → snapshot read p99 {f.ToSnapshotP99Ms:F0} ms; a probe's first screen p50 {f.FirstScreenP50Ms:F0} ms, its last {f.LastScreenP50Ms:F0}) | p99 ≤ 250 ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| event → screen, p50 / p99 / max: the load's own events, on the busy queues (every {Screens.LoadSample}th screen) | {f.LoadP50Ms:F0} / {f.LoadP99Ms:F0} / {f.LoadMaxMs:F0} ms ({f.LoadObservations:N0} sightings, {f.LoadMissed} missed) | p99 ≤ 250 ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| queues left behind the last published snapshot, {f.Screens:N0} screens | {f.LeftBehind} ({f.ChangesMissed} changes against a snapshot not held; {f.QueuePushes:N0} snapshots received in {f.Messages:N0} messages, {f.Messages / f.Seconds / f.Screens:F1} a second a screen{(f.CenterScreenKiBPerSecond is { } kib ? $", {kib:F0} KiB/s of JSON to a screen on the center" : "")}; probe sightings missed: {f.ProbesMissed}) | 0 |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| cores: service / screens / load; service memory, {f.Screens:N0} screens | {f.Cost.ServiceCores:F2} / {f.Cost.ScreensCores:F2} / {f.Cost.LoadCores:F2}; peak {f.Cost.ServicePeakMiB:F0} MiB, {f.Cost.ServiceKiBPerScreen:F0} KiB per screen | |");
    }
}
