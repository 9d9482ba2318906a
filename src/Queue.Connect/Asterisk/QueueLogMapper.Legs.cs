namespace Queue.Connect.Asterisk;

// Legs, the requeue window, ghosts and attended transfers.
internal sealed partial class QueueLogMapper
{
    /// <summary>
    /// The call enters <paramref name="queue"/> at <paramref name="at"/>: a transfer when an exit or a transfer of it
    /// waits for the requeue window (or a leg of it still waits elsewhere), a new call otherwise.
    /// </summary>
    void Enter(string raw, string callId, string queue, DateTimeOffset at, string key, string? caller)
    {
        if (State.Pending.Remove(raw, out var pending))
        {
            // A transfer never goes back before what it follows (a CONNECT's hold time can reach back past it).
            var when = at < pending.At ? pending.At : at;
            StartLeg(raw, queue, when, WireEvent.Transferred(Id(key, 't'), when, callId, queue));
        }
        else if (State.Legs.ContainsKey(raw))
        {
            // In another queue with no line that ended the first: it moved there.
            StartLeg(raw, queue, at, WireEvent.Transferred(Id(key, 't'), at, callId, queue));
        }
        else
        {
            StartLeg(raw, queue, at, WireEvent.Queued(Id(key, 'q'), at, callId, queue, caller));
        }
    }

    /// <summary>A line that ends a leg no ENTERQUEUE started (a log that starts mid-wait): the leg starts at the line's time less the wait it gives.</summary>
    void EnsureLeg(string raw, string callId, string queue, QueueLogLine line, string? waited)
    {
        if (State.Legs.ContainsKey(raw) || State.Pending.ContainsKey(raw)) return;
        var wait = waited is null ? TimeSpan.Zero : Seconds(waited) ?? TimeSpan.Zero;
        Enter(raw, callId, queue, line.Time - wait, line.Key, caller: null);
    }

    // The held events of the call's previous leg go along: if the new leg turns out a ghost, the call is one whole.
    void StartLeg(string raw, string queue, DateTimeOffset start, WireEvent first)
    {
        State.Legs.Remove(raw, out var previous);
        State.Legs[raw] = new OpenLeg { Queue = queue, Start = start, Released = previous?.Released ?? false, Held = previous?.Held ?? [] };
        Send(raw, first);
    }

    /// <summary>An event of the call: held with its leg while the leg is, sent otherwise.</summary>
    void Send(string raw, WireEvent e)
    {
        if (State.Legs.TryGetValue(raw, out var leg) && !leg.Released) leg.Held.Add(e);
        else output.Add(e);
    }

    /// <summary>The call's leg ends: what it held goes out first.</summary>
    void Close(string raw)
    {
        if (State.Legs.Remove(raw, out var leg) && !leg.Released) output.AddRange(leg.Held);
    }

    void DecidePending(DateTimeOffset now)
    {
        if (State.Pending.Count == 0) return;
        var due = State.Pending.Where(p => p.Value.At + options.RequeueWindow < now)
            .OrderBy(p => p.Value.At).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();
        foreach (var raw in due) Decide(raw);
    }

    /// <summary>The window passed with no new entry: an exit was an abandon, a transfer ended the call.</summary>
    void Decide(string raw)
    {
        if (!State.Pending.Remove(raw, out var p)) return;
        var callId = CallId(raw)!;
        if (p.Kind == EndKind.Exit)
        {
            Close(raw);
            output.Add(WireEvent.Abandoned(Id(p.Key, 'b'), p.At, callId, p.Reason ?? "hangup"));
        }
        else
        {
            output.Add(WireEvent.Completed(Id(p.Key, 'c'), p.At, callId));
        }
    }

    /// <summary>Legs of the last ghost age are sent; older ones that never ended are ghosts, dropped and counted.</summary>
    void SweepLegs()
    {
        if (State.LastTime is not { } last) return;
        var cutoff = last - options.GhostAge;
        foreach (var (raw, leg) in State.Legs.Where(l => !State.Pending.ContainsKey(l.Key)).OrderBy(l => l.Value.Start).ToList())
        {
            if (leg.Start < cutoff) Ghost(raw, leg);
            else if (!leg.Released)
            {
                output.AddRange(leg.Held);
                leg.Held = [];
                leg.Released = true;
            }
        }
        foreach (var raw in State.Consults.Where(c => c.Value.At < cutoff).Select(c => c.Key).ToList()) State.Consults.Remove(raw);
        // A call whose end was never written (the PBX died) must not keep its agent "on a call" for ever.
        foreach (var raw in State.Talks.Where(t => t.Value.At < last - TimeSpan.FromDays(1)).Select(t => t.Key).ToList()) EndTalk(raw);
    }

