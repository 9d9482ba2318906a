using System.Globalization;
using System.Text;

namespace Queue.Tests.Connect;

/// <summary>
/// A plain reading of queue_log files by SPEC §9's rules, independent of the connector: each call's legs (queue, start,
/// end, outcome) and completions, from which /api/metrics must follow after an import. Lines are walked once in file
/// order; a line with fewer than five fields, a time that is not a number, or no newline at the end of the last file is
/// skipped; NUL bytes before a line are dropped. The requeue window is 120 s. An agent is known by the digits of its
/// member name (SIP/1001 and Agent/1001 are extension 1001): a call entering a queue from the extension of an agent on a
/// call is that agent's consult channel, and its attended transfer moves the caller into the consult's queue.
/// </summary>
public sealed class QueueLogReference
{
    const long Window = 120;

    public sealed record Leg(string Queue, long Start, long? End, string? Outcome);

    public sealed class Call
    {
        public List<Leg> Legs { get; } = [];
        public long? CompletedAt;
        public string? CompletedIn;
        public (string Kind, long At)? Pending;
    }

    public Dictionary<string, Call> Calls { get; } = new(StringComparer.Ordinal);

    readonly Dictionary<string, string> talking = new(StringComparer.Ordinal);   // extension → call it is on
    readonly Dictionary<string, (string Of, string Queue, string? AnsweredBy)> consults = new(StringComparer.Ordinal);
    readonly Dictionary<string, string> aliases = new(StringComparer.Ordinal);  // consult channel → the caller's call

    public static QueueLogReference Read(params string[] paths)
    {
        var reference = new QueueLogReference();
        for (var p = 0; p < paths.Length; p++)
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(paths[p]));
            var lines = text.Split('\n');
            // A file's last line is whole only when a newline ends it.
            for (var i = 0; i < lines.Length - 1; i++) reference.Line(lines[i].TrimStart('\0').TrimEnd('\r'));
        }
        reference.Decide(long.MaxValue);
        return reference;
    }

    void Line(string line)
    {
        var f = line.Split('|');
        if (f.Length < 5 || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var t)) return;
        Decide(t);
        var (id, queue, agent, kind) = (f[1], f[2], f[3], f[4]);
        if (aliases.TryGetValue(id, out var caller)) id = caller;
        string Data(int i) => f.Length > 4 + i ? f[4 + i] : "";
        var call = Calls.GetValueOrDefault(id);
        switch (kind)
        {
            case "ENTERQUEUE":
                if (talking.TryGetValue(Data(2), out var onCall) && onCall != id)
                {
                    consults[id] = (onCall, queue, null);
                    return;
                }
                call ??= Calls[id] = new Call();
                if (call.Pending is not null)
                {
                    // Entered again within the window: the exit or transfer was a transfer into this queue, at this entry.
                    Close(call, t, "transferred");
                    call.Pending = null;
                }
                if (Open(call) is null) call.Legs.Add(new Leg(queue, t, null, null));
                break;
            case "CONNECT":
                if (consults.TryGetValue(id, out var c))
                {
                    consults[id] = c with { AnsweredBy = Ext(agent) };
                    return;
                }
                call ??= Calls[id] = new Call();
                if (Open(call) is not { } open || open.Queue != queue || call.Pending is not null)
                {
                    if (call.Pending is not null) { Close(call, t, "transferred"); call.Pending = null; }
                    call.Legs.Add(new Leg(queue, t - long.Parse(Data(1), CultureInfo.InvariantCulture), null, null));
                }
                Close(call, t, "answered");
                talking[Ext(agent)] = id;
                break;
            case "ABANDON":
                if (call is not null) Close(call, t, "abandoned");
                break;
            case "EXITWITHTIMEOUT" or "EXITEMPTY" or "EXITWITHKEY":
                if (call is not null && Open(call) is not null) call.Pending = ("exit", t);
                break;
            case "TRANSFER" or "BLINDTRANSFER":
                Untalk(id);
                if (call is not null) call.Pending = ("transfer", t);
                break;
            case "ATTENDEDTRANSFER":
                Untalk(id);
                if (call is null) break;
                var consult = consults.FirstOrDefault(x => x.Value.Of == id);
                if (consult.Key is null)
                {
                    call.Pending = ("transfer", t);
                    break;
                }
                consults.Remove(consult.Key);
                aliases[consult.Key] = id;
                call.Legs.Add(new Leg(consult.Value.Queue, t, null, null));
                if (consult.Value.AnsweredBy is { } by)
                {
                    Close(call, t, "answered");
                    talking[by] = id;
                }
                break;
            case "COMPLETECALLER" or "COMPLETEAGENT":
                Untalk(id);
                if (call is not null) Complete(call, t);
                break;
        }
    }

    // Decisions whose window passed by t: an exit with no new entry was an abandon; a transfer out of the queues, the end.
    void Decide(long t)
    {
        foreach (var call in Calls.Values)
        {
            if (call.Pending is not { } p || t - p.At <= Window) continue;
            if (p.Kind == "exit") Close(call, p.At, "abandoned");
            else Complete(call, p.At);
            call.Pending = null;
        }
    }

    static Leg? Open(Call call) => call.Legs.Count > 0 && call.Legs[^1].End is null ? call.Legs[^1] : null;

    static void Close(Call call, long t, string outcome)
    {
        if (Open(call) is { } open) call.Legs[^1] = open with { End = t, Outcome = outcome };
    }

    static void Complete(Call call, long t)
    {
        if (call.CompletedAt is not null || call.Legs.Count == 0) return;
        (call.CompletedAt, call.CompletedIn) = (t, call.Legs[^1].Queue);
    }

    void Untalk(string id)
    {
        foreach (var ext in talking.Where(x => x.Value == id).Select(x => x.Key).ToList()) talking.Remove(ext);
    }

    static string Ext(string member) => member[(member.LastIndexOf('/') + 1)..];

    /// <summary>The figures of /api/metrics over all of it, for one queue (null: the center), by SPEC §3.</summary>
    public (long Answered, long Abandoned, long Short, double? Asa, double? ServiceLevel, long Completed) Figures(string? queue)
    {
        var legs = Calls.Values.SelectMany(c => c.Legs).Where(l => queue is null || l.Queue == queue).ToList();
        var answered = legs.Where(l => l.Outcome == "answered").ToList();
        var abandoned = legs.Where(l => l.Outcome == "abandoned").ToList();
        var counted = abandoned.Count(l => l.End - l.Start >= 5);
        var offered = answered.Count + counted;
        return (answered.Count, counted, abandoned.Count - counted,
            answered.Count == 0 ? null : answered.Average(l => (double)(l.End!.Value - l.Start)),
            offered == 0 ? null : (double)answered.Count(l => l.End - l.Start <= 30) / offered,
            Calls.Values.Count(c => c.CompletedAt is not null && (queue is null || c.CompletedIn == queue)));
    }

    public IEnumerable<string> Queues => Calls.Values.SelectMany(c => c.Legs).Select(l => l.Queue).Distinct().Order(StringComparer.Ordinal);
}
