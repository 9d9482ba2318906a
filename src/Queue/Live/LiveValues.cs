namespace Queue.Live;

/// <summary>A waiting leg as live state keeps it (<c>waitinfo</c>, as JSON): never the caller.</summary>
public sealed record WaitingInfo(string CallId, int Leg, DateTimeOffset Since, string? Region, string? Language, string? Segment);

/// <summary>
/// An agent as live state keeps it (<c>agents</c>, as JSON): its status, since when, the queues it is logged in to, and
/// the reason its status event gave (a pause code), if any.
/// </summary>
public sealed record AgentInfo(string Status, DateTimeOffset Since, IReadOnlyList<string>? Queues, string? Reason = null);

/// <summary>
/// Agents' values parsed once each. A queue's snapshot reads all its agents and the center's every agent of the floor,
/// at every push, while an agent's value changes only with its status: the same text is parsed to the same record.
/// Bounded: past <see cref="Limit"/> values it starts again.
/// </summary>
internal sealed class ParsedAgents
{
    const int Limit = 100_000;
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, AgentInfo> parsed = new(StringComparer.Ordinal);
    int count;

    public AgentInfo Of(string json)
    {
        if (parsed.TryGetValue(json, out var info)) return info;
        info = Redis.RedisJson.Read<AgentInfo>(json);
        if (Interlocked.Increment(ref count) > Limit)
        {
            parsed.Clear();
            Interlocked.Exchange(ref count, 0);
        }
        parsed.TryAdd(json, info);
        return info;
    }
}
