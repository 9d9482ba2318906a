using System.Text.Json;
using Npgsql;
using Queue.Events;
using Queue.Storage;

namespace Queue.EventLog;

/// <summary>
/// An entity's folded state before (null: it had no stored events, so no row) and after a batch; the earliest instant of
/// its events, stored and new; and whether a new one is earlier than every stored one.
/// </summary>
internal sealed record Change<TState>(string Id, TState? Before, TState After, DateTimeOffset EventsFrom, bool Earlier);

/// <summary>Bulk writes of folded state: one statement per table, rows passed as parallel arrays to <c>unnest</c>.</summary>
internal static class DerivedWrites
{
    // events_from, the earliest instant of the entity's events, is set when the row is made and only lowered after
    // (EarlierCalls); the history read starts there (EventStore).
    const string UpsertCalls = """
        insert into calls (call_id, region, language, segment, caller_hash, last_queue, legs, completed_at, resolution, visit_id, queues_seen, events_from)
        select t.call_id, t.region, t.language, t.segment, t.caller_hash, t.last_queue, t.legs, t.completed_at, t.resolution, t.visit_id,
               string_to_array(t.queues_seen, ' '), t.events_from
        from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::timestamptz[])
            as t(call_id, region, language, segment, caller_hash, last_queue, legs, completed_at, resolution, visit_id, queues_seen, events_from)
        on conflict (call_id) do update set
            region = excluded.region, language = excluded.language, segment = excluded.segment,
            caller_hash = excluded.caller_hash, last_queue = excluded.last_queue, legs = excluded.legs,
            completed_at = excluded.completed_at, resolution = excluded.resolution, visit_id = excluded.visit_id,
            queues_seen = array(select distinct q collate "C" from unnest(calls.queues_seen || excluded.queues_seen) as q order by 1),
            version = nextval('live_version')
        """;

    // A row from before events_from existed (null) keeps it null: its events are read from the first partition on.
    const string EarlierCalls = """
        update calls c set events_from = t.at from unnest($1::text[], $2::timestamptz[]) as t(call_id, at)
        where c.call_id = t.call_id and c.events_from > t.at
        """;

    const string EarlierVisits = """
        update visits v set events_from = t.at from unnest($1::text[], $2::timestamptz[]) as t(visit_id, at)
        where v.visit_id = t.visit_id and v.events_from > t.at
        """;

    const string DeleteLegsFrom = """
        delete from legs l using unnest($1::text[], $2::int[]) as t(call_id, legs)
        where l.call_id = t.call_id and l.leg >= t.legs
        """;

    const string UpsertLegs = """
        insert into legs (call_id, leg, queue, started_at, ended_at, outcome, agent_id, region, language, segment)
        select * from unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[],
            $8::text[], $9::text[], $10::text[])
        on conflict (call_id, leg) do update set
            queue = excluded.queue, started_at = excluded.started_at, ended_at = excluded.ended_at,
            outcome = excluded.outcome, agent_id = excluded.agent_id,
            region = excluded.region, language = excluded.language, segment = excluded.segment
        """;

    const string DeleteMissesFrom = """
        delete from missed_offers m using unnest($1::text[], $2::int[]) as t(call_id, offers)
        where m.call_id = t.call_id and m.offer >= t.offers
        """;

    const string UpsertMisses = """
        insert into missed_offers (call_id, offer, agent_id, at, queue)
        select * from unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::text[])
        on conflict (call_id, offer) do update set agent_id = excluded.agent_id, at = excluded.at, queue = excluded.queue
        """;

    const string UpsertVisits = """
        insert into visits (visit_id, call_id, region, created_at, due24, due48, resolved_at, cancelled_at, events_from)
        select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[],
            $9::timestamptz[])
        on conflict (visit_id) do update set
            call_id = excluded.call_id, region = excluded.region, created_at = excluded.created_at,
            due24 = excluded.due24, due48 = excluded.due48, resolved_at = excluded.resolved_at, cancelled_at = excluded.cancelled_at,
            version = nextval('live_version')
        """;

    // Latest-wins by (at, event id) is a fold too: the same maximum whatever the arrival order.
    // Event ids compare byte-wise (collate "C"), as they do in the ordinal sort of the in-memory folds.
    // An older event leaves the status as it is but still takes a new version: it may split or end a wrap-up episode,
    // which live state times from the agent's status events (ADR 0006), so the agent is projected again.
    const string MergeAgentStatus = """
        insert into agents as a (agent_id, status, status_at, status_event, status_reason)
        select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[])
        on conflict (agent_id) do update set
            status = case when (a.status_at, a.status_event collate "C") < (excluded.status_at, excluded.status_event collate "C")
                          then excluded.status else a.status end,
            status_at = case when (a.status_at, a.status_event collate "C") < (excluded.status_at, excluded.status_event collate "C")
                             then excluded.status_at else a.status_at end,
            status_event = case when (a.status_at, a.status_event collate "C") < (excluded.status_at, excluded.status_event collate "C")
                                then excluded.status_event else a.status_event end,
            status_reason = case when (a.status_at, a.status_event collate "C") < (excluded.status_at, excluded.status_event collate "C")
                                 then excluded.status_reason else a.status_reason end,
            version = nextval('live_version')
        """;

