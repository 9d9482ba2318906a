using Queue.Targets;

namespace Queue.Figures;

/// <summary>
/// Each targeted figure judged against its target (<see cref="TargetStates"/>), on the samples it stands on: the same
/// for a live window, a breakdown's row and a snapshot's visits.
/// </summary>
public static class FigureStates
{
    public static string Asa(FigureCounts c, TargetOptions t) =>
        TargetStates.AtMost(c.AsaSeconds, t.Wait.TotalSeconds, c.Answered, t.MinimumSample);

    public static string RemoteResolution(FigureCounts c, TargetOptions t) =>
        TargetStates.AtLeast(c.RemoteResolution, t.Remote, c.ResolutionKnown, t.MinimumSample);

    /// <summary><c>none</c> unless the queue has a service-level target: shown, not judged.</summary>
    public static string ServiceLevel(FigureCounts c, TargetOptions t) => t.ServiceLevel is { } target
        ? TargetStates.AtLeast(c.ServiceLevel, target, c.AnsweredOrAbandoned, t.MinimumSample)
        : FigureState.None;

    /// <summary><c>none</c> unless the queue has an abandonment limit: shown, not judged.</summary>
    public static string Abandonment(FigureCounts c, TargetOptions t) => t.Abandonment is { } limit
        ? TargetStates.AtMost(c.AbandonmentRate, limit, c.AnsweredOrAbandoned, t.MinimumSample)
        : FigureState.None;

    public static string Visit24(FigureCounts c, TargetOptions t) =>
        TargetStates.AtLeast(c.Visit24, t.Visit24, c.Due24, t.MinimumSample);

    /// <summary>Every visit within 48 h: one past it is a breach, whatever the sample.</summary>
    public static string Visit48(FigureCounts c, TargetOptions t) =>
        t.Visit48Met(c.Due48, c.Overdue48) switch { null => FigureState.None, true => FigureState.Ok, false => FigureState.Breach };
}
