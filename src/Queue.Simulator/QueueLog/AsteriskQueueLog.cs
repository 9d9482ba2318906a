using System.Globalization;
using Queue.Ingest;

namespace Queue.Simulator.QueueLog;

/// <summary>A line of queue_log (no newline) and the instant Asterisk writes it; the line itself has whole seconds.</summary>
internal readonly record struct QueueLogEntry(DateTimeOffset At, string Text);

/// <summary>
/// The simulated center's calls and operators as its Asterisk would have logged them in <c>queue_log</c>
/// (<c>epoch|uniqueid|queue|agent|EVENT|data…</c>): the inverse of the connector's mapping (SPEC §9), so that mapping
/// the lines back gives the simulation's legs to the second. Pure: events in order of <c>at</c> go in, lines in the
/// same order come out, lazily; it remembers only the calls in progress and the operators' memberships.
/// <para>
/// What a PBX does not know is not here: a call's resolution and the field visits come from the CRM
/// (<see cref="CrmFeed"/>), and an operator's busy and wrap-up states are not logged by Asterisk at all.
/// Times lose their fractions, as on a real PBX: a hold time is the difference of the two lines' whole seconds.
/// </para>
/// </summary>
internal sealed partial class AsteriskQueueLog
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    readonly Dictionary<string, int> extensions;
    readonly Dictionary<string, CallLine> calls = new(StringComparer.Ordinal);
    readonly List<QueueLogEntry> lines = [];
    DateTimeOffset at;
    long epoch;

    AsteriskQueueLog(IReadOnlyList<string> queues)
    {
        // Each queue answers on an extension of its own, which a blind transfer dials.
        extensions = queues.Select((q, i) => (q, i)).ToDictionary(p => p.q, p => 7001 + p.i, StringComparer.Ordinal);
    }

    /// <summary>The queue_log lines of <paramref name="events"/> (one center's, in order of <c>at</c>).</summary>
    public static IEnumerable<QueueLogEntry> Write(IEnumerable<EventDocs.Event> events, IReadOnlyList<string> queues) =>
        new AsteriskQueueLog(queues).Translate(events);

    IEnumerable<QueueLogEntry> Translate(IEnumerable<EventDocs.Event> events)
    {
        foreach (var e in events)
        {
            at = e.At;
            epoch = e.At.ToUnixTimeSeconds();
            switch (e)
            {
                case EventDocs.CallQueued q: Queued(q); break;
                case EventDocs.CallMissed m: Missed(m); break;
                case EventDocs.CallAnswered a: Answered(a); break;
                case EventDocs.CallTransferred t: Transferred(t); break;
                case EventDocs.CallAbandoned b: Abandoned(b); break;
                case EventDocs.CallCompleted c: Completed(c); break;
                case EventDocs.AgentStatusChanged s: Status(s); break;
            }
            foreach (var line in lines) yield return line;
            lines.Clear();
        }
    }

    void Queued(EventDocs.CallQueued q)
    {
        // Asterisk writes "unknown" where the caller id has no number.
        var call = new CallLine(PbxNames.CallerChannel(q.CallId, epoch), PbxNames.Number(q.CallId), q.Caller ?? "unknown")
        {
            Queue = q.Queue,
            LegStart = epoch,
        };
        calls[q.CallId] = call;
        Enter(call);
    }

    void Enter(CallLine call) =>
        Add(string.Create(Inv, $"{epoch}|{call.UniqueId}|{call.Queue}|NONE|ENTERQUEUE||{call.CallerId}|1"));

    void Missed(EventDocs.CallMissed m)
    {
        if (!calls.TryGetValue(m.CallId, out var call)) return;
        var member = PbxNames.Member(m.AgentId);
        Learn(member, call.Queue);
        var ms = (long)Math.Round((m.RingSeconds ?? 0) * 1000);
        Add(string.Create(Inv, $"{epoch}|{call.UniqueId}|{call.Queue}|{member}|RINGNOANSWER|{ms}"));
    }

    void Answered(EventDocs.CallAnswered a)
    {
        if (!calls.TryGetValue(a.CallId, out var call)) return;
        var hold = epoch - call.LegStart;
        // The operator's phone rang a few seconds of the wait (1–5 s; never more than the wait).
        var ring = Math.Min(hold, 1 + ((call.Number + call.Leg) % 5));
        call.Member = PbxNames.Member(a.AgentId);
        call.Answered = epoch;
        Learn(call.Member, call.Queue);
        Add(string.Create(Inv, $"{epoch}|{call.UniqueId}|{call.Queue}|{call.Member}|CONNECT|{hold}|{PbxNames.MemberChannel(a.CallId, epoch - ring)}|{ring}"));
    }

    void Transferred(EventDocs.CallTransferred t)
    {
        if (!calls.TryGetValue(t.CallId, out var call)) return;
        if (call.Member is { } member && call.Answered is { } answered)
        {
            // The operator sends the caller to the other queue's extension; the caller enters it at once.
            var ext = extensions.GetValueOrDefault(t.ToQueue, 7000);
            Add(string.Create(Inv, $"{epoch}|{call.UniqueId}|{call.Queue}|{member}|BLINDTRANSFER|{ext}|{PbxNames.TransferContext}|{answered - call.LegStart}|{epoch - answered}|1"));
        }
        else
        {
            // Moved while still waiting: the queue's timeout sends it on, as an overflow does.
            Add(string.Create(Inv, $"{epoch}|{call.UniqueId}|{call.Queue}|NONE|EXITWITHTIMEOUT|1|1|{epoch - call.LegStart}"));
        }
        call.Queue = t.ToQueue;
        call.LegStart = epoch;
        call.Leg++;
        call.Member = null;
        call.Answered = null;
        Enter(call);
    }

    void Abandoned(EventDocs.CallAbandoned b)
    {
        if (!calls.Remove(b.CallId, out var call)) return;
        Add(string.Create(Inv, $"{epoch}|{call.UniqueId}|{call.Queue}|NONE|ABANDON|1|1|{epoch - call.LegStart}"));
    }

    void Completed(EventDocs.CallCompleted c)
    {
        if (!calls.Remove(c.CallId, out var call) || call.Member is not { } member || call.Answered is not { } answered) return;
        // Who hung up first: the caller, mostly.
        var kind = call.Number % 3 == 0 ? "COMPLETEAGENT" : "COMPLETECALLER";
        Add(string.Create(Inv, $"{epoch}|{call.UniqueId}|{call.Queue}|{member}|{kind}|{answered - call.LegStart}|{epoch - answered}|1"));
    }

    void Add(string text) => lines.Add(new QueueLogEntry(at, text));

    /// <summary>A call in progress: its caller channel, and its current leg as the lines need it.</summary>
    sealed class CallLine(string uniqueId, long number, string callerId)
    {
        public string UniqueId { get; } = uniqueId;
        public long Number { get; } = number;
        public string CallerId { get; } = callerId;
        public required string Queue { get; set; }
        public required long LegStart { get; set; }
        public int Leg { get; set; }
        public string? Member { get; set; }
        public long? Answered { get; set; }
    }
}