    const string MergeAgentQueues = """
        update agents as a set queues = t.queues::jsonb, queues_at = t.at, queues_event = t.id,
            queues_seen = array(select distinct q collate "C" from unnest(a.queues_seen || array(select jsonb_array_elements_text(t.queues::jsonb))) as q order by 1),
            version = nextval('live_version')
        from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) as t(agent_id, queues, at, id)
        where a.agent_id = t.agent_id
          and (a.queues_at is null or (a.queues_at, a.queues_event collate "C") < (t.at, t.id collate "C"))
        """;

    /// <summary>
    /// Writes each call's row if anything of the call changed (its version tells live state so), and only the legs
    /// that changed.
    /// </summary>
    public static void Calls(NpgsqlBatch batch, List<Change<CallState>> changes)
    {
        // A missed offer changes no column of the call's row, but takes a new version: live state counts it (the agent's day).
        var calls = changes.Where(c => c.Before is not { } b || !SameRow(b, c.After) || !SameLegs(b, c.After) || !SameMisses(b, c.After)).ToList();
        if (calls.Count > 0)
        {
            batch.BatchCommands.Add(ColumnSql.Command(UpsertCalls,
                calls.Select(c => c.Id).ToArray(),
                calls.Select(c => c.After.Region).ToArray(),
                calls.Select(c => c.After.Language).ToArray(),
                calls.Select(c => c.After.Segment).ToArray(),
                calls.Select(c => c.After.CallerHash).ToArray(),
                calls.Select(c => c.After.LastQueue).ToArray(),
                calls.Select(c => c.After.Legs.Count).ToArray(),
                calls.Select(c => Utc(c.After.CompletedAt)).ToArray(),
                calls.Select(c => c.After.Resolution is { } r ? Wire.Name(r) : null).ToArray(),
                calls.Select(c => c.After.VisitId).ToArray(),
                calls.Select(c => string.Join(' ', LiveSeen(c.After))).ToArray(),
                calls.Select(c => c.EventsFrom.UtcDateTime).ToArray()));
        }
        var earlier = changes.Where(c => c.Earlier).ToList();
        if (earlier.Count > 0)
            batch.BatchCommands.Add(ColumnSql.Command(EarlierCalls, earlier.Select(c => c.Id).ToArray(), earlier.Select(c => c.EventsFrom.UtcDateTime).ToArray()));

        var shrunk = changes.Where(c => c.Before is { } b && b.Legs.Count > c.After.Legs.Count).ToList();
        if (shrunk.Count > 0)
            batch.BatchCommands.Add(ColumnSql.Command(DeleteLegsFrom, shrunk.Select(c => c.Id).ToArray(), shrunk.Select(c => c.After.Legs.Count).ToArray()));

        Misses(batch, changes);

        // A leg carries its call's region, language and segment: when those change (a later-sorted call.queued fills a
        // gap), every leg of the call is written again.
        var legs = changes.SelectMany(c => c.After.Legs
                .Select((leg, i) => (c.Id, Index: i, Leg: leg, Call: c.After))
                .Where(l => c.Before is not { } b || l.Index >= b.Legs.Count || b.Legs[l.Index] != l.Leg || !SameFields(b, c.After)))
            .ToList();
        if (legs.Count == 0) return;
        batch.BatchCommands.Add(ColumnSql.Command(UpsertLegs,
            legs.Select(l => l.Id).ToArray(),
            legs.Select(l => l.Index).ToArray(),
            legs.Select(l => l.Leg.Queue).ToArray(),
            legs.Select(l => l.Leg.Start.UtcDateTime).ToArray(),
            legs.Select(l => Utc(l.Leg.End)).ToArray(),
            legs.Select(l => l.Leg.Outcome is { } o ? OutcomeName(o) : null).ToArray(),
            legs.Select(l => l.Leg.AgentId).ToArray(),
            legs.Select(l => l.Call.Region).ToArray(),
            legs.Select(l => l.Call.Language).ToArray(),
            legs.Select(l => l.Call.Segment).ToArray()));
    }

    // A call completed before any of its legs is known (its queued event has not arrived yet) counts in the center
    // alone, and live state keeps it under the center's key, as it does a visit without a call. Stored queues_seen only
    // grows, so the center stays listed once the legs arrive, and live state then takes that part away again.
    static IEnumerable<string> LiveSeen(CallState call) =>
        call.LastQueue is null && call.CompletedAt is not null ? call.Seen.Add(CommittedEvents.Center) : call.Seen;

    static bool SameFields(CallState a, CallState b) => a.Region == b.Region && a.Language == b.Language && a.Segment == b.Segment;

