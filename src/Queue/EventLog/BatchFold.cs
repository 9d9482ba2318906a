using Npgsql;
using Queue.Events;

namespace Queue.EventLog;

/// <summary>
/// What a batch's new events change: every touched call and visit re-folded from all of its events, stored and new,
/// against the fold of the stored events alone (which is what the derived rows hold); and the agents' status events,
/// merged latest-wins in place. Pure: the stored events come in as a value.
/// </summary>
internal sealed record BatchFold(List<Change<CallState>> Calls, List<Change<VisitState>> Visits, List<AgentStatusChanged> Agents)
{
    public static BatchFold Of(List<QueueEvent> fresh, List<QueueEvent> stored)
    {
        // Entities touched only by duplicates are left alone.
        var touched = fresh.Select(e => e.Entity).ToHashSet(StringComparer.Ordinal);
        var relevant = stored.Where(e => touched.Contains(e.Entity)).ToList();
        return new BatchFold(
            Changes<CallEvent, CallState>(relevant, fresh, e => e.CallId, CallFold.Fold),
            Changes<VisitEvent, VisitState>(relevant, fresh, e => e.VisitId, VisitFold.Fold),
            fresh.OfType<AgentStatusChanged>().ToList());
    }

    /// <summary>
    /// The same fold once more stored events are known (<paramref name="later"/>, committed since <paramref name="stored"/>
    /// was read): only the calls and visits they belong to are folded again, from all of their stored events.
    /// </summary>
    public BatchFold With(List<QueueEvent> fresh, List<QueueEvent> stored, List<QueueEvent> later)
    {
        if (later.Count == 0) return this;
        var again = later.Select(e => e.Entity).ToHashSet(StringComparer.Ordinal);
        var refolded = Of([.. fresh.Where(e => again.Contains(e.Entity))], [.. stored.Where(e => again.Contains(e.Entity))]);
        return this with { Calls = Replace(Calls, refolded.Calls), Visits = Replace(Visits, refolded.Visits) };
    }

    public void Write(NpgsqlBatch batch, TimeZoneInfo? zone, DateTimeOffset now)
    {
        if (Calls.Count > 0) DerivedWrites.Calls(batch, Calls);
        if (Visits.Count > 0) DerivedWrites.Visits(batch, Visits);
        if (Agents.Count > 0) DerivedWrites.Agents(batch, Agents);
        // Weeks that are over whose weekly report these changes may alter: their next read makes it again.
        if (zone is not null) ReportWeeksChanged.Mark(batch, ReportWeeksChanged.Of(Touched(), zone, now), now);
    }

    static List<Change<TState>> Replace<TState>(List<Change<TState>> changes, List<Change<TState>> again)
    {
        if (again.Count == 0) return changes;
        var by = again.ToDictionary(c => c.Id, StringComparer.Ordinal);
        return [.. changes.Select(c => by.TryGetValue(c.Id, out var newer) ? newer : c)];
    }

    // The instants by which a report counts what changed: legs' ends, completions, visits' deadlines, before and after.
    IEnumerable<DateTimeOffset> Touched()
    {
        foreach (var c in Calls)
        {
            foreach (var state in (CallState?[])[c.Before, c.After])
            {
                if (state is null) continue;
                foreach (var leg in state.Legs)
                    if (leg.End is { } end) yield return end;
                if (state.CompletedAt is { } completed) yield return completed;
            }
        }
        foreach (var v in Visits)
        {
            foreach (var state in (VisitState?[])[v.Before, v.After])
            {
                if (state?.CreatedAt is not { } created) continue;
                yield return created + VisitState.Deadline24;
                yield return created + VisitState.Deadline48;
            }
        }
    }

    static List<Change<TState>> Changes<TEvent, TState>(
        List<QueueEvent> stored, List<QueueEvent> added, Func<TEvent, string> key, Func<IEnumerable<TEvent>, TState> fold)
        where TEvent : QueueEvent
    {
        var before = stored.OfType<TEvent>().ToLookup(key, StringComparer.Ordinal);
        return [.. added.OfType<TEvent>().GroupBy(key, StringComparer.Ordinal).Select(g =>
        {
            var old = before[g.Key].ToList();
            var first = g.Min(e => e.At);
            var stored = old.Count == 0 ? (DateTimeOffset?)null : old.Min(e => e.At);
            return new Change<TState>(g.Key, old.Count == 0 ? default : fold(old), fold(old.Concat(g)),
                stored is { } s && s < first ? s : first, stored is { } earliest && first < earliest);
        })];
    }
}
