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
public sealed record BreakdownRow(string? Value, WindowFigures Figures, BreakdownStates States)
{
    /// <summary>As CSV, a row's figures are its own columns (its states, <c>states_asa</c>…).</summary>
    public const string Inline = "figures";
}

/// <summary>Each targeted figure against its target, as the live snapshots judge them (<see cref="FigureState"/>).</summary>
public sealed record BreakdownStates(string Asa, string RemoteResolution, string Visit24, string Visit48)
{
    public static BreakdownStates Of(FigureCounts c, TargetOptions t) => new(
        FigureStates.Asa(c, t), FigureStates.RemoteResolution(c, t), FigureStates.Visit24(c, t), FigureStates.Visit48(c, t));
}
