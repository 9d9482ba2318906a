using Queue.Live;
using Queue.Targets;

namespace Queue.Figures;

/// <summary>
/// The SPEC §3 figures of a window for each value of a call's region, language or segment (<see cref="By"/>), with
/// the targets they are judged by: the queue's, or the center's without one.
/// </summary>
public sealed record MetricsBreakdown(
    DateTimeOffset From,
    DateTimeOffset To,
    string? Queue,
    string? Region,
    string? Language,
    string? Segment,
    string By,
    LiveTargets Targets,
    IReadOnlyList<BreakdownRow> Rows);

/// <summary>
/// One value's figures, as <c>/api/metrics</c> gives them with that value as a filter. <see cref="Value"/> null: calls
/// (and visits) that carry none, shown as "unknown".
/// </summary>
public sealed record BreakdownRow(string? Value, WindowFigures Figures, BreakdownStates States);

/// <summary>Each targeted figure against its target, as the live snapshots judge them (<see cref="FigureState"/>).</summary>
public sealed record BreakdownStates(string Asa, string RemoteResolution, string Visit24, string Visit48)
{
    public static BreakdownStates Of(WindowFigures f, TargetOptions t) => new(
        TargetStates.AtMost(f.AsaSeconds, t.Wait.TotalSeconds, f.Answered, t.MinimumSample),
        TargetStates.AtLeast(f.RemoteResolution, t.Remote, f.Completed - f.ResolutionUnknown, t.MinimumSample),
        TargetStates.AtLeast(f.Visit24, t.Visit24, f.Due24, t.MinimumSample),
        // Every visit within 48 h: one past it is a breach, whatever the sample (as live state has it).
        t.Visit48Met(f.Due48, f.Overdue48) switch { null => FigureState.None, true => FigureState.Ok, false => FigureState.Breach });
}
