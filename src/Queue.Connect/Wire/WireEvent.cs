using System.Text.Json.Serialization;

namespace Queue.Connect;

/// <summary>
/// One event of the ingest contract (SPEC §2) as it goes over the wire: camelCase JSON, optional fields left out when
/// absent. The connector speaks only this contract; it shares no type with the service.
/// </summary>
internal sealed record WireEvent
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    [JsonConverter(typeof(Rfc3339Converter))]
    public required DateTimeOffset At { get; init; }
    public string? CallId { get; init; }
    public string? Queue { get; init; }
    public string? Region { get; init; }
    public string? Language { get; init; }
    public string? Segment { get; init; }
    public string? Caller { get; init; }
    public string? AgentId { get; init; }
    public string? ToQueue { get; init; }
    public string? Reason { get; init; }
    public string? Status { get; init; }
    public string? Resolution { get; init; }
    public double? RingSeconds { get; init; }
    public IReadOnlyList<string>? Queues { get; init; }

    public static WireEvent Queued(string id, DateTimeOffset at, string callId, string queue, string? caller) =>
        new() { Id = id, Type = "call.queued", At = at, CallId = callId, Queue = queue, Caller = caller };

    public static WireEvent Answered(string id, DateTimeOffset at, string callId, string agentId) =>
        new() { Id = id, Type = "call.answered", At = at, CallId = callId, AgentId = agentId };

    public static WireEvent Abandoned(string id, DateTimeOffset at, string callId, string reason) =>
        new() { Id = id, Type = "call.abandoned", At = at, CallId = callId, Reason = reason };

    public static WireEvent Transferred(string id, DateTimeOffset at, string callId, string toQueue) =>
        new() { Id = id, Type = "call.transferred", At = at, CallId = callId, ToQueue = toQueue };

    public static WireEvent Completed(string id, DateTimeOffset at, string callId, string? resolution = null) =>
        new() { Id = id, Type = "call.completed", At = at, CallId = callId, Resolution = resolution };

    public static WireEvent Missed(string id, DateTimeOffset at, string callId, string agentId, double? ringSeconds) =>
        new() { Id = id, Type = "call.missed", At = at, CallId = callId, AgentId = agentId, RingSeconds = ringSeconds };

    public static WireEvent AgentStatus(string id, DateTimeOffset at, string agentId, string status, string? reason, IReadOnlyList<string>? queues) =>
        new() { Id = id, Type = "agent.status", At = at, AgentId = agentId, Status = status, Reason = reason, Queues = queues };
}
