namespace Queue.Connect.Asterisk;

/// <summary>
/// The little a <see cref="QueueLogMapper"/> must remember between lines. It is plain data, serialised into the state
/// file with the position it belongs to, so that a connector restarted at that position maps what follows exactly as
/// if it had never stopped. Calls are keyed by their uniqueid as written in the log.
/// </summary>
internal sealed class MapperState
{
    /// <summary>Legs waiting in a queue (or ended, waiting for the requeue window to decide how).</summary>
    public Dictionary<string, OpenLeg> Legs { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Exits and transfers waiting for the requeue window: the call may enter a queue again.</summary>
    public Dictionary<string, PendingEnd> Pending { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Calls answered and not yet ended, with the agent on them.</summary>
    public Dictionary<string, Talk> Talks { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Extension of an agent on a call → that call: how a consult channel is told from a caller.</summary>
    public Dictionary<string, string> TalkingExtensions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Consult channels of attended transfers in progress, by their own uniqueid.</summary>
    public Dictionary<string, Consult> Consults { get; set; } = new(StringComparer.Ordinal);
    /// <summary>A consult channel whose transfer completed → the call it now carries.</summary>
    public Dictionary<string, string> Aliases { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Each agent's queues and last status.</summary>
    public Dictionary<string, AgentState> Agents { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The second of the last agent status, and how many each agent had in it (file order within a second).</summary>
    public long TickSecond { get; set; }
    public Dictionary<string, int> Ticks { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The time of the latest line read: the end of what was read.</summary>
    public DateTimeOffset? LastTime { get; set; }
}

/// <summary>
/// A leg not yet ended. Until <see cref="Released"/>, its events (its start, missed offers) are held back: a leg that
/// turns out to be a ghost is dropped whole.
/// </summary>
internal sealed class OpenLeg
{
    public required string Queue { get; set; }
    public required DateTimeOffset Start { get; set; }
    public bool Released { get; set; }
    public List<WireEvent> Held { get; set; } = [];
}

internal enum EndKind { Exit, Transfer }

/// <param name="Reason">For an exit, the abandon reason it becomes if the call does not enter a queue again.</param>
internal sealed record PendingEnd(EndKind Kind, string? Reason, DateTimeOffset At, string Key);

internal sealed record Talk(string AgentId, string? Extension, DateTimeOffset At);

/// <param name="ForCall">The call the transferring agent was on.</param>
/// <param name="AnsweredBy">The agent who answered the consult, if one did; <paramref name="AnsweredColumn"/> as the log wrote it.</param>
internal sealed record Consult(string ForCall, string Queue, DateTimeOffset At, string? AnsweredBy, string? AnsweredColumn = null);

internal sealed class AgentState
{
    public SortedSet<string> Queues { get; set; } = new(StringComparer.Ordinal);
    public string Status { get; set; } = "available";
    public string? Reason { get; set; }
    /// <summary>On a call (CONNECT to its end): shown busy whatever <see cref="Status"/> says it returns to.</summary>
    public bool Busy { get; set; }
}
