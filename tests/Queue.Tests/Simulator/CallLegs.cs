using Queue.Connect;
using Queue.Ingest;
using Queue.Simulator.QueueLog;

namespace Queue.Tests.Simulator;

/// <summary>A leg as a supervisor counts it, to the second: where it waited, from when, until when, and how it ended.</summary>
internal sealed record CallLeg(string CallId, string Queue, long Start, long? End, string Outcome, string? Agent);

/// <summary>
/// A plain reference for the legs of a stream of call events, whatever produced them (the simulation or the
/// connector's mapping of a queue_log): a leg starts at <c>call.queued</c> or a transfer into a queue and ends at its
/// answer, its abandon or a transfer out of it. Times are whole seconds, as queue_log keeps them.
/// </summary>
internal static class CallLegs
{
    /// <summary>One call event in the terms both sides share.</summary>
    public sealed record Step(string CallId, string Type, DateTimeOffset At, string? Queue, string? Agent);

    static readonly string[] Order = ["call.queued", "call.transferred", "call.missed", "call.answered", "call.abandoned", "call.completed"];

    public static List<CallLeg> Of(IEnumerable<Step> steps)
    {
        var legs = new List<CallLeg>();
        foreach (var call in steps.GroupBy(s => s.CallId, StringComparer.Ordinal))
        {
            (string Queue, long Start)? open = null;
            foreach (var s in call.OrderBy(s => s.At).ThenBy(s => Array.IndexOf(Order, s.Type)))
            {
                var second = s.At.ToUnixTimeSeconds();
                switch (s.Type)
                {
                    case "call.queued":
                        open = (s.Queue!, second);
                        break;
                    case "call.transferred":
                        if (open is { } from) legs.Add(new(call.Key, from.Queue, from.Start, second, "transferred", null));
                        open = (s.Queue!, second);
                        break;
                    case "call.answered" when open is { } waiting:
                        legs.Add(new(call.Key, waiting.Queue, waiting.Start, second, "answered", s.Agent));
                        open = null;
                        break;
                    case "call.abandoned" when open is { } waiting:
                        legs.Add(new(call.Key, waiting.Queue, waiting.Start, second, "abandoned", null));
                        open = null;
                        break;
                }
            }
            if (open is { } still) legs.Add(new(call.Key, still.Queue, still.Start, null, "waiting", null));
        }
        return [.. legs.OrderBy(l => l.CallId, StringComparer.Ordinal).ThenBy(l => l.Start)];
    }

    /// <summary>The simulation's call events, named as the connector names them (call ids from the PBX's uniqueids, agents by member).</summary>
    public static IEnumerable<Step> FromSimulation(IEnumerable<EventDocs.Event> events, string source) =>
        FromSimulation(events, q => PbxNames.ConnectorCallId(source, q.CallId, q.At), Agent);

    /// <summary>The simulation's call events, each call named by <paramref name="callName"/> from its <c>call.queued</c>, each agent by <paramref name="agentName"/>.</summary>
    public static IEnumerable<Step> FromSimulation(IEnumerable<EventDocs.Event> events, Func<EventDocs.CallQueued, string> callName, Func<string, string> agentName)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e is EventDocs.CallQueued entered) ids[entered.CallId] = callName(entered);
            switch (e)
            {
                case EventDocs.CallQueued q: yield return new(ids[q.CallId], "call.queued", q.At, q.Queue, null); break;
                case EventDocs.CallTransferred t: yield return new(ids[t.CallId], "call.transferred", t.At, t.ToQueue, null); break;
                case EventDocs.CallMissed m: yield return new(ids[m.CallId], "call.missed", m.At, null, agentName(m.AgentId)); break;
                case EventDocs.CallAnswered a: yield return new(ids[a.CallId], "call.answered", a.At, null, agentName(a.AgentId)); break;
                case EventDocs.CallAbandoned b: yield return new(ids[b.CallId], "call.abandoned", b.At, null, null); break;
                case EventDocs.CallCompleted c: yield return new(ids[c.CallId], "call.completed", c.At, null, null); break;
            }
        }
    }

    public static IEnumerable<Step> FromConnector(IEnumerable<WireEvent> events) =>
        events.Where(e => e.CallId is not null).Select(e => new Step(e.CallId!, e.Type, e.At, e.Queue ?? e.ToQueue, e.AgentId));

    static string Agent(string operatorId) => Queue.Connect.Identifiers.Map(PbxNames.Member(operatorId))!;
}
