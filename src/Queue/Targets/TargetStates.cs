namespace Queue.Targets;

/// <summary>A figure against its target: <c>ok</c>, <c>warning</c> (close to the target, or past it on too few samples), <c>breach</c>, or <c>none</c> (no figure, or no target).</summary>
public static class FigureState
{
    public const string Ok = "ok";
    public const string Warning = "warning";
    public const string Breach = "breach";
    public const string None = "none";
}

/// <summary>
/// The targets a snapshot is judged by; <see cref="ServiceLevel"/> or <see cref="Abandonment"/> null: that figure is
/// shown, not a target.
/// </summary>
public sealed record LiveTargets(double WaitSeconds, double Remote, double Visit24, double Visit48, double ServiceLevelThresholdSeconds,
    double ShortAbandonSeconds, int MinimumSample, double? ServiceLevel, double? Abandonment);

/// <summary>Figures judged against their targets, the same way on every page and in every answer.</summary>
public static class TargetStates
{
    /// <summary>The targets as snapshots, breakdowns and the targets API show them.</summary>
    public static LiveTargets Of(TargetOptions t) => new(t.Wait.TotalSeconds, t.Remote, t.Visit24, t.Visit48,
        t.ServiceLevelThreshold.TotalSeconds, t.ShortAbandon.TotalSeconds, t.MinimumSample, t.ServiceLevel, t.Abandonment);

    /// <summary>A figure that must stay at or under its target: amber above 80 % of it, red strictly past it (on enough samples).</summary>
    public static string AtMost(double? value, double target, long samples, int minimum) => value switch
    {
        null => FigureState.None,
        var x when x > target => samples >= minimum ? FigureState.Breach : FigureState.Warning,
        var x when x > 0.8 * target => FigureState.Warning,
        _ => FigureState.Ok,
    };

    /// <summary>A share that must stay at or over its target: amber in the lower half of the room above it, red strictly under (on enough samples).</summary>
    public static string AtLeast(double? value, double target, long samples, int minimum) => value switch
    {
        null => FigureState.None,
        var x when x < target => samples >= minimum ? FigureState.Breach : FigureState.Warning,
        var x when x < target + (1 - target) / 2 && target < 1 => FigureState.Warning,
        _ => FigureState.Ok,
    };
}
