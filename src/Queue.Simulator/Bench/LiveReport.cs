using System.Globalization;
using System.Text;

namespace Queue.Simulator.Bench;

/// <summary>(a): how fresh the wallboards were while events flowed, and what the service used meanwhile.</summary>
internal sealed record FreshnessResult(
    int Clients, long EventsPosted, double Seconds, double EventsPerSecond, int Probes, long Observations,
    double P50Ms, double P99Ms, double MaxMs, double ToSnapshotP50Ms, double ToSnapshotP99Ms, long ProbesMissed, long PushesLost, long PushesReceived, double ServiceCpuCores, double ServicePeakMiB)
{
    public override string ToString() =>
        $"{EventsPosted:N0} events in {Seconds:F1} s ({EventsPerSecond:N0}/s); {Probes} probes × {Clients} wallboards: " +
        $"p50 {P50Ms:F0} ms, p99 {P99Ms:F0} ms, max {MaxMs:F0} ms (post → snapshot read p50 {ToSnapshotP50Ms:F0}, p99 {ToSnapshotP99Ms:F0} ms); {ProbesMissed} probe sightings missed, {PushesLost} pushes lost of {PushesReceived:N0}; " +
        $"service {ServiceCpuCores:F2} cores, peak {ServicePeakMiB:F0} MiB";
}

/// <summary>(b): live state rebuilt from a generated week.</summary>
internal sealed record RebuildResult(int Operators, long CallsInWeek, long Entities, double RebuildSeconds, double StartToLiveSeconds, double RedisMiB, double ServicePeakMiB)
{
    public override string ToString() =>
        $"{CallsInWeek:N0} calls in the week; {Entities:N0} live entities rebuilt in {RebuildSeconds:F1} s ({StartToLiveSeconds:F1} s from process start); " +
        $"Redis +{RedisMiB:F0} MiB; service peak {ServicePeakMiB:F0} MiB";
}

/// <summary>What <c>ops/bench live</c> measured, and its table against SPEC §7.</summary>
internal sealed record LiveReport(LiveBench.Options Options, FreshnessResult? Freshness, RebuildResult? Rebuild)
{
    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | measured | SPEC §7 |");
        text.AppendLine("|---|---|---|");
        if (Freshness is { } f) Rows(text, f, Options.Protocol);
        if (Rebuild is { } r)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| live state rebuilt, week of {r.Operators:N0} operators ({r.CallsInWeek:N0} calls) | {r.RebuildSeconds:F1} s ({r.Entities:N0} entities; {r.StartToLiveSeconds:F1} s from start) | ≤ 60 s |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Redis memory for that live state | {r.RedisMiB:F0} MiB | |");
        }
        return text.ToString();
    }

    static void Rows(StringBuilder text, FreshnessResult f, string protocol)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"| event → wallboard, p50 / p99 / max ({f.Clients} wallboards in {protocol}, {f.EventsPerSecond:N0} events/s, {f.Seconds:F0} s) | {f.P50Ms:F0} / {f.P99Ms:F0} / {f.MaxMs:F0} ms | p99 ≤ 250 ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| pushes lost | {f.PushesLost} of {f.PushesReceived:N0} (probe sightings missed: {f.ProbesMissed}) | 0 |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| service CPU, peak memory | {f.ServiceCpuCores:F2} cores, {f.ServicePeakMiB:F0} MiB | |");
    }
}
