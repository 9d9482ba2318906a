using System.Globalization;
using Queue.Figures;

namespace Queue.Reports;

/// <summary>The SPEC §3 figures of a week or a day, as /api/metrics gives them over the same window.</summary>
public sealed record ReportFigures(
    long Offered, long Answered, long Abandoned, long ShortAbandoned, double? AsaSeconds, double? ServiceLevel, double? AbandonmentRate,
    long Completed, long ResolvedRemotely, long ResolutionUnknown, double? RemoteResolution,
    long Due24, long ResolvedBy24, double? Visit24, long Due48, long Overdue48)
{
    public static ReportFigures Of(FigureCounts c) => new(c.Offered, c.Answered, c.Abandoned, c.ShortAbandoned,
        c.AsaSeconds, c.ServiceLevel, c.AbandonmentRate, c.Completed, c.Resolved, c.ResolutionUnknown, c.RemoteResolution,
        c.Due24, c.ResolvedBy24, c.Visit24, c.Due48, c.Overdue48);
}

/// <summary>Whether each target was met: true, false, or null when there was nothing to judge (a rate with no samples).</summary>
public sealed record TargetsMet(bool? Wait, bool? Remote, bool? Visit24, bool? Visit48);

/// <summary>The targets a section was judged by.</summary>
public sealed record ReportTargets(double WaitSeconds, double Remote, double Visit24, double Visit48, double ServiceLevelThresholdSeconds);

public sealed record ReportDay(DateOnly Day, ReportFigures Figures);

/// <summary>One queue's week (or the whole center's, with <see cref="Queue"/> null), the week before, and each day.</summary>
public sealed record ReportSection(string? Queue, ReportTargets Targets, ReportFigures Week, ReportFigures PreviousWeek, TargetsMet Met,
    TargetsMet PreviousMet, IReadOnlyList<ReportDay> Days);

/// <summary>A visit not resolved (nor cancelled) by its 48 h deadline, the deadline falling in the week.</summary>
public sealed record Breach48(string VisitId, string? Queue, string? Region, DateTimeOffset Created, DateTimeOffset Deadline, DateTimeOffset? ResolvedAt,
    DateTimeOffset? CancelledAt);

/// <summary>
/// One region's week, judged by the center's targets: its calls (legs and completions, by the region their
/// <c>call.queued</c> carried) and its visits (by their own region), over the same week in center time as every other
/// figure. <see cref="Region"/> null: calls and visits that carry none.
/// </summary>
public sealed record ReportRegion(string? Region, ReportFigures Week, TargetsMet Met);

/// <summary>
/// The weekly SLA report (SPEC §5): for an ISO week in center time, per queue, per region and for the whole center. A
/// week not over yet is <see cref="Partial"/>: its figures run to <see cref="MadeAt"/>. <see cref="Regions"/> is null
/// in a report kept from before regions were reported.
/// </summary>
public sealed record WeeklyReport(string Week, DateTimeOffset From, DateTimeOffset To, string TimeZone, bool Partial, DateTimeOffset MadeAt,
    ReportSection Center, IReadOnlyList<ReportSection> Queues, IReadOnlyList<Breach48> Breaches48, IReadOnlyList<ReportRegion>? Regions = null)
{
    /// <summary>Which version of the week's report this is: 1, then one more each time late events changed a figure.</summary>
    public int Version { get; init; } = 1;

    /// <summary>
    /// Events up to the lateness may still arrive for the week until <see cref="FinalFrom"/>: until then its figures may
    /// change (a new version would say what changed).
    /// </summary>
    public bool Provisional { get; init; }

    public DateTimeOffset? FinalFrom { get; init; }

    /// <summary>What this version changed against the one before; null for the first.</summary>
    public ReportRevision? Revision { get; init; }
}
