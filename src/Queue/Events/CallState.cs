using System.Collections.Immutable;

namespace Queue.Events;

public enum LegOutcome { Answered, Abandoned, Transferred }

/// <summary>A call's stay in one queue. Open (still waiting) while <see cref="End"/> is null.</summary>
public sealed record Leg(string Queue, DateTimeOffset Start, DateTimeOffset? End = null, LegOutcome? Outcome = null, string? AgentId = null)
{
    /// <summary>Time from leg start to answer or abandon; null for open or transferred legs.</summary>
    public TimeSpan? Wait => Outcome is LegOutcome.Answered or LegOutcome.Abandoned ? End - Start : null;
}

/// <summary>
/// A call offered to an agent who did not take it (<c>call.missed</c>), in the queue of the call's latest leg begun by
/// then in source order (where it was waiting); null when no leg is known yet.
/// </summary>
public sealed record MissedOffer(string AgentId, DateTimeOffset At, string? Queue);

/// <summary>The state of one call: a pure function of its events in source order.</summary>
public sealed record CallState(
    ImmutableList<Leg> Legs,
    string? Region = null,
    string? Language = null,
    string? Segment = null,
    string? CallerHash = null,
    DateTimeOffset? CompletedAt = null,
    Resolution? CompletionResolution = null,
    string? CompletionVisitId = null,
    ImmutableSortedSet<string>? QueuesSeen = null,
    CallResolutionTold? Told = null,
    ImmutableList<MissedOffer>? MissedOffers = null)
{
    /// <summary>The offers agents did not take, in source order.</summary>
    public ImmutableList<MissedOffer> Misses => MissedOffers ?? [];

    /// <summary>The outcome: the latest told by a call.resolution, else the completion's own; null while unknown.</summary>
    public Resolution? Resolution => Told?.Resolution ?? CompletionResolution;

    /// <summary>The visit the outcome names: the latest call.resolution's if it names one, else the completion's.</summary>
    public string? VisitId => Told?.VisitId ?? CompletionVisitId;

    public static readonly CallState Empty = new(ImmutableList<Leg>.Empty);

    /// <summary>Every queue any of the call's events named, grow-only: the queues whose live state the call may touch.</summary>
    public ImmutableSortedSet<string> Seen => QueuesSeen ?? ImmutableSortedSet.Create<string>(StringComparer.Ordinal);

    public CallState See(string queue) => this with { QueuesSeen = Seen.Add(queue) };

    public Leg? OpenLeg => Legs.Count > 0 && Legs[^1].End is null ? Legs[^1] : null;

    /// <summary>A completed call counts in the queue of its last leg.</summary>
    public string? LastQueue => Legs.Count > 0 ? Legs[^1].Queue : null;

    /// <summary>The call's attributes: the first value given for each wins.</summary>
    public CallState Describe(CallQueued q) => this with
    {
        Region = Region ?? q.Region,
        Language = Language ?? q.Language,
        Segment = Segment ?? q.Segment,
        CallerHash = CallerHash ?? q.CallerHash,
    };

    public CallState StartLeg(string queue, DateTimeOffset at) => this with { Legs = Legs.Add(new Leg(queue, at)) };

    public CallState EndLeg(LegOutcome outcome, DateTimeOffset at, string? agentId = null) =>
        OpenLeg is { } open
            ? this with { Legs = Legs.SetItem(Legs.Count - 1, open with { End = at, Outcome = outcome, AgentId = agentId }) }
            : this;
}

/// <summary>Pure: the same events in any order, with any duplicates, give the same state.</summary>
public static class CallFold
{
    public static CallState Fold(IEnumerable<CallEvent> events) =>
        events.DistinctBy(e => e.Id).Order(CallEvent.SourceOrder).Aggregate(CallState.Empty, Apply);

    static CallState Apply(CallState call, CallEvent e) => e switch
    {
        // A second "queued" while a leg is open is the same wait announced twice: the first one stands.
        CallQueued q when call.OpenLeg is null => call.StartLeg(q.Queue, q.At).Describe(q).See(q.Queue),
        CallQueued q => call.Describe(q).See(q.Queue),
        // A transfer ends the waiting leg if there is one (an answered call can be transferred too),
        // and the call waits again in the target queue.
        CallTransferred t => call.EndLeg(LegOutcome.Transferred, t.At).StartLeg(t.ToQueue, t.At).See(t.ToQueue),
        CallAnswered a => call.EndLeg(LegOutcome.Answered, a.At, a.AgentId),
        CallAbandoned b => call.EndLeg(LegOutcome.Abandoned, b.At),
        CallCompleted c when call.CompletedAt is null => call with { CompletedAt = c.At, CompletionResolution = c.Resolution, CompletionVisitId = c.VisitId },
        // In source order each later one replaces the one before: the latest by (at, id) wins.
        CallResolutionTold r => call with { Told = r },
        // Ranked before an answer at the same instant: an offer missed as another agent answers was missed while waiting.
        CallMissed m => call with { MissedOffers = call.Misses.Add(new MissedOffer(m.AgentId, m.At, call.LastQueue)) },
        _ => call,
    };
}
