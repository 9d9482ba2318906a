namespace Queue.Connect.Asterisk;

// Agents: pauses, membership, logins. An agent's queues in the contract are the whole set it serves, so every status
// carries the set the log has shown so far: queues it was added to or paused in or took calls from, less those it
// was removed from.
internal sealed partial class QueueLogMapper
{
    const int MaxReason = 100;

    SkipCause? Pause(QueueLogLine line)
    {
        if (names.Id(line.Agent) is not { } agent) return SkipCause.Data;
        if (Queue(line.Queue) is { } queue) Learn(agent, queue);
        var paused = line.Event == "PAUSE";
        Status(line, agent, paused ? "break" : "available", paused ? Reason(line.DataAt(0)) : null);
        return null;
    }

    SkipCause? Membership(QueueLogLine line)
    {
        if (names.Id(line.Agent) is not { } agent || Queue(line.Queue) is not { } queue) return SkipCause.Data;
        var a = Agent(agent);
        if (line.Event == "ADDMEMBER")
        {
            a.Queues.Add(queue);
            Status(line, agent, line.DataAt(0) == "PAUSED" ? "break" : "available", null);
        }
        else
        {
            a.Queues.Remove(queue);
            // Removed from one queue of several, the agent keeps whatever status it had in the others.
            if (a.Queues.Count == 0) Status(line, agent, "offline", null);
            else Status(line, agent, a.Status, a.Reason);
        }
        return null;
    }

    SkipCause? AgentLogin(QueueLogLine line)
    {
        if (names.Id(line.Agent, agentLogin: true) is not { } agent) return SkipCause.Data;
        Status(line, agent, line.Event == "AGENTLOGIN" ? "available" : "offline", null);
        return null;
    }

    void Status(QueueLogLine line, string agentId, string status, string? reason)
    {
        var a = Agent(agentId);
        a.Status = status;
        a.Reason = reason;
        IReadOnlyList<string>? queues = a.Queues.Count > 0 || line.Event == "REMOVEMEMBER" ? [.. a.Queues.Order(StringComparer.Ordinal)] : null;
        output.Add(WireEvent.AgentStatus(Id(line, 's'), AgentAt(agentId, line.Time), agentId, status, reason, queues));
    }

    static IReadOnlyList<string>? Queues(AgentState a) => a.Queues.Count > 0 ? [.. a.Queues.Order(StringComparer.Ordinal)] : null;

    void Learn(string agentId, string queue) => Agent(agentId).Queues.Add(queue);

    AgentState Agent(string agentId)
    {
        if (!State.Agents.TryGetValue(agentId, out var a)) State.Agents[agentId] = a = new AgentState();
        return a;
    }

    /// <summary>
    /// An agent's statuses of one second keep file order (PAUSE then UNPAUSE in the same second must end unpaused):
    /// the n-th of them in a second is placed n milliseconds into it.
    /// </summary>
    DateTimeOffset AgentAt(string agentId, DateTimeOffset at)
    {
        var second = at.ToUnixTimeSeconds();
        if (second != State.TickSecond)
        {
            State.TickSecond = second;
            State.Ticks.Clear();
        }
        var n = State.Ticks.GetValueOrDefault(agentId);
        State.Ticks[agentId] = n + 1;
        return at.AddMilliseconds(Math.Min(n, 999));
    }

    /// <summary>A pause reason as the contract takes it: 1–100 characters, no control characters; none when empty.</summary>
    static string? Reason(string text)
    {
        var clean = new string([.. text.Select(ch => char.IsControl(ch) ? ' ' : ch)]).Trim();
        if (clean.Length == 0) return null;
        return clean.Length <= MaxReason ? clean : clean[..MaxReason].TrimEnd();
    }
}
