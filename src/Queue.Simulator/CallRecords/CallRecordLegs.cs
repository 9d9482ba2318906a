using Queue.Ingest;

namespace Queue.Simulator.CallRecords;

/// <summary>One leg of a call as a call-record export has it (SPEC §9's columns); times are instants.</summary>
internal sealed record CallRecordRow(
    string CallId,
    string Queue,
    DateTimeOffset QueuedAt,
    string Outcome,
    DateTimeOffset EndedAt,
    string? AgentId,
    DateTimeOffset? CompletedAt,
    string? Resolution,
    string? TransferredTo,
    string? Region,
    string? Language,
    string? Segment,
    string? Caller);

/// <summary>
/// The simulated center's calls as a system that exports call records keeps them: one row per leg, written once the
/// call is over. A leg answered and then passed on by the operator is an <c>answered</c> row, and the next leg starts
/// at the transfer; a leg moved on while still waiting is a <c>transferred</c> row naming the queue; the last leg of a
/// completed call carries its completion and resolution. Offers that rang out leave no trace (there is no column for
/// them). Pure and lazy: it remembers only the calls in progress.
/// </summary>
internal static class CallRecordLegs
{
    /// <summary>
    /// The rows of every call of <paramref name="events"/> (one center's, in order of <c>at</c>, none of whose calls began
    /// before the stream) that is over by <paramref name="until"/>, a call's rows together when it ends. A call still
    /// going on at <paramref name="until"/> has no record yet, and is left out.
    /// </summary>
    public static IEnumerable<CallRecordRow> Of(IEnumerable<EventDocs.Event> events, DateTimeOffset until)
    {
        var open = new Dictionary<string, Call>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.At > until) yield break;
            switch (e)
            {
                case EventDocs.CallQueued q:
                    open[q.CallId] = new Call(q);
                    break;
                case EventDocs.CallAnswered a when open.TryGetValue(a.CallId, out var call):
                    call.Leg = call.Leg with { Outcome = "answered", EndedAt = a.At, AgentId = a.AgentId };
                    break;
                case EventDocs.CallTransferred t when open.TryGetValue(t.CallId, out var call):
                    call.Done.Add(call.Leg.Outcome == "answered"
                        ? call.Leg
                        : call.Leg with { Outcome = "transferred", EndedAt = t.At, TransferredTo = t.ToQueue });
                    call.Leg = call.Leg with
                    {
                        Queue = t.ToQueue, QueuedAt = t.At, Outcome = "", EndedAt = t.At, AgentId = null, TransferredTo = null,
                    };
                    break;
                case EventDocs.CallAbandoned b when open.Remove(b.CallId, out var call):
                    call.Done.Add(call.Leg with { Outcome = "abandoned", EndedAt = b.At });
                    foreach (var row in call.Done) yield return row;
                    break;
                case EventDocs.CallCompleted c when open.Remove(c.CallId, out var call):
                    call.Done.Add(call.Leg with { CompletedAt = c.At, Resolution = c.Resolution });
                    foreach (var row in call.Done) yield return row;
                    break;
            }
        }
    }

    /// <summary>The ids of the calls whose records <see cref="Of"/> gives.</summary>
    public static HashSet<string> CallIds(IEnumerable<EventDocs.Event> events, DateTimeOffset until) =>
        Of(events, until).Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);

    /// <summary>A call in progress: the legs it has finished, and the one it is in.</summary>
    sealed class Call(EventDocs.CallQueued q)
    {
        public List<CallRecordRow> Done { get; } = [];

        // Region, language, segment and caller belong to the call: an export repeats them on each of its rows.
        public CallRecordRow Leg { get; set; } = new(q.CallId, q.Queue, q.At, "", q.At, null, null, null, null, q.Region, q.Language, q.Segment, q.Caller);
    }
}
