namespace Queue.Live;

/// <summary>
/// Every Redis key of live state, hash-tagged by queue (<c>{queue}</c>) so Redis Cluster keeps one queue's keys in one
/// slot and a Lua script can touch them together. State that belongs to no queue (every agent, visits without a
/// call, the log cursor) lives under the tag <see cref="Center"/>, which no queue can be named (see Identifiers).
/// </summary>
public sealed class LiveKeys(string prefix)
{
    /// <summary>The center-wide pseudo-queue: "~" is not an identifier character.</summary>
    public const string Center = "~";

    public string Prefix { get; } = prefix;

    public string Of(string queue, string name) => $"{Prefix}live:{{{queue}}}:{name}";

    public string Parts(string queue) => Of(queue, "parts");
    public string Expiry(string queue) => Of(queue, "expiry");
    public string Waiting(string queue) => Of(queue, "waiting");
    public string WaitInfo(string queue) => Of(queue, "waitinfo");
    public string Answered(string queue) => Of(queue, "answered");
    public string InServiceLevel(string queue) => Of(queue, "insl");
    public string WaitSum(string queue) => Of(queue, "waitsum");
    public string Abandoned(string queue) => Of(queue, "abandoned");
    public string ShortAbandoned(string queue) => Of(queue, "short");
    public string Completed(string queue) => Of(queue, "completed");
    public string Resolved(string queue) => Of(queue, "resolved");
    public string OpenVisits(string queue) => Of(queue, "vopen");
    public string Due24(string queue) => Of(queue, "due24");
    public string Due24Met(string queue) => Of(queue, "due24ok");
    public string Overdue48(string queue) => Of(queue, "overdue48");
    public string Agents(string queue) => Of(queue, "agents");
    public string AgentDay(string queue, DateOnly day) => Of(queue, "agentday:" + day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    public string Published(string queue) => Of(queue, "published");

    /// <summary>Where live state stands in the log; absent while (or until) it is rebuilt.</summary>
    public string Cursor => Of(Center, "cursor");
    public string RebuildLock => Of(Center, "rebuild");
    public string Queues => Of(Center, "queues");
    public string PublishedCenter => Of(Center, "published-center");
}