    static bool SameRow(CallState a, CallState b) =>
        a.Region == b.Region && a.Language == b.Language && a.Segment == b.Segment && a.CallerHash == b.CallerHash
        && a.LastQueue == b.LastQueue && a.Legs.Count == b.Legs.Count && a.CompletedAt == b.CompletedAt
        && a.Resolution == b.Resolution && a.VisitId == b.VisitId && a.Seen.SetEquals(b.Seen);

    static bool SameLegs(CallState a, CallState b) => a.Legs.SequenceEqual(b.Legs);

    static bool SameMisses(CallState a, CallState b) => a.Misses.SequenceEqual(b.Misses);

    // Offers are numbered in source order: one that sorts earlier renumbers those after it, which are written again.
    static void Misses(NpgsqlBatch batch, List<Change<CallState>> changes)
    {
        var shrunk = changes.Where(c => c.Before is { } b && b.Misses.Count > c.After.Misses.Count).ToList();
        if (shrunk.Count > 0)
            batch.BatchCommands.Add(ColumnSql.Command(DeleteMissesFrom, shrunk.Select(c => c.Id).ToArray(), shrunk.Select(c => c.After.Misses.Count).ToArray()));
        var misses = changes.SelectMany(c => c.After.Misses
                .Select((miss, i) => (c.Id, Index: i, Miss: miss))
                .Where(m => c.Before is not { } b || m.Index >= b.Misses.Count || b.Misses[m.Index] != m.Miss))
            .ToList();
        if (misses.Count == 0) return;
        batch.BatchCommands.Add(ColumnSql.Command(UpsertMisses,
            misses.Select(m => m.Id).ToArray(),
            misses.Select(m => m.Index).ToArray(),
            misses.Select(m => m.Miss.AgentId).ToArray(),
            misses.Select(m => m.Miss.At.UtcDateTime).ToArray(),
            misses.Select(m => m.Miss.Queue).ToArray()));
    }

    public static void Visits(NpgsqlBatch batch, List<Change<VisitState>> changes)
    {
        var earlier = changes.Where(c => c.Earlier).ToList();
        if (earlier.Count > 0)
            batch.BatchCommands.Add(ColumnSql.Command(EarlierVisits, earlier.Select(c => c.Id).ToArray(), earlier.Select(c => c.EventsFrom.UtcDateTime).ToArray()));
        var visits = changes.Where(v => v.Before != v.After).ToList();
        if (visits.Count == 0) return;
        batch.BatchCommands.Add(ColumnSql.Command(UpsertVisits,
            visits.Select(v => v.Id).ToArray(),
            visits.Select(v => v.After.CallId).ToArray(),
            visits.Select(v => v.After.Region).ToArray(),
            visits.Select(v => Utc(v.After.CreatedAt)).ToArray(),
            visits.Select(v => Utc(v.After.Due24)).ToArray(),
            visits.Select(v => Utc(v.After.Due48)).ToArray(),
            visits.Select(v => Utc(v.After.ResolvedAt)).ToArray(),
            visits.Select(v => Utc(v.After.CancelledAt)).ToArray(),
            visits.Select(v => v.EventsFrom.UtcDateTime).ToArray()));
    }

    public static void Agents(NpgsqlBatch batch, List<AgentStatusChanged> changes)
    {
        // Within the batch, keep each agent's latest; the database keeps the latest across batches (and a new version for
        // any new event). Rows go in agent order, so concurrent batches lock agents in the same order and cannot deadlock.
        var latest = changes.GroupBy(c => c.AgentId, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(c => c.At).ThenByDescending(c => c.Id, StringComparer.Ordinal).First())
            .OrderBy(c => c.AgentId, StringComparer.Ordinal)
            .ToList();
        batch.BatchCommands.Add(ColumnSql.Command(MergeAgentStatus,
            latest.Select(c => c.AgentId).ToArray(),
            latest.Select(c => Wire.Name(c.Status)).ToArray(),
            latest.Select(c => c.At.UtcDateTime).ToArray(),
            latest.Select(c => c.Id).ToArray(),
            latest.Select(c => c.Reason).ToArray()));

        var withQueues = changes.Where(c => c.Queues is not null).GroupBy(c => c.AgentId, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(c => c.At).ThenByDescending(c => c.Id, StringComparer.Ordinal).First())
            .OrderBy(c => c.AgentId, StringComparer.Ordinal)
            .ToList();
        if (withQueues.Count == 0) return;
        batch.BatchCommands.Add(ColumnSql.Command(MergeAgentQueues,
            withQueues.Select(c => c.AgentId).ToArray(),
            withQueues.Select(c => JsonSerializer.Serialize(c.Queues)).ToArray(),
            withQueues.Select(c => c.At.UtcDateTime).ToArray(),
            withQueues.Select(c => c.Id).ToArray()));
    }

    public static string OutcomeName(LegOutcome outcome) => outcome switch
    {
        LegOutcome.Answered => "answered",
        LegOutcome.Abandoned => "abandoned",
        _ => "transferred",
    };

    static DateTime? Utc(DateTimeOffset? value) => value?.UtcDateTime;
}