    void Ghost(string raw, OpenLeg leg)
    {
        State.Legs.Remove(raw);
        if (leg.Released) Counts.GhostLegsAlreadySent++;
        else Counts.GhostLegsDropped++;
    }

    /// <summary>QUEUESTART: Asterisk (re)started, so every channel it had is gone and every open leg is a ghost.</summary>
    SkipCause? PbxStarted()
    {
        foreach (var (raw, leg) in State.Legs.Where(l => !State.Pending.ContainsKey(l.Key)).ToList()) Ghost(raw, leg);
        State.Talks.Clear();
        State.TalkingExtensions.Clear();
        State.Consults.Clear();
        State.Aliases.Clear();
        return null;
    }

    /// <summary>
    /// ATTENDEDTRANSFER: the agent consulted a queue from her phone (a consult channel, held aside) and then joined the
    /// caller to it. The call moves to the consult's queue now — answered at once if the consult already was — and
    /// the consult channel's later lines are the call's.
    /// </summary>
    SkipCause? AttendedTransfer(QueueLogLine line)
    {
        var raw = Resolve(line.CallId);
        if (State.Consults.Remove(raw)) return null;
        if (CallId(raw) is not { } callId) return SkipCause.Data;
        EndTalk(raw, line);
        var consult = State.Consults.Where(c => c.Value.ForCall == raw).OrderByDescending(c => c.Value.At).FirstOrDefault();
        DropConsultsOf(raw);
        if (consult.Value is not { } c)
        {
            if (State.Pending.ContainsKey(raw)) Decide(raw);
            State.Pending[raw] = new PendingEnd(EndKind.Transfer, null, line.Time, line.Key);
            return null;
        }
        State.Aliases[consult.Key] = raw;
        StartLeg(raw, c.Queue, line.Time, WireEvent.Transferred(Id(line, 't'), line.Time, callId, c.Queue));
        if (c.AnsweredBy is { } agent)
        {
            Close(raw);
            output.Add(WireEvent.Answered(Id(line, 'a'), line.Time, callId, agent));
            StartTalk(raw, agent, c.AnsweredColumn ?? "", line);
        }
        return null;
    }

    /// <summary>
    /// An agent takes a call: busy from now. queue_log has no device states, so an agent's talk is read from its calls
    /// (CONNECT to the call's end), as a wallboard needs to show who is on a call.
    /// </summary>
    void StartTalk(string raw, string agentId, string column, QueueLogLine line)
    {
        EndTalk(raw, line);
        var extension = names.Extension(column);
        State.Talks[raw] = new Talk(agentId, extension, line.Time);
        if (extension is not null) State.TalkingExtensions[extension] = raw;
        var agent = Agent(agentId);
        if (agent.Busy) return;
        agent.Busy = true;
        output.Add(WireEvent.AgentStatus(Id(line, 'B'), AgentAt(agentId, line.Time), agentId, "busy", null, Queues(agent)));
    }

    /// <summary>
    /// The call ends (<paramref name="line"/> says when; null: forgotten as stale). Its agent, on no other call, is back
    /// to what the log last said of it: available, or paused with its reason, or nothing more when it logged off.
    /// </summary>
    void EndTalk(string raw, QueueLogLine? line = null)
    {
        if (!State.Talks.Remove(raw, out var talk)) return;
        if (talk.Extension is { } ext && State.TalkingExtensions.GetValueOrDefault(ext) == raw) State.TalkingExtensions.Remove(ext);
        var agent = Agent(talk.AgentId);
        if (!agent.Busy || State.Talks.Values.Any(t => t.AgentId == talk.AgentId)) return;
        agent.Busy = false;
        if (line is null || agent.Status == "offline") return;
        output.Add(WireEvent.AgentStatus(Id(line, 'F'), AgentAt(talk.AgentId, line.Time), talk.AgentId, agent.Status, agent.Reason, Queues(agent)));
    }

    /// <summary>The call ended otherwise than by an attended transfer: its agent's consults lead nowhere.</summary>
    void DropConsultsOf(string raw)
    {
        foreach (var consult in State.Consults.Where(c => c.Value.ForCall == raw).Select(c => c.Key).ToList()) State.Consults.Remove(consult);
    }
}
