using System.Globalization;
using Queue.Connect.Pumping;

namespace Queue.Connect.Asterisk;

/// <summary>
/// The queue_log → SPEC §2 mapping (SPEC §9), pure: lines go in, in file order, events come out; no I/O and no clock
/// (the time comes in as arguments). It remembers only what a later line needs (<see cref="MapperState"/>). The same
/// mapper serves a whole-file import and live following.
/// <para>
/// Events are held back in three places, each for a reason: a leg's own events until the leg ends or the reader has
/// caught up with what is written (a leg that never ends may be a ghost of a restarted PBX, and is then dropped
/// whole); an exit by timeout, empty queue or key, and a transfer by an agent, until the requeue window tells whether
/// the call entered a queue again; a consult channel's lines until its attended transfer completes.
/// </para>
/// </summary>
internal sealed partial class QueueLogMapper(MappingOptions options, MapperState? state = null) : IEventMapper<QueueLogLine>
{
    readonly AgentNames names = new(options.MemberNames);
    List<WireEvent> output = [];

    public MapperState State { get; } = state ?? new MapperState();
    public MappingCounts Counts { get; } = new();

    /// <summary>Maps one line, appending its events (and any earlier ones it decides) to <paramref name="events"/>.</summary>
    /// <returns>Why the line gave nothing, when it is broken; null otherwise.</returns>
    public SkipCause? Map(QueueLogLine line, List<WireEvent> events)
    {
        output = events;
        // The log's own clock decides windows that have passed while reading a backlog.
        DecidePending(line.Time);
        if (State.LastTime is null || line.Time > State.LastTime) State.LastTime = line.Time;
        return line.Event switch
        {
            "ENTERQUEUE" => EnterQueue(line),
            "CONNECT" => Connect(line),
            "ABANDON" => Abandon(line, line.DataAt(2)),
            "SYSCOMPAT" => Abandon(line, null),
            "EXITWITHTIMEOUT" => Exit(line, "timeout", line.DataAt(2)),
            "EXITEMPTY" => Exit(line, "empty", line.DataAt(2)),
            "EXITWITHKEY" => Exit(line, "key", line.DataAt(3)),
            "WITHDRAW" => Exit(line, "hangup", line.DataAt(2)),
            "COMPLETECALLER" or "COMPLETEAGENT" => Complete(line),
            "TRANSFER" or "BLINDTRANSFER" => Transfer(line),
            "ATTENDEDTRANSFER" => AttendedTransfer(line),
            "RINGNOANSWER" => RingNoAnswer(line),
            "PAUSE" or "UNPAUSE" => Pause(line),
            "ADDMEMBER" or "REMOVEMEMBER" => Membership(line),
            "AGENTLOGIN" or "AGENTLOGOFF" => AgentLogin(line),
            "QUEUESTART" => PbxStarted(),
            _ => NotMapped(line.Event),
        };
    }

    Enum? IEventMapper<QueueLogLine>.Map(QueueLogLine line, List<WireEvent> events) => Map(line, events);

    /// <summary>
    /// The reader has read everything written so far, at <paramref name="now"/>: windows that passed by then are
    /// decided, legs of the last ghost age are sent, older ones with no end are ghosts.
    /// </summary>
    public void CaughtUp(DateTimeOffset now, List<WireEvent> events)
    {
        output = events;
        DecidePending(now);
        SweepLegs();
    }

    /// <summary>Nothing more will be read (an import's end): every pending decision is taken now.</summary>
    public void End(List<WireEvent> events)
    {
        output = events;
        DecidePending(DateTimeOffset.MaxValue);
        SweepLegs();
    }

    SkipCause? EnterQueue(QueueLogLine line)
    {
        var raw = Resolve(line.CallId);
        if (CallId(raw) is not { } callId || Queue(line.Queue) is not { } queue) return SkipCause.Data;
        var callerId = line.DataAt(1).Trim();
        if (callerId.Length > 0 && State.TalkingExtensions.TryGetValue(callerId, out var onCall) && onCall != raw)
        {
            // An agent on a call dials a queue from her own phone: the consult channel of an attended transfer.
            State.Consults[raw] = new Consult(onCall, queue, line.Time, null);
            Counts.ConsultChannels++;
            return null;
        }
        Enter(raw, callId, queue, line.Time, line.Key, Caller(callerId));
        return null;
    }

