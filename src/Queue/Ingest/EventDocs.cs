using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Queue.Ingest;

/// <summary>
/// The ingest contract as OpenAPI schemas. Requests are not bound to these types (the parser reports every
/// problem by index and field instead); they exist so that <c>/openapi/v1.json</c> describes each event type.
/// Optional fields default to null: a constructor parameter without a default is listed as required.
/// </summary>
public static class EventDocs
{
    const string IdPattern = @"^[\p{L}\p{Nd}._:-]{1,100}$";

    [JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
    [JsonDerivedType(typeof(CallQueued), "call.queued")]
    [JsonDerivedType(typeof(CallAnswered), "call.answered")]
    [JsonDerivedType(typeof(CallAbandoned), "call.abandoned")]
    [JsonDerivedType(typeof(CallTransferred), "call.transferred")]
    [JsonDerivedType(typeof(CallCompleted), "call.completed")]
    [JsonDerivedType(typeof(CallResolution), "call.resolution")]
    [JsonDerivedType(typeof(CallMissed), "call.missed")]
    [JsonDerivedType(typeof(AgentStatusChanged), "agent.status")]
    [JsonDerivedType(typeof(VisitCreated), "visit.created")]
    [JsonDerivedType(typeof(VisitResolved), "visit.resolved")]
    [JsonDerivedType(typeof(VisitCancelled), "visit.cancelled")]
    [Description("An event. Unknown fields are an error.")]
    public abstract record Event(
        [property: Required, StringLength(100, MinimumLength = 1), Description("Idempotency key: the same id with the same content is a duplicate, with other content a conflict (409).")] string Id,
        [property: Required, Description("RFC 3339 with an offset, e.g. 2026-11-25T10:00:00+05:00: when it happened at the source.")] DateTimeOffset At);

    [Description("A call starts waiting in a queue.")]
    public sealed record CallQueued(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string CallId,
        [property: Required, RegularExpression(IdPattern)] string Queue,
        [property: RegularExpression(IdPattern)] string? Region = null,
        [property: RegularExpression(IdPattern)] string? Language = null,
        [property: RegularExpression(IdPattern)] string? Segment = null,
        [property: Description("The caller's phone number. Never stored: only an HMAC-SHA256 of its digits is kept.")] string? Caller = null) : Event(Id, At);

    [Description("An operator answers the waiting call; its wait ends.")]
    public sealed record CallAnswered(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string CallId,
        [property: Required, RegularExpression(IdPattern)] string AgentId) : Event(Id, At);

    [Description("The caller leaves while waiting.")]
    public sealed record CallAbandoned(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string CallId,
        [property: AllowedValues("hangup", "timeout", "empty", "key"), Description("Why: the caller hung up (the default), the queue timed out, had no agents, or the caller pressed a key to leave.")] string? Reason = null) : Event(Id, At);

    [Description("The waiting call was offered to an operator who did not take it; it keeps waiting.")]
    public sealed record CallMissed(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string CallId,
        [property: Required, RegularExpression(IdPattern)] string AgentId,
        [property: Range(0, 86_400), Description("How long it rang, in seconds.")] double? RingSeconds = null) : Event(Id, At);

    [Description("The current leg ends; a new leg waits in toQueue from `at`.")]
    public sealed record CallTransferred(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string CallId,
        [property: Required, RegularExpression(IdPattern)] string ToQueue) : Event(Id, At);

    [Description("The call ends, with how the problem was resolved when the source knows it (a PBX knows the call, not its outcome: a call.resolution may tell it later).")]
    public sealed record CallCompleted(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string CallId,
        [property: AllowedValues("resolved", "field_visit", "escalated", "unresolved")] string? Resolution = null,
        [property: RegularExpression(IdPattern)] string? VisitId = null) : Event(Id, At);

    [Description("The call's outcome, told later by a CRM or ticketing system. The latest by (at, id) wins over the completion's own.")]
    public sealed record CallResolution(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string CallId,
        [property: Required, AllowedValues("resolved", "field_visit", "escalated", "unresolved")] string Resolution,
        [property: RegularExpression(IdPattern)] string? VisitId = null) : Event(Id, At);

    [Description("An operator's status changes.")]
    public sealed record AgentStatusChanged(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string AgentId,
        [property: Required, AllowedValues("available", "busy", "wrap_up", "break", "offline")] string Status,
        [property: MaxLength(100), Description("Queues the operator serves.")] string[]? Queues = null,
        [property: StringLength(100, MinimumLength = 1), Description("Why, for a pause or break: the pause code or reason.")] string? Reason = null) : Event(Id, At);

    [Description("A technician visit is created; its deadlines are +24 h and +48 h from `at`.")]
    public sealed record VisitCreated(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string VisitId,
        [property: RegularExpression(IdPattern)] string? CallId = null,
        [property: RegularExpression(IdPattern)] string? Region = null) : Event(Id, At);

    [Description("The visit solved the problem.")]
    public sealed record VisitResolved(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string VisitId) : Event(Id, At);

    [Description("The visit was called off.")]
    public sealed record VisitCancelled(string Id, DateTimeOffset At,
        [property: Required, RegularExpression(IdPattern)] string VisitId) : Event(Id, At);
}
