namespace Queue.Redis;

// Live state's layout in Redis. docs/redis.md lists every key (RedisLayoutTests holds that table to this file) and says
// how to change one; docs/adr/0003 says why live state is kept so. Every key is {prefix}live:{queue}:{name}: tagged by
// its queue, so that one queue's keys share a hash slot on Redis Cluster and one script changes them together. Times
// are microseconds since the Unix epoch (Micros).

/// <summary>Every key of live state in Redis: its name, type, and what its members and values are.</summary>
public static class RedisLayout
{
    /// <summary>
    /// The layout's version, stored in the cursor. Raise it with any change to a key, a member, a field or a value
    /// below, or to the stored form of parts: live state of another layout is rebuilt rather than read wrongly.
    /// </summary>
    public const int Version = 3;

    public static readonly PlainKey Parts = new("parts", KeyType.Hash,
        "every entity's part in the queue: the ops it did, undone when a newer part replaces it",
        "{entity}: c:{call}, v:{visit}, a:{agent}", StoredPart.Shape);

    public static readonly PlainKey Expiry = new("expiry", KeyType.SortedSet,
        "when each part has aged out of every live window (a periodic trim undoes it then)", "{entity}", "when its part expires (µs)");

    public static readonly SortedSetKey Waiting = new("waiting",
        "legs waiting now; one waiting longer than Queue:Live:GhostAfter is left out when read", LegMember.Shape, "when it started waiting (µs)");

    public static readonly HashKey WaitInfo = new("waitinfo",
        "what the queue's detail shows of a waiting leg (never the caller)", LegMember.Shape,
        "JSON: callId, leg, since, region, language, segment");

    public static readonly SortedSetKey Answered = new("answered",
        "legs answered in the last 65 minutes", AnsweredMember.Shape, "when answered (µs)");

    public static readonly SortedSetKey InServiceLevel = new("insl",
        "legs answered in the last 65 minutes within the queue's service-level threshold", LegMember.Shape, "when answered (µs)");

    public static readonly CounterKey WaitSum = new("waitsum",
        "the waits of legs answered in the last 65 minutes, by the minute they were answered", MinuteField.Shape, "Σ wait (µs)");

    public static readonly CounterKey Quarters = new("quarters",
        "legs and calls counted by the quarter hour they ended in (today's whole quarter hours are read from these)",
        QuarterField.Shape + "; kind a answered, s within the service level, w wait, x abandoned, y short abandon, "
        + "c completed, r resolved remotely, k resolution unknown", "a count; Σ wait (µs) for w");

    public static readonly SortedSetKey Abandoned = new("abandoned",
        "legs abandoned in the last 65 minutes, having waited the short-abandon threshold or longer", LegMember.Shape, "when abandoned (µs)");

    public static readonly SortedSetKey ShortAbandoned = new("short",
        "legs abandoned in the last 65 minutes before the short-abandon threshold", LegMember.Shape, "when abandoned (µs)");

    public static readonly SortedSetKey Completed = new("completed",
        "calls completed in the last 65 minutes, in the queue of their last leg (the center's own if none)", "{entity}", "when completed (µs)");

    public static readonly SortedSetKey Resolved = new("resolved",
        "of those, the calls resolved remotely", "{entity}", "when completed (µs)");

    public static readonly SortedSetKey Unknown = new("unknown",
        "of those, the calls whose resolution is not known yet (a PBX knows the call, not its outcome)", "{entity}", "when completed (µs)");

    public static readonly SortedSetKey OpenVisits = new("vopen",
        "visits neither resolved nor cancelled, in the queue of their call's last leg (the center's own if none)", "{entity}", "when created (µs)");

    public static readonly SortedSetKey Due24 = new("due24",
        "visits whose 24 h deadline counts (not cancelled before it)", "{entity}", "the 24 h deadline (µs)");

    public static readonly SortedSetKey Due24Met = new("due24ok",
        "of those, the visits resolved by their 24 h deadline", "{entity}", "the 24 h deadline (µs)");

    public static readonly SortedSetKey Overdue48 = new("overdue48",
        "visits neither resolved nor cancelled by their 48 h deadline", "{entity}", "the 48 h deadline (µs)");

    public static readonly HashKey Agents = new("agents",
        "agents logged in to the queue (every agent under the center)", "{agent}", "JSON: status, since, queues, reason");

    public static readonly CounterKey StaffSums = new("staff",
        "the last 65 minutes' sums behind live staffing", StaffField.Shape + "; kind q arrived, h talked, t talk time, "
        + "p abandoned legs' wait, r wrap-ups, u wrap-up time", "a count; Σ µs for t, p, u");

    public static readonly DailyCounterKey AgentDay = new("agentday",
        "each agent's calls answered in the queue on a local day, their talk time, and the offers the agent missed there",
        AgentDayField.Shape, "a count; Σ µs for :handle");

    public static readonly PlainKey Published = new("published", KeyType.Hash,
        "the queue's snapshot last published, by any node", "content, seq",
        "the snapshot's JSON without what changes with time alone; its number, clients keep the highest") { Kept = true };

    public static readonly PlainKey Cursor = new("cursor", KeyType.String,
        "where live state stands in the committed log, and its layout; absent while live state is rebuilt", "", LiveCursor.Shape)
    { CenterOnly = true };

    public static readonly PlainKey RebuildLock = new("rebuild", KeyType.String,
        "held by the node rebuilding live state, with a time to live it renews", "", "the node's token") { CenterOnly = true, Kept = true };

    public static readonly PlainKey Queues = new("queues", KeyType.Set,
        "every queue that has had live state", "{queue}", "") { CenterOnly = true };

    public static readonly PlainKey PublishedCenter = new("published-center", KeyType.Hash,
        "the center's snapshot last published, by any node", "content, seq", "as published") { CenterOnly = true, Kept = true };

    public static readonly PlainKey PublishedTeams = new("published-teams", KeyType.Hash,
        "each team's center last published, by any node (a team: the queues a scoped key sees)", "{team}:content, {team}:seq",
        "as published; a team's number starts above the sum of its queues' own") { CenterOnly = true, Kept = true };

    /// <summary>Every key, in the order docs/redis.md lists them.</summary>
    public static readonly IReadOnlyList<LayoutKey> Keys =
    [
        Parts, Expiry, Waiting, WaitInfo, Answered, InServiceLevel, WaitSum, Quarters, Abandoned, ShortAbandoned, Completed, Resolved,
        Unknown, OpenVisits, Due24, Due24Met, Overdue48, Agents, StaffSums, AgentDay, Published,
        Cursor, RebuildLock, Queues, PublishedCenter, PublishedTeams,
    ];
}
