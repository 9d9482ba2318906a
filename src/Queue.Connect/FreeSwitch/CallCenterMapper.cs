using System.Globalization;
using Queue.Connect.Pumping;

namespace Queue.Connect.FreeSwitch;

/// <summary>
/// FreeSWITCH <c>mod_callcenter</c> events (<c>CUSTOM callcenter::info</c>) → SPEC §2 events (SPEC §9), pure: an event
/// in, its events out; the time is the event's own <c>Event-Date-Timestamp</c> (microseconds since the epoch).
/// <para>
/// A call is its caller's channel, <c>CC-Member-Session-UUID</c>: it stays the same in every queue the call waits in,
/// where <c>CC-Member-UUID</c> is made anew at each entry into a queue. Call ids are <c>{source}:{session uuid}</c>.
/// </para>
/// <para>
/// Each call event is made from its own event alone, so an event received twice (sent again after a reconnection)
/// gives the same event or none, never another under the same id. The one thing remembered is each agent's last
/// status (<see cref="Agents"/>): a state change while an agent is on break or logged out says nothing of the status
/// (mod_callcenter moves an agent it has just put on break back to <c>Waiting</c>), so it gives nothing.
/// </para>
/// </summary>
/// <para>
/// Overflow: a caller that leaves a queue by its timeout, for want of agents or by a key is often sent by the dialplan
/// into another queue. As with queue_log (SPEC §9), such an exit is held for the requeue window: the same call entering
/// a queue within it was transferred there (<c>call.transferred</c> at that entry), otherwise it abandoned. Held
/// exits are decided by the time of later events — any event, <c>HEARTBEAT</c>s included, which the switch sends every
/// 20 s, and across a reconnection — and all at once when the connector is stopped. One held when the connector is
/// killed is lost with it, as is whatever the switch sends while no connection is up.
/// </para>
/// </summary>
internal sealed class CallCenterMapper(string source, string queuePrefix = "", TimeSpan? requeueWindow = null) : IEventMapper<EslEvent>
{
    public const string Subclass = "callcenter::info";

    public static readonly TimeSpan DefaultRequeueWindow = TimeSpan.FromSeconds(120);

    readonly TimeSpan window = requeueWindow ?? DefaultRequeueWindow;

    /// <summary>Exits held for the requeue window, by call id: the abandon they become if the call enters no queue again.</summary>
    readonly Dictionary<string, WireEvent> held = new(StringComparer.Ordinal);

    /// <summary>Each agent's last <c>CC-Agent-Status</c>, by agent id.</summary>
    public Dictionary<string, string> Agents { get; } = new(StringComparer.Ordinal);

    public CallCenterCounts Counts { get; } = new();

    public Enum? Map(EslEvent e, List<WireEvent> events)
    {
        var time = At(e);
        // The switch's clock, in any event it sends: held exits whose window has passed are decided first.
        if (time is { } now) Decide(now, events);
        if (!string.Equals(e["Event-Subclass"], Subclass, StringComparison.Ordinal))
        {
            Counts.Other(e["Event-Subclass"] is { Length: > 0 } s ? s : e["Event-Name"]);
            return null;
        }
        if (time is not { } at) return EslFault.Time;
        var action = e["CC-Action"];
        return action switch
        {
            "member-queue-start" or "member-queue-resume" => Queued(e, at, events),
            "bridge-agent-start" => Answered(e, at, events),
            "member-queue-end" => Ended(e, at, events),
            "bridge-agent-fail" => Missed(e, at, events),
            "agent-status-change" => Status(e, at, events),
            "agent-state-change" => State(e, at, events),
            _ => Other(action),
        };
    }

    public void CaughtUp(DateTimeOffset now, List<WireEvent> events) => Decide(now, events);

    public void End(List<WireEvent> events) => Decide(DateTimeOffset.MaxValue, events);

    /// <summary>Exits held for longer than the window by <paramref name="now"/> were abandons after all.</summary>
    void Decide(DateTimeOffset now, List<WireEvent> events)
    {
        foreach (var (call, abandon) in held.Where(h => now - h.Value.At > window).OrderBy(h => h.Value.At).ToList())
        {
            held.Remove(call);
            events.Add(abandon);
        }
    }

