using Queue.EventLog;

namespace Queue.Redis;

/// <summary>
/// Every Redis key of live state, hash-tagged by queue (<c>{queue}</c>) so Redis Cluster keeps one queue's keys in one
/// slot and a Lua script can touch them together. State that belongs to no queue (every agent, visits without a
/// call, the log cursor) lives under the tag <see cref="Center"/>, which no queue can be named (see Identifiers).
/// </summary>
public sealed class LiveKeys(string prefix)
{
    /// <summary>The center-wide pseudo-queue: "~" is not an identifier character.</summary>
    public const string Center = CommittedEvents.Center;

    public string Prefix { get; } = prefix;

    public string Of(string queue, string name) => $"{Prefix}live:{{{queue}}}:{name}";

    public string Parts(string queue) => Of(queue, LiveNames.Parts);
    public string Expiry(string queue) => Of(queue, LiveNames.Expiry);
    public string Waiting(string queue) => Of(queue, LiveNames.Waiting);
    public string WaitInfo(string queue) => Of(queue, LiveNames.WaitInfo);
    public string Answered(string queue) => Of(queue, LiveNames.Answered);
    public string InServiceLevel(string queue) => Of(queue, LiveNames.InServiceLevel);
    public string WaitSum(string queue) => Of(queue, LiveNames.WaitSum);
    public string Quarters(string queue) => Of(queue, LiveNames.Quarters);
    public string Abandoned(string queue) => Of(queue, LiveNames.Abandoned);
    public string ShortAbandoned(string queue) => Of(queue, LiveNames.ShortAbandoned);
    public string Completed(string queue) => Of(queue, LiveNames.Completed);
    public string Resolved(string queue) => Of(queue, LiveNames.Resolved);
    public string Unknown(string queue) => Of(queue, LiveNames.Unknown);
    public string OpenVisits(string queue) => Of(queue, LiveNames.OpenVisits);
    public string Due24(string queue) => Of(queue, LiveNames.Due24);
    public string Due24Met(string queue) => Of(queue, LiveNames.Due24Met);
    public string Overdue48(string queue) => Of(queue, LiveNames.Overdue48);
    public string Agents(string queue) => Of(queue, LiveNames.Agents);
    public string StaffSums(string queue) => Of(queue, LiveNames.StaffSums);
    public string Published(string queue) => Of(queue, LiveNames.Published);
    public string AgentDay(string queue, DateOnly day) => Of(queue, LiveNames.AgentDay(day));

    /// <summary>Where live state stands in the log; absent while (or until) it is rebuilt.</summary>
    public string Cursor => Of(Center, "cursor");
    public string RebuildLock => Of(Center, "rebuild");
    public string Queues => Of(Center, "queues");
    public string PublishedCenter => Of(Center, "published-center");
}

/// <summary>The names of one queue's keys, after its <c>{queue}</c> tag: what parts store, to keep them short.</summary>
public static class LiveNames
{
    public const string Parts = "parts";
    public const string Expiry = "expiry";
    public const string Waiting = "waiting";
    public const string WaitInfo = "waitinfo";
    public const string Answered = "answered";
    public const string InServiceLevel = "insl";
    public const string WaitSum = "waitsum";
    public const string Quarters = "quarters";
    public const string Abandoned = "abandoned";
    public const string ShortAbandoned = "short";
    public const string Completed = "completed";
    public const string Resolved = "resolved";

    /// <summary>Calls completed with no resolution known yet (a PBX knows the call, not its outcome).</summary>
    public const string Unknown = "unknown";
    public const string OpenVisits = "vopen";
    public const string Due24 = "due24";
    public const string Due24Met = "due24ok";
    public const string Overdue48 = "overdue48";
    public const string Agents = "agents";
    public const string Published = "published";

    /// <summary>Per-minute sums behind the live staffing figures: <c>{minute}{kind}</c>, the kind one of <c>StaffKinds</c> (Live).</summary>
    public const string StaffSums = "staff";

    public static string AgentDay(DateOnly day) => "agentday:" + day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
