using Queue.Ingest;

namespace Queue.Simulator.QueueLog;

// Operators as queue members: a shift is a login to the operator's queues (ADDMEMBER, and REMOVEMEMBER at its end, as a
// login through the manager interface writes them), a break is a pause with its reason (PAUSEALL, then a PAUSE in each
// queue, as Asterisk writes a pause of every queue). Busy and wrap-up are the phone's state, which queue_log never shows.
internal sealed partial class AsteriskQueueLog
{
    readonly Dictionary<string, MemberLine> members = new(StringComparer.Ordinal);

    void Status(EventDocs.AgentStatusChanged s)
    {
        var name = PbxNames.Member(s.AgentId);
        if (!members.TryGetValue(name, out var m)) members[name] = m = new MemberLine();
        switch (s.Status)
        {
            case "available" when s.Queues is { } queues:
                // A shift starts: logged in to exactly the operator's queues.
                m.Known = true;
                if (m.Paused) Unpause(name, m);
                foreach (var old in m.Queues.Where(q => !queues.Contains(q, StringComparer.Ordinal)).ToList()) Remove(name, m, old);
                foreach (var q in queues)
                    if (m.Queues.Add(q)) Add($"{epoch}|MANAGER|{q}|{name}|ADDMEMBER|");
                break;
            case "available" when m.Paused:
                Unpause(name, m);
                break;
            case "break" when !m.Paused:
                m.Paused = true;
                var reason = s.Reason ?? "";
                Add($"{epoch}|NONE|NONE|{name}|PAUSEALL|{reason}");
                foreach (var q in m.Queues) Add($"{epoch}|NONE|{q}|{name}|PAUSE|{reason}");
                break;
            case "offline":
                m.Known = true;
                m.Paused = false;
                foreach (var q in m.Queues.ToList()) Remove(name, m, q);
                break;
        }
    }

    void Unpause(string name, MemberLine m)
    {
        m.Paused = false;
        Add($"{epoch}|NONE|NONE|{name}|UNPAUSEALL|");
        foreach (var q in m.Queues) Add($"{epoch}|NONE|{q}|{name}|UNPAUSE|");
    }

    void Remove(string name, MemberLine m, string queue)
    {
        m.Queues.Remove(queue);
        Add($"{epoch}|MANAGER|{queue}|{name}|REMOVEMEMBER|");
    }

    /// <summary>An operator logged in before the log begins is seen first on a call: that is one of its queues.</summary>
    void Learn(string member, string queue)
    {
        if (!members.TryGetValue(member, out var m)) members[member] = m = new MemberLine();
        if (!m.Known) m.Queues.Add(queue);
    }

    /// <summary>An operator's queues and pause, as the PBX has them.</summary>
    sealed class MemberLine
    {
        public SortedSet<string> Queues { get; } = new(StringComparer.Ordinal);
        public bool Paused { get; set; }

        /// <summary>Its login has been seen (or its logout): its queues are known, not guessed from its calls.</summary>
        public bool Known { get; set; }
    }
}
