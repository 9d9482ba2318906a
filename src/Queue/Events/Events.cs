namespace Queue.Events;

/// <summary>The event types of the ingest contract, in the order their wire names are listed.</summary>
public enum EventType
{
    CallQueued,
    CallAnswered,
    CallAbandoned,
    CallTransferred,
    CallCompleted,
    AgentStatus,
    VisitCreated,
    VisitResolved,
    VisitCancelled,
    CallResolution,
    CallMissed,
}

public enum Resolution { Resolved, FieldVisit, Escalated, Unresolved }

public enum AgentStatus { Available, Busy, WrapUp, Break, Offline }

/// <summary>Why a waiting caller left: hung up, timed out of the queue, found it empty of agents, or pressed a key.</summary>
public enum AbandonReason { Hangup, Timeout, Empty, Key }

/// <summary>One accepted event, parsed and validated. <c>At</c> is truncated to microseconds.</summary>
public abstract record QueueEvent(string Id, DateTimeOffset At)
{
    public abstract EventType Type { get; }

    /// <summary>The entity whose state this event folds into (<c>c:</c>call, <c>v:</c>visit, <c>a:</c>agent).</summary>
    public abstract string Entity { get; }
}

public abstract record CallEvent(string Id, DateTimeOffset At, string CallId) : QueueEvent(Id, At)
{
    public override string Entity => EntityKey.Call(CallId);

    /// <summary>
    /// Tie order for equal <c>at</c>: queued &lt; transferred &lt; answered &lt; abandoned &lt; completed (SPEC §2). An
    /// offer missed goes before the answer at the same instant, and an outcome told later after the completion.
    /// </summary>
    public abstract int Rank { get; }

    /// <summary>Source order of SPEC §2: by instant, then by type rank, then by id (ordinal).</summary>
    public static readonly IComparer<CallEvent> SourceOrder = Comparer<CallEvent>.Create((a, b) =>
    {
        var c = a.At.UtcTicks.CompareTo(b.At.UtcTicks);
        if (c == 0) c = a.Rank.CompareTo(b.Rank);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    });
}

public sealed record CallQueued(
    string Id, DateTimeOffset At, string CallId, string Queue,
    string? Region, string? Language, string? Segment, string? CallerHash) : CallEvent(Id, At, CallId)
{
    public override EventType Type => EventType.CallQueued;
    public override int Rank => 0;
}

public sealed record CallTransferred(string Id, DateTimeOffset At, string CallId, string ToQueue) : CallEvent(Id, At, CallId)
{
    public override EventType Type => EventType.CallTransferred;
    public override int Rank => 1;
}

public sealed record CallAnswered(string Id, DateTimeOffset At, string CallId, string AgentId) : CallEvent(Id, At, CallId)
{
    public override EventType Type => EventType.CallAnswered;
    public override int Rank => 3;
}

/// <summary>The call was offered to an agent who did not take it; it keeps waiting.</summary>
public sealed record CallMissed(string Id, DateTimeOffset At, string CallId, string AgentId, double? RingSeconds) : CallEvent(Id, At, CallId)
{
    public override EventType Type => EventType.CallMissed;
    public override int Rank => 2;
}

public sealed record CallAbandoned(string Id, DateTimeOffset At, string CallId, AbandonReason? Reason = null) : CallEvent(Id, At, CallId)
{
    public override EventType Type => EventType.CallAbandoned;
    public override int Rank => 4;
}

/// <summary>The call ended; <see cref="Resolution"/> is null when the source knows the call, not its outcome.</summary>
public sealed record CallCompleted(string Id, DateTimeOffset At, string CallId, Resolution? Resolution, string? VisitId)
    : CallEvent(Id, At, CallId)
{
    public override EventType Type => EventType.CallCompleted;
    public override int Rank => 5;
}

/// <summary>The call's outcome, told later (by a CRM or ticketing system): the latest by (at, id) wins over the completion's own.</summary>
public sealed record CallResolutionTold(string Id, DateTimeOffset At, string CallId, Resolution Resolution, string? VisitId)
    : CallEvent(Id, At, CallId)
{
    public override EventType Type => EventType.CallResolution;
    public override int Rank => 6;
}

/// <summary>An agent's status; <see cref="Reason"/> says why a pause or break (a pause code).</summary>
public sealed record AgentStatusChanged(string Id, DateTimeOffset At, string AgentId, AgentStatus Status, IReadOnlyList<string>? Queues,
    string? Reason = null)
    : QueueEvent(Id, At)
{
    public override EventType Type => EventType.AgentStatus;
    public override string Entity => EntityKey.Agent(AgentId);
}

