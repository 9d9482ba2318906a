using Queue.Metrics;

namespace Queue.Staffing;

/// <summary>One queue's staffing: Erlang C at the given agents, Erlang A too when callers' patience is known, and the fewest agents meeting the targets.</summary>
public sealed record StaffingFigures(ErlangCFigures ErlangC, ErlangAFigures? ErlangA, int? AgentsNeeded);

/// <summary>Pure: the figures a what-if answer and a live snapshot show, from the same functions.</summary>
public static class Staffing
{
    public static StaffingFigures Evaluate(Traffic traffic, int agents, TimeSpan serviceLevelTime, TimeSpan? patience, StaffingTargets targets) =>
        new(ErlangC.Evaluate(traffic, agents, serviceLevelTime),
            patience is { } p ? ErlangA.Evaluate(traffic, agents, p) : null,
            ErlangC.FewestAgents(traffic, targets));

    /// <summary>
    /// The staffing targets a queue's configured targets imply: its ASA target (<c>wait</c>). The targets hold the
    /// service-level time T but no share to reach within it, so none is asked for.
    /// </summary>
    public static StaffingTargets TargetsOf(TargetOptions targets) => new(targets.Wait, null, targets.ServiceLevelThreshold);
}
