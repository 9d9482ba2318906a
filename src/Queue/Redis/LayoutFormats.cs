using System.Globalization;

namespace Queue.Redis;

// The members and fields of live state's keys, each made and read here only: the parts write them, the reader reads
// them back. A change to any of them is a change of layout (RedisLayout.Version).

/// <summary>A leg of a call: <c>{entity}#{leg}</c>, the call's entity key and the leg's index in the call.</summary>
public static class LegMember
{
    public const string Shape = "{entity}#{leg}";

    public static string Of(string entity, int leg) => entity + "#" + leg.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// An answered leg: <c>{entity}#{leg}|{wait µs}</c>. The wait rides in the member, so a window's partial first and last
/// minutes are summed from the members alone.
/// </summary>
public static class AnsweredMember
{
    public const string Shape = LegMember.Shape + "|{wait µs}";

    public static string Of(string leg, long waitMicros) => leg + "|" + waitMicros.ToString(CultureInfo.InvariantCulture);

    public static long WaitOf(string member) => long.Parse(member.AsSpan(member.LastIndexOf('|') + 1), CultureInfo.InvariantCulture);
}

/// <summary>A minute of per-minute sums: <c>{minute}</c>, whole minutes since the Unix epoch.</summary>
public static class MinuteField
{
    public const string Shape = "{minute}";

    public static string Of(long minute) => minute.ToString(CultureInfo.InvariantCulture);

    public static long Parse(string field) => long.Parse(field, CultureInfo.InvariantCulture);
}

/// <summary>What a quarter-hour count counts.</summary>
public enum QuarterKind
{
    Answered,
    InServiceLevel,
    /// <summary>The waits of the legs answered, summed (µs).</summary>
    Wait,
    Abandoned,
    ShortAbandoned,
    Completed,
    Resolved,
    /// <summary>Calls completed with no resolution known yet (a PBX knows the call, not its outcome).</summary>
    Unknown,
}

/// <summary>
/// A field of the quarter-hour counts: <c>{quarter}:{kind}</c>, the quarter being whole quarter hours since the Unix
/// epoch (every time zone's midnight falls on one), the kind one letter.
/// </summary>
public static class QuarterField
{
    public const string Shape = "{quarter}:{kind}";

    static readonly (QuarterKind Kind, string Code)[] Codes =
    [
        (QuarterKind.Answered, ":a"), (QuarterKind.InServiceLevel, ":s"), (QuarterKind.Wait, ":w"), (QuarterKind.Abandoned, ":x"),
        (QuarterKind.ShortAbandoned, ":y"), (QuarterKind.Completed, ":c"), (QuarterKind.Resolved, ":r"), (QuarterKind.Unknown, ":k"),
    ];

    /// <summary>The field of a kind in the quarter hour an instant (µs) falls in.</summary>
    public static string Of(long micros, QuarterKind kind) =>
        Micros.Quarter(micros).ToString(CultureInfo.InvariantCulture) + Codes[(int)kind].Code;

    public static bool TryParse(string field, out long quarter, out QuarterKind kind)
    {
        var sep = field.IndexOf(':', StringComparison.Ordinal);
        quarter = 0;
        kind = default;
        if (sep < 0 || !long.TryParse(field.AsSpan(0, sep), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out quarter)) return false;
        foreach (var (k, code) in Codes)
        {
            if (!field.AsSpan(sep).SequenceEqual(code)) continue;
            kind = k;
            return true;
        }
        return false;
    }
}

/// <summary>What a per-minute staffing sum sums (docs/adr/0006).</summary>
public enum StaffKind
{
    /// <summary>Legs that entered the queue, by the minute they entered.</summary>
    Arrived,
    /// <summary>Calls completed after an answer in the queue, by the minute they completed.</summary>
    Talked,
    /// <summary>Their talk time from answer to completion (µs).</summary>
    Talk,
    /// <summary>The waits of legs abandoned, by the minute they left (µs).</summary>
    AbandonWait,
    /// <summary>Wrap-up episodes of the queue's agents, by the minute they ended.</summary>
    WrappedUp,
    /// <summary>Their length (µs).</summary>
    WrapUp,
}

/// <summary>A field of the per-minute staffing sums: <c>{minute}:{kind}</c>, whole minutes since the Unix epoch, the kind one letter.</summary>
public static class StaffField
{
    public const string Shape = "{minute}:{kind}";

    /// <summary>Every kind, in the order <see cref="Of"/> numbers them.</summary>
    public static readonly StaffKind[] Kinds = Enum.GetValues<StaffKind>();

    static readonly string[] Codes = [":q", ":h", ":t", ":p", ":r", ":u"];

    public static string Of(long minute, StaffKind kind) => minute.ToString(CultureInfo.InvariantCulture) + Codes[(int)kind];
}

/// <summary>
/// The fields of an agent's counts for a local day: <c>{agent}</c> calls answered, <c>{agent}:handled</c> those of them
/// completed after the answer, <c>{agent}:handle</c> their time from answer to completion (µs), <c>{agent}:missed</c>
/// offers the agent did not take while the call waited in the queue.
/// </summary>
public static class AgentDayField
{
    public const string Shape = "{agent}, {agent}:handled, {agent}:handle, {agent}:missed";

    public static string Missed(string agent) => agent + ":missed";

    public static string Answered(string agent) => agent;

    public static string Handled(string agent) => agent + ":handled";

    public static string Handle(string agent) => agent + ":handle";
}