    static DateTimeOffset? At(EslEvent e) =>
        ulong.TryParse(e["Event-Date-Timestamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var micros)
        && micros <= (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks / 10
            ? DateTimeOffset.UnixEpoch.AddTicks((long)micros * 10)
            : null;

    Enum? Queued(EslEvent e, DateTimeOffset at, List<WireEvent> events)
    {
        if (CallId(e) is not { } call || Queue(e) is not { } queue) return EslFault.Data;
        if (held.Remove(call, out var exit) && at - exit.At <= window)
            // Sent on from the queue it left: a transfer at this entry, not an abandon.
            events.Add(WireEvent.Transferred(Id(e, 't'), at, call, queue));
        else
        {
            if (exit is not null) events.Add(exit);
            events.Add(WireEvent.Queued(Id(e, 'q'), at, call, queue, Caller(e["CC-Member-CID-Number"])));
        }
        return null;
    }

    Enum? Answered(EslEvent e, DateTimeOffset at, List<WireEvent> events)
    {
        if (CallId(e) is not { } call || Agent(e) is not { } agent) return EslFault.Data;
        events.Add(WireEvent.Answered(Id(e, 'a'), at, call, agent));
        return null;
    }

    /// <summary><c>Terminated</c>: the member was bridged to an agent and the call is over. <c>Cancel</c>: it left unanswered.</summary>
    Enum? Ended(EslEvent e, DateTimeOffset at, List<WireEvent> events)
    {
        if (CallId(e) is not { } call) return EslFault.Data;
        switch (e["CC-Cause"])
        {
            case "Terminated":
                events.Add(WireEvent.Completed(Id(e, 'c'), at, call));
                return null;
            case "Cancel":
                var abandon = WireEvent.Abandoned(Id(e, 'b'), at, call, AbandonReason(e["CC-Cancel-Reason"]));
                // The caller hung up: nothing follows. Out by the queue's own rules: the dialplan may queue it elsewhere.
                if (abandon.Reason == "hangup") events.Add(abandon);
                else held[call] = abandon;
                return null;
            default:
                return EslFault.Data;
        }
    }

    /// <summary>
    /// <c>TIMEOUT</c> (the queue's max-wait-time) → <c>timeout</c>; <c>NO_AGENT_TIMEOUT</c> (no agent logged in for
    /// max-wait-time-with-no-agent) → <c>empty</c>; <c>EXIT_WITH_KEY</c> → <c>key</c>; <c>BREAK_OUT</c> (the caller hung
    /// up, or the channel was taken out of the queue) and <c>NONE</c> → <c>hangup</c>.
    /// </summary>
    public static string AbandonReason(string cancelReason) => cancelReason switch
    {
        "TIMEOUT" => "timeout",
        "NO_AGENT_TIMEOUT" => "empty",
        "EXIT_WITH_KEY" => "key",
        _ => "hangup",
    };

    /// <summary>
    /// An offer that failed. <c>LOSE_RACE</c> (ring-all: another agent took it) and <c>ORIGINATOR_CANCEL</c> (the caller
    /// left, or the offer was withdrawn) are no agent's miss and give nothing; any other cause (no answer, busy,
    /// rejected, not registered…) is <c>call.missed</c>, with the ring time from called to aborted.
    /// </summary>
    Enum? Missed(EslEvent e, DateTimeOffset at, List<WireEvent> events)
    {
        if (CallId(e) is not { } call || Agent(e) is not { } agent) return EslFault.Data;
        if (e["CC-Hangup-Cause"] is "LOSE_RACE" or "ORIGINATOR_CANCEL")
        {
            Counts.OffersWithdrawn++;
            return null;
        }
        double? ring = long.TryParse(e["CC-Agent-Called-Time"], NumberStyles.None, CultureInfo.InvariantCulture, out var called)
            && long.TryParse(e["CC-Agent-Aborted-Time"], NumberStyles.None, CultureInfo.InvariantCulture, out var aborted)
            && aborted >= called && aborted - called <= 3600
                ? aborted - called
                : null;
        events.Add(WireEvent.Missed(Id(e, 'm'), at, call, agent, ring));
        return null;
    }

    Enum? Status(EslEvent e, DateTimeOffset at, List<WireEvent> events)
    {
        var raw = e["CC-Agent-Status"];
        if (Agent(e) is not { } agent || AgentStatuses.OfStatus(raw) is not { } status) return EslFault.Data;
        Agents[agent] = raw;
        events.Add(WireEvent.AgentStatus(Id(e, 's'), at, agent, status, null, null));
        return null;
    }

    Enum? State(EslEvent e, DateTimeOffset at, List<WireEvent> events)
    {
        if (Agent(e) is not { } agent || AgentStatuses.OfState(e["CC-Agent-State"]) is not { } status) return EslFault.Data;
        if (Agents.GetValueOrDefault(agent) is { } known && !AgentStatuses.TakesCalls(known))
        {
            Counts.StatesWhileAway++;
            return null;
        }
        events.Add(WireEvent.AgentStatus(Id(e, 's'), at, agent, status, null, null));
        return null;
    }

    Enum? Other(string action)
    {
        Counts.Other(action.Length == 0 ? "(no CC-Action)" : action);
        return null;
    }

    string? CallId(EslEvent e) => e["CC-Member-Session-UUID"] is { Length: > 0 } uuid ? Identifiers.Map(uuid, source + ":") : null;

    string? Queue(EslEvent e) => Identifiers.Map(e["CC-Queue"], queuePrefix);

    static string? Agent(EslEvent e) => Identifiers.Map(e["CC-Agent"]);

    string Id(EslEvent e, char role) => EventIds.Of(source, e.Key, role);

    // Sent as written: the service keeps only its keyed hash. Never logged here.
    static string? Caller(string number) => number.Trim() is { Length: > 0 } n ? n : null;
}

/// <summary>Why an event gave nothing, when it is broken.</summary>
internal enum EslFault
{
    /// <summary>No <c>Event-Date-Timestamp</c>, or not a number of microseconds.</summary>
    Time,
    /// <summary>A field the event needs is missing or not what it should be (a session uuid, a queue, an agent, a cause, a status).</summary>
    Data,
}

/// <summary>What the mapping set aside, for the summary.</summary>
internal sealed class CallCenterCounts
{
    /// <summary>Offers that were no agent's miss: lost to another agent (ring-all) or withdrawn.</summary>
    public long OffersWithdrawn { get; set; }
    /// <summary>Agent state changes while the agent was on break or logged out.</summary>
    public long StatesWhileAway { get; set; }
    /// <summary>Events of other actions (agent-offering, bridge-agent-end, members-count…), by action.</summary>
    public SortedDictionary<string, long> NotMapped { get; } = new(StringComparer.Ordinal);

    public void Other(string name) => NotMapped[name] = NotMapped.GetValueOrDefault(name) + 1;
}
