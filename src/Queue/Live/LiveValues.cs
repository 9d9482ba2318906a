namespace Queue.Live;

/// <summary>A waiting leg as live state keeps it (<c>waitinfo</c>, as JSON): never the caller.</summary>
public sealed record WaitingInfo(string CallId, int Leg, DateTimeOffset Since, string? Region, string? Language, string? Segment);

/// <summary>
/// An agent as live state keeps it (<c>agents</c>, as JSON): its status, since when, the queues it is logged in to, and
/// the reason its status event gave (a pause code), if any.
/// </summary>
public sealed record AgentInfo(string Status, DateTimeOffset Since, IReadOnlyList<string>? Queues, string? Reason = null);
