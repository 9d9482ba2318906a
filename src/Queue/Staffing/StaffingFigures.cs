namespace Queue.Staffing;

/// <summary>One queue's staffing: Erlang C at the given agents, Erlang A too when callers' patience is known, and the fewest agents meeting the targets.</summary>
public sealed record StaffingFigures(ErlangCFigures ErlangC, ErlangAFigures? ErlangA, int? AgentsNeeded)
{
    /// <summary>Pure: the figures a what-if answer and a live snapshot show, from the same functions.</summary>
    public static StaffingFigures Of(Traffic traffic, int agents, TimeSpan serviceLevelTime, TimeSpan? patience, StaffingTargets targets) =>
        new(Staffing.ErlangC.Evaluate(traffic, agents, serviceLevelTime),
            patience is { } p ? Staffing.ErlangA.Evaluate(traffic, agents, p) : null,
            Staffing.ErlangC.FewestAgents(traffic, targets));
}
