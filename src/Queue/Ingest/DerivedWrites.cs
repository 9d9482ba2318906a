using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Queue.Calls;
using Queue.Visits;

namespace Queue.Ingest;

/// <summary>Bulk writes of folded state: one statement per table, rows passed as parallel arrays to <c>unnest</c>.</summary>
internal static class DerivedWrites
{
    const string UpsertCalls = """
        insert into calls (call_id, region, language, segment, caller_hash, last_queue, legs, completed_at, resolution, visit_id)
        select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::timestamptz[], $9::text[], $10::text[])
        on conflict (call_id) do update set
            region = excluded.region, language = excluded.language, segment = excluded.segment,
            caller_hash = excluded.caller_hash, last_queue = excluded.last_queue, legs = excluded.legs,
            completed_at = excluded.completed_at, resolution = excluded.resolution, visit_id = excluded.visit_id
        """;

    const string DeleteLegs = "delete from legs where call_id = any($1)";

    const string InsertLegs = """
        insert into legs (call_id, leg, queue, started_at, ended_at, outcome, agent_id)
        select * from unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::text[])
        """;

    const string UpsertVisits = """
        insert into visits (visit_id, call_id, region, created_at, due24, due48, resolved_at, cancelled_at)
        select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
        on conflict (visit_id) do update set
            call_id = excluded.call_id, region = excluded.region, created_at = excluded.created_at,
            due24 = excluded.due24, due48 = excluded.due48, resolved_at = excluded.resolved_at, cancelled_at = excluded.cancelled_at
        """;

    // Latest-wins by (at, event id) is a fold too: the same maximum whatever the arrival order.
    // Event ids compare byte-wise (collate "C"), as they do in the ordinal sort of the in-memory folds.
    const string MergeAgentStatus = """
        insert into agents as a (agent_id, status, status_at, status_event)
        select * from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[])
        on conflict (agent_id) do update set
            status = excluded.status, status_at = excluded.status_at, status_event = excluded.status_event
        where (a.status_at, a.status_event collate "C") < (excluded.status_at, excluded.status_event collate "C")
        """;

    const string MergeAgentQueues = """
        update agents as a set queues = t.queues::jsonb, queues_at = t.at, queues_event = t.id
        from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) as t(agent_id, queues, at, id)
        where a.agent_id = t.agent_id
          and (a.queues_at is null or (a.queues_at, a.queues_event collate "C") < (t.at, t.id collate "C"))
        """;

    public static void Calls(NpgsqlBatch batch, List<(string CallId, CallState State)> calls)
    {
        var ids = calls.Select(c => c.CallId).ToArray();
        batch.BatchCommands.Add(Cmd(UpsertCalls,
            ids,
            calls.Select(c => c.State.Region).ToArray(),
            calls.Select(c => c.State.Language).ToArray(),
            calls.Select(c => c.State.Segment).ToArray(),
            calls.Select(c => c.State.CallerHash).ToArray(),
            calls.Select(c => c.State.LastQueue).ToArray(),
            calls.Select(c => c.State.Legs.Count).ToArray(),
            calls.Select(c => Utc(c.State.CompletedAt)).ToArray(),
            calls.Select(c => c.State.Resolution is { } r ? Wire.Name(r) : null).ToArray(),
            calls.Select(c => c.State.VisitId).ToArray()));
        batch.BatchCommands.Add(Cmd(DeleteLegs, ids));

        var legs = calls.SelectMany(c => c.State.Legs.Select((leg, i) => (c.CallId, Index: i, Leg: leg))).ToList();
        if (legs.Count == 0) return;
        batch.BatchCommands.Add(Cmd(InsertLegs,
            legs.Select(l => l.CallId).ToArray(),
            legs.Select(l => l.Index).ToArray(),
            legs.Select(l => l.Leg.Queue).ToArray(),
            legs.Select(l => l.Leg.Start.UtcDateTime).ToArray(),
            legs.Select(l => Utc(l.Leg.End)).ToArray(),
            legs.Select(l => l.Leg.Outcome is { } o ? OutcomeName(o) : null).ToArray(),
            legs.Select(l => l.Leg.AgentId).ToArray()));
    }

    public static void Visits(NpgsqlBatch batch, List<(string VisitId, VisitState State)> visits) =>
        batch.BatchCommands.Add(Cmd(UpsertVisits,
            visits.Select(v => v.VisitId).ToArray(),
            visits.Select(v => v.State.CallId).ToArray(),
            visits.Select(v => v.State.Region).ToArray(),
            visits.Select(v => Utc(v.State.CreatedAt)).ToArray(),
            visits.Select(v => Utc(v.State.Due24)).ToArray(),
            visits.Select(v => Utc(v.State.Due48)).ToArray(),
            visits.Select(v => Utc(v.State.ResolvedAt)).ToArray(),
            visits.Select(v => Utc(v.State.CancelledAt)).ToArray()));

    public static void Agents(NpgsqlBatch batch, List<AgentStatusChanged> changes)
    {
        // Within the batch, keep each agent's latest; the database keeps the latest across batches.
        // Rows go in agent order, so concurrent batches lock agents in the same order and cannot deadlock.
        var latest = changes.GroupBy(c => c.AgentId, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(c => c.At).ThenByDescending(c => c.Id, StringComparer.Ordinal).First())
            .OrderBy(c => c.AgentId, StringComparer.Ordinal)
            .ToList();
        batch.BatchCommands.Add(Cmd(MergeAgentStatus,
            latest.Select(c => c.AgentId).ToArray(),
            latest.Select(c => Wire.Name(c.Status)).ToArray(),
            latest.Select(c => c.At.UtcDateTime).ToArray(),
            latest.Select(c => c.Id).ToArray()));

        var withQueues = changes.Where(c => c.Queues is not null).GroupBy(c => c.AgentId, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(c => c.At).ThenByDescending(c => c.Id, StringComparer.Ordinal).First())
            .OrderBy(c => c.AgentId, StringComparer.Ordinal)
            .ToList();
        if (withQueues.Count == 0) return;
        batch.BatchCommands.Add(Cmd(MergeAgentQueues,
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

    /// <summary>A statement whose parameters are whole columns, as arrays.</summary>
    public static NpgsqlBatchCommand Cmd(string sql, params Array[] columns)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var column in columns) command.Parameters.Add(Column(column));
        return command;
    }

    public static NpgsqlParameter Column(Array values) => new() { Value = values, NpgsqlDbType = ArrayType(values) };

    static NpgsqlDbType ArrayType(Array column) => column switch
    {
        int[] => NpgsqlDbType.Array | NpgsqlDbType.Integer,
        byte[][] => NpgsqlDbType.Array | NpgsqlDbType.Bytea,
        DateTime[] or DateTime?[] => NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        _ => NpgsqlDbType.Array | NpgsqlDbType.Text,
    };
}