public abstract record VisitEvent(string Id, DateTimeOffset At, string VisitId) : QueueEvent(Id, At)
{
    public override string Entity => EntityKey.Visit(VisitId);

    /// <summary>Tie order for equal <c>at</c>: created &lt; resolved &lt; cancelled.</summary>
    public abstract int Rank { get; }

    public static readonly IComparer<VisitEvent> SourceOrder = Comparer<VisitEvent>.Create((a, b) =>
    {
        var c = a.At.UtcTicks.CompareTo(b.At.UtcTicks);
        if (c == 0) c = a.Rank.CompareTo(b.Rank);
        return c != 0 ? c : string.CompareOrdinal(a.Id, b.Id);
    });
}

public sealed record VisitCreated(string Id, DateTimeOffset At, string VisitId, string? CallId, string? Region)
    : VisitEvent(Id, At, VisitId)
{
    public override EventType Type => EventType.VisitCreated;
    public override int Rank => 0;
}

public sealed record VisitResolved(string Id, DateTimeOffset At, string VisitId) : VisitEvent(Id, At, VisitId)
{
    public override EventType Type => EventType.VisitResolved;
    public override int Rank => 1;
}

public sealed record VisitCancelled(string Id, DateTimeOffset At, string VisitId) : VisitEvent(Id, At, VisitId)
{
    public override EventType Type => EventType.VisitCancelled;
    public override int Rank => 2;
}

public static class EntityKey
{
    public static string Call(string callId) => "c:" + callId;
    public static string Visit(string visitId) => "v:" + visitId;
    public static string Agent(string agentId) => "a:" + agentId;

    /// <summary>The id in an entity key: <c>v:42</c> → <c>42</c>.</summary>
    public static string Id(string entity) => entity[2..];
}

/// <summary>Wire names of types and enum values, in one place.</summary>
public static class Wire
{
    public static readonly IReadOnlyDictionary<string, EventType> Types = new Dictionary<string, EventType>(StringComparer.Ordinal)
    {
        ["call.queued"] = EventType.CallQueued,
        ["call.answered"] = EventType.CallAnswered,
        ["call.abandoned"] = EventType.CallAbandoned,
        ["call.transferred"] = EventType.CallTransferred,
        ["call.completed"] = EventType.CallCompleted,
        ["call.resolution"] = EventType.CallResolution,
        ["call.missed"] = EventType.CallMissed,
        ["agent.status"] = EventType.AgentStatus,
        ["visit.created"] = EventType.VisitCreated,
        ["visit.resolved"] = EventType.VisitResolved,
        ["visit.cancelled"] = EventType.VisitCancelled,
    };

    public static readonly IReadOnlyDictionary<string, Resolution> Resolutions = new Dictionary<string, Resolution>(StringComparer.Ordinal)
    {
        ["resolved"] = Resolution.Resolved,
        ["field_visit"] = Resolution.FieldVisit,
        ["escalated"] = Resolution.Escalated,
        ["unresolved"] = Resolution.Unresolved,
    };

    public static readonly IReadOnlyDictionary<string, AgentStatus> Statuses = new Dictionary<string, AgentStatus>(StringComparer.Ordinal)
    {
        ["available"] = AgentStatus.Available,
        ["busy"] = AgentStatus.Busy,
        ["wrap_up"] = AgentStatus.WrapUp,
        ["break"] = AgentStatus.Break,
        ["offline"] = AgentStatus.Offline,
    };

    public static readonly IReadOnlyDictionary<string, AbandonReason> AbandonReasons = new Dictionary<string, AbandonReason>(StringComparer.Ordinal)
    {
        ["hangup"] = AbandonReason.Hangup,
        ["timeout"] = AbandonReason.Timeout,
        ["empty"] = AbandonReason.Empty,
        ["key"] = AbandonReason.Key,
    };

    static readonly Dictionary<EventType, string> TypeNames = Types.ToDictionary(p => p.Value, p => p.Key);
    static readonly Dictionary<Resolution, string> ResolutionNames = Resolutions.ToDictionary(p => p.Value, p => p.Key);
    static readonly Dictionary<AgentStatus, string> StatusNames = Statuses.ToDictionary(p => p.Value, p => p.Key);
    static readonly Dictionary<AbandonReason, string> AbandonReasonNames = AbandonReasons.ToDictionary(p => p.Value, p => p.Key);

    public static string Name(EventType type) => TypeNames[type];
    public static string Name(Resolution resolution) => ResolutionNames[resolution];
    public static string Name(AgentStatus status) => StatusNames[status];
    public static string Name(AbandonReason reason) => AbandonReasonNames[reason];
}
