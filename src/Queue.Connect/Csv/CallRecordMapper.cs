using Queue.Connect.Pumping;

namespace Queue.Connect.Csv;

/// <summary>
/// Call records → SPEC §2 events (SPEC §9), pure. A call's legs may stand anywhere in the files and in any order, so
/// rows are gathered by call and mapped when everything is read (<see cref="End"/>); a row met twice (the same key) is
/// one leg. Per call, its legs are put in order (<see cref="CallLegs.Order"/>), then:
/// <list type="bullet">
/// <item>the first leg → <c>call.queued</c> at its queued_at, with region, language, segment and caller;</item>
/// <item>a later leg is reached by the leg before it: when that one was <c>transferred</c>, its own
/// <c>call.transferred</c> starts this leg; otherwise (an agent answered and passed the call on) this leg makes a
/// <c>call.transferred</c> into its queue at its queued_at;</item>
/// <item>the outcome at ended_at: <c>answered</c> → <c>call.answered</c> (agent_id), <c>abandoned</c> →
/// <c>call.abandoned</c>, <c>transferred</c> → <c>call.transferred</c> into transferred_to;</item>
/// <item>the last leg's completed_at → <c>call.completed</c>, with its resolution when given.</item>
/// </list>
/// Ids are <c>{source}:{row key}:{role}</c>; every event's content comes from the row whose key it carries, so a row
/// mapped again can only give the same event or none, never another under the same id.
/// </summary>
internal sealed class CallRecordMapper(string source) : IEventMapper<CallRecord>
{
    readonly Dictionary<string, List<CallRecord>> calls = new(StringComparer.Ordinal);
    readonly HashSet<string> keys = new(StringComparer.Ordinal);

    /// <summary>Rows met again with the same content: their events are those of the first.</summary>
    public long RepeatedRows { get; private set; }

    public Enum? Map(CallRecord row, List<WireEvent> events)
    {
        if (!keys.Add(row.Key))
        {
            RepeatedRows++;
            return null;
        }
        if (!calls.TryGetValue(row.CallId, out var legs)) calls[row.CallId] = legs = [];
        legs.Add(row);
        return null;
    }

    // Rows of a call can come anywhere in the files: nothing is decided before the end.
    public void CaughtUp(DateTimeOffset now, List<WireEvent> events)
    {
    }

    public void End(List<WireEvent> events)
    {
        foreach (var (callId, legs) in calls.OrderBy(c => c.Value.Min(l => l.QueuedAt)).ThenBy(c => c.Key, StringComparer.Ordinal))
            events.AddRange(MapCall(source, callId, legs));
        calls.Clear();
        keys.Clear();
    }

    /// <summary>The events of one call, from all its legs in any order.</summary>
    public static IEnumerable<WireEvent> MapCall(string source, string callId, IReadOnlyCollection<CallRecord> legs)
    {
        string Id(CallRecord row, char role) => EventIds.Of(source, row.Key, role);
        var ordered = CallLegs.Order(legs);
        for (var i = 0; i < ordered.Count; i++)
        {
            var leg = ordered[i];
            if (i == 0)
                yield return WireEvent.Queued(Id(leg, 'q'), leg.QueuedAt, callId, leg.Queue, leg.Caller) with
                {
                    Region = leg.Region, Language = leg.Language, Segment = leg.Segment,
                };
            else if (ordered[i - 1].Outcome != LegOutcome.Transferred)
                yield return WireEvent.Transferred(Id(leg, 'i'), leg.QueuedAt, callId, leg.Queue);
            yield return leg.Outcome switch
            {
                LegOutcome.Answered => WireEvent.Answered(Id(leg, 'a'), leg.EndedAt, callId, leg.AgentId!),
                LegOutcome.Abandoned => WireEvent.Abandoned(Id(leg, 'b'), leg.EndedAt, callId, "hangup"),
                _ => WireEvent.Transferred(Id(leg, 't'), leg.EndedAt, callId, leg.TransferredTo!),
            };
            if (i == ordered.Count - 1 && leg.CompletedAt is { } completed)
                yield return WireEvent.Completed(Id(leg, 'c'), completed, callId, leg.Resolution);
        }
    }
}
