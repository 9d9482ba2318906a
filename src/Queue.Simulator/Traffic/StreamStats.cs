using System.Globalization;
using System.Text;
using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>What a stream holds, in a contact-center supervisor's terms: enough to see that it looks like a real day.</summary>
public sealed class StreamStats
{
    readonly Dictionary<string, int> byType = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> byResolution = new(StringComparer.Ordinal);
    readonly Dictionary<string, DateTimeOffset> legStart = new(StringComparer.Ordinal);
    readonly HashSet<string> agents = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> answeredByAgent = new(StringComparer.Ordinal);
    TimeSpan totalWait;
    int answered;
    int answeredIn30s;
    int abandoned;
    int shortAbandoned;

    public int Events { get; private set; }
    public DateTimeOffset? First { get; private set; }
    public DateTimeOffset? Last { get; private set; }

    public void Add(EventDocs.Event e)
    {
        Events++;
        First ??= e.At;
        Last = e.At;
        switch (e)
        {
            case EventDocs.CallQueued q:
                Count(byType, "call.queued");
                legStart[q.CallId] = q.At;
                break;
            case EventDocs.CallTransferred t:
                Count(byType, "call.transferred");
                legStart[t.CallId] = t.At;
                break;
            case EventDocs.CallAnswered a:
                Count(byType, "call.answered");
                Count(answeredByAgent, a.AgentId);
                if (legStart.TryGetValue(a.CallId, out var started))
                {
                    var wait = a.At - started;
                    totalWait += wait;
                    answered++;
                    if (wait <= TimeSpan.FromSeconds(30)) answeredIn30s++;
                }
                break;
            case EventDocs.CallAbandoned b:
                Count(byType, "call.abandoned");
                if (legStart.TryGetValue(b.CallId, out var since) && b.At - since < TimeSpan.FromSeconds(5)) shortAbandoned++;
                else abandoned++;
                break;
            case EventDocs.CallCompleted c:
                Count(byType, "call.completed");
                Count(byResolution, c.Resolution ?? "unknown");
                break;
            case EventDocs.AgentStatusChanged s:
                Count(byType, "agent.status");
                agents.Add(s.AgentId);
                break;
            case EventDocs.VisitCreated:
                Count(byType, "visit.created");
                break;
            case EventDocs.VisitResolved:
                Count(byType, "visit.resolved");
                break;
            case EventDocs.VisitCancelled:
                Count(byType, "visit.cancelled");
                break;
        }
    }

    public int Calls => byType.GetValueOrDefault("call.queued");

    public override string ToString()
    {
        var s = new StringBuilder();
        var completed = byType.GetValueOrDefault("call.completed");
        var offered = answered + abandoned;
        s.Append(CultureInfo.InvariantCulture, $"{Events:N0} events from {First:u} to {Last:u}; ");
        s.Append(CultureInfo.InvariantCulture, $"{Calls:N0} calls, {agents.Count:N0} operators");
        if (answeredByAgent.Count > 0)
            s.Append(CultureInfo.InvariantCulture, $" ({answeredByAgent.Values.Average():0} answered each)");
        s.AppendLine();
        s.Append("  types: ").AppendJoin(", ", byType.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}")).AppendLine();
        s.Append(CultureInfo.InvariantCulture, $"  ASA {(answered > 0 ? totalWait.TotalSeconds / answered : 0):0.0} s, ");
        s.Append(CultureInfo.InvariantCulture, $"service level {Share(answeredIn30s, offered)}, abandoned {Share(abandoned, offered)} (+{shortAbandoned:N0} short), ");
        s.Append(CultureInfo.InvariantCulture, $"transferred {Share(byType.GetValueOrDefault("call.transferred"), Calls)} of calls").AppendLine();
        s.Append("  completed: ").AppendJoin(", ", byResolution.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {Share(p.Value, completed)}"));
        return s.ToString();
    }

    static string Share(int part, int whole) => whole == 0 ? "—" : (part / (double)whole).ToString("0.0%", CultureInfo.InvariantCulture);

    static void Count(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