    SkipCause? Connect(QueueLogLine line)
    {
        var raw = Resolve(line.CallId);
        if (CallId(raw) is not { } callId || Queue(line.Queue) is not { } queue || names.Id(line.Agent) is not { } agent)
            return SkipCause.Data;
        if (State.Consults.TryGetValue(raw, out var consult))
        {
            State.Consults[raw] = consult with { AnsweredBy = agent, AnsweredColumn = line.Agent };
            return null;
        }
        if (!(State.Legs.TryGetValue(raw, out var leg) && leg.Queue == queue && !State.Pending.ContainsKey(raw)))
        {
            // No waiting leg of this call in this queue: an attended transfer into it, or a log that starts mid-call.
            var hold = Seconds(line.DataAt(0)) ?? TimeSpan.Zero;
            Enter(raw, callId, queue, line.Time - hold, line.Key, caller: null);
        }
        Close(raw);
        output.Add(WireEvent.Answered(Id(line, 'a'), line.Time, callId, agent));
        Learn(agent, queue);
        StartTalk(raw, agent, line.Agent, line);
        return null;
    }

    SkipCause? Abandon(QueueLogLine line, string? waited)
    {
        var raw = Resolve(line.CallId);
        if (State.Consults.Remove(raw)) return null;
        if (CallId(raw) is not { } callId || Queue(line.Queue) is not { } queue) return SkipCause.Data;
        EnsureLeg(raw, callId, queue, line, waited);
        Close(raw);
        output.Add(WireEvent.Abandoned(Id(line, 'b'), line.Time, callId, "hangup"));
        return null;
    }

    SkipCause? Exit(QueueLogLine line, string reason, string waited)
    {
        var raw = Resolve(line.CallId);
        if (State.Consults.Remove(raw)) return null;
        if (CallId(raw) is not { } callId || Queue(line.Queue) is not { } queue) return SkipCause.Data;
        EnsureLeg(raw, callId, queue, line, waited);
        if (State.Pending.ContainsKey(raw)) Decide(raw);
        State.Pending[raw] = new PendingEnd(EndKind.Exit, reason, line.Time, line.Key);
        return null;
    }

    SkipCause? Complete(QueueLogLine line)
    {
        var raw = Resolve(line.CallId);
        if (State.Consults.Remove(raw)) return null;
        if (CallId(raw) is not { } callId) return SkipCause.Data;
        EndTalk(raw, line);
        DropConsultsOf(raw);
        Close(raw);
        State.Aliases.Remove(line.CallId);
        output.Add(WireEvent.Completed(Id(line, 'c'), line.Time, callId));
        return null;
    }

    SkipCause? Transfer(QueueLogLine line)
    {
        var raw = Resolve(line.CallId);
        if (State.Consults.Remove(raw)) return null;
        if (CallId(raw) is null) return SkipCause.Data;
        EndTalk(raw, line);
        DropConsultsOf(raw);
        State.Aliases.Remove(line.CallId);
        if (State.Pending.ContainsKey(raw)) Decide(raw);
        State.Pending[raw] = new PendingEnd(EndKind.Transfer, null, line.Time, line.Key);
        return null;
    }

    SkipCause? RingNoAnswer(QueueLogLine line)
    {
        var raw = Resolve(line.CallId);
        if (State.Consults.ContainsKey(raw)) return null;
        if (CallId(raw) is not { } callId || names.Id(line.Agent) is not { } agent) return SkipCause.Data;
        double? ring = long.TryParse(line.DataAt(0), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms / 1000.0 : null;
        Send(raw, WireEvent.Missed(Id(line, 'm'), line.Time, callId, agent, ring));
        if (Queue(line.Queue) is { } queue) Learn(agent, queue);
        return null;
    }

    SkipCause? NotMapped(string name)
    {
        Counts.NotMapped[name] = Counts.NotMapped.GetValueOrDefault(name) + 1;
        return null;
    }

    string Resolve(string uniqueId) => State.Aliases.GetValueOrDefault(uniqueId, uniqueId);

    string? CallId(string raw) => raw is "" or "NONE" ? null : Identifiers.Map(raw, options.Source + ":");

    string? Queue(string name) => name is "" or "NONE" ? null : Identifiers.Map(name, options.QueuePrefix);

    string Id(QueueLogLine line, char role) => Id(line.Key, role);

    string Id(string key, char role) => EventIds.Of(options.Source, key, role);

    static readonly string[] Anonymous = ["anonymous", "unknown", "restricted", "private", "unavailable", "<unknown>"];

    // Sent as written: the service keeps only its keyed hash. Never logged here.
    static string? Caller(string callerId) =>
        callerId.Length == 0 || Anonymous.Contains(callerId, StringComparer.OrdinalIgnoreCase) ? null : callerId;

    static TimeSpan? Seconds(string s) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? TimeSpan.FromSeconds(n) : null;
}
