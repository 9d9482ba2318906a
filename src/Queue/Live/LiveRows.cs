using Queue.Events;
using Queue.Ingest;

namespace Queue.Live;

/// <summary>A call as stored (calls + legs), with the version of its last write.</summary>
public sealed record CallRow(
    string CallId,
    long Version,
    string? Region,
    string? Language,
    string? Segment,
    string? LastQueue,
    DateTimeOffset? CompletedAt,
    Resolution? Resolution,
    IReadOnlyList<string> QueuesSeen,
    IReadOnlyList<Leg> Legs)
{
    /// <summary>The offers agents did not take while the call waited in a queue, in source order.</summary>
    public IReadOnlyList<MissedOffer> Misses { get; init; } = [];
}

/// <summary>
/// A visit as stored, with what it takes from the calls linked to it: the queue it belongs to (its call's last leg),
/// every queue those calls named, and a version no older than any of those rows.
/// </summary>
public sealed record VisitRow(
    string VisitId,
    long Version,
    string? Queue,
    IReadOnlyList<string> QueuesSeen,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? CancelledAt);

/// <summary>
/// An agent's latest status (and its reason) and queues as stored, and its <see cref="Recent"/> status events: those since a given
/// instant and the last one before them, at most the latest <see cref="RecentMost"/>, in the order of SPEC §2 (at, then
/// event id).
/// </summary>
public sealed record AgentRow(
    string AgentId,
    long Version,
    AgentStatus Status,
    DateTimeOffset StatusAt,
    IReadOnlyList<string>? Queues,
    IReadOnlyList<string> QueuesSeen,
    IReadOnlyList<AgentMark> Recent,
    string? StatusReason = null)
{
    /// <summary>
    /// The most marks read since the instant: a busy operator changes status some 100 times an hour; a source that
    /// flaps faster must not make every projection of the agent read more.
    /// </summary>
    public const int RecentMost = 61;
}

/// <summary>One status event of an agent: when, its event id (which orders ties), and the status.</summary>
public sealed record AgentMark(DateTimeOffset At, string Id, AgentStatus Status);
