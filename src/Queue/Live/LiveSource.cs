using System.Text.Json;
using Npgsql;
using Queue.Events;
using Queue.Ingest;
using Queue.Storage;

namespace Queue.Live;

/// <summary>Reads the stored rows live state is projected from: by id (following the log) or all that are live (rebuilding).</summary>
internal sealed class LiveSource(NpgsqlDataSource db)
{
    // A call's offers missed in a queue ride on its first row (leg 0, or none), read for all the calls at once.
    const string CallsSql = """
        select c.call_id, c.version, c.region, c.language, c.segment, c.last_queue, c.completed_at, c.resolution, c.queues_seen,
               l.leg, l.queue, l.started_at, l.ended_at, l.outcome, l.agent_id,
               m.agents, m.ats, m.queues
        from calls c left join legs l on l.call_id = c.call_id
        left join (
            select call_id, array_agg(agent_id order by offer) as agents, array_agg(at order by offer) as ats, array_agg(queue order by offer) as queues
            from missed_offers where call_id = any($1) and queue is not null
            group by call_id
        ) m on m.call_id = c.call_id and (l.leg is null or l.leg = 0)
        where c.call_id = any($1)
        order by c.call_id, l.leg
        """;

    // A visit belongs to the queue of its call's last leg: the call it names, or else the first call that names it.
    // Its part may stand in any queue of any call it was ever linked to (links come and go as events arrive out of
    // order), so those queues all get a part, empty where it is not, and its version is the highest of them all:
    // a later projection never carries a lower number, nor misses a queue an earlier one wrote to. Links are read
    // for all the visits at once (a rebuild reads hundreds of thousands), then joined.
    const string VisitsSql = """
        with v as (select * from visits where visit_id = any($1)),
        links (visit_id, call_id) as (
            select visit_id, call_id from v where call_id is not null
            union select visit_id, call_id from calls where visit_id = any($1)
            union select substr(entity, 3) collate "C", body->>'callId' collate "C" from events
                  where entity = any($2) and type = 'visit.created' and body ? 'callId'
            union select body->>'visitId' collate "C", substr(entity, 3) collate "C" from events
                  where body->>'visitId' = any($1) and type = 'call.completed' and body ? 'visitId'
            union select body->>'visitId' collate "C", substr(entity, 3) collate "C" from events
                  where body->>'visitId' = any($1) and type = 'call.resolution' and body ? 'visitId'
        ),
        linked as (
            select l.visit_id, max(c.version) as version, array_agg(distinct q) filter (where q is not null) as queues
            from links l join calls c on c.call_id = l.call_id left join lateral unnest(c.queues_seen) q on true
            group by l.visit_id
        )
        select v.visit_id, greatest(v.version, k.version),
               coalesce((select c.last_queue from calls c where c.call_id = v.call_id),
                        (select c.last_queue from calls c where c.visit_id = v.visit_id order by c.call_id limit 1)),
               coalesce(k.queues, '{}'), v.created_at, v.resolved_at, v.cancelled_at
        from v left join linked k on k.visit_id = v.visit_id
        """;

    // Visits whose queue may follow these calls: those naming them, and every visit any of their completions or told
    // outcomes named (a call completed, or told, twice may have named another visit first: that one must leave the
    // call's queue). Those events are read by the index of them alone (migration 0031), not with the calls' others.
    const string LinkedVisitsSql = """
        select visit_id from visits where call_id = any($1)
        union
        select body->>'visitId' from events
        where entity = any($2) and type in ('call.completed', 'call.resolution') and body ? 'visitId'
        """;

    const string AgentsSql = """
        select a.agent_id, a.version, a.status, a.status_at, a.queues::text, a.queues_seen,
               coalesce(m.ats, '{}'), coalesce(m.ids, '{}'), coalesce(m.statuses, '{}'), a.status_reason
        from agents a
        left join lateral (
            select array_agg(x.at order by x.at, x.id) as ats, array_agg(x.id order by x.at, x.id) as ids,
                   array_agg(x.status order by x.at, x.id) as statuses
            from (
                select * from (
                    (select at, id, body->>'status' as status from events
                     where entity = 'a:' || a.agent_id and type = 'agent.status' and at >= $2 order by at desc, id desc limit $3)
                    union all
                    (select at, id, body->>'status' from events
                     where entity = 'a:' || a.agent_id and type = 'agent.status' and at < $2 order by at desc, id desc limit 1)
                ) u
                order by at desc, id desc limit $3
            ) x
        ) m on true
        where a.agent_id = any($1)
        """;

    // By the hour they started in, then by the agent who answered them: a rebuild applies them in chunks, and a
    // chunk's calls then share quarter hours and agents, whose counters it adds to once, not once per call.
    const string LiveCallsSql = """
        with live as (
            select call_id, started_at, agent_id from legs where ended_at is null
            union all select call_id, started_at, agent_id from legs where ended_at >= $1
            union all select call_id, null, null from calls where completed_at >= $1
        )
        select call_id from live
        group by call_id
        order by date_trunc('hour', max(started_at)), max(agent_id), call_id
        """;

    const string EndedInSql = "select distinct call_id from legs where queue = $1 and ended_at >= $2";

    const string LiveVisitsSql = """
        select visit_id from visits where resolved_at is null and cancelled_at is null
        union select visit_id from visits where due48 >= $1
        """;

    public async Task<List<CallRow>> CallsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var calls = new List<CallRow>(ids.Count);
        if (ids.Count == 0) return calls;
        await using var command = db.CreateCommand(CallsSql);
        command.Parameters.Add(ColumnSql.Column(ids.ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        CallRow? current = null;
        List<Leg>? legs = null;
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (current?.CallId != id)
            {
                legs = [];
                current = new CallRow(id, reader.GetInt64(1), Text(reader, 2), Text(reader, 3), Text(reader, 4), Text(reader, 5),
                    Instant(reader, 6), reader.IsDBNull(7) ? null : Wire.Resolutions[reader.GetString(7)],
                    reader.GetFieldValue<string[]>(8), legs) { Misses = Misses(reader) };
                calls.Add(current);
            }
            if (reader.IsDBNull(9)) continue;
            legs!.Add(new Leg(reader.GetString(10), Instant(reader, 11)!.Value, Instant(reader, 12),
                Text(reader, 13) switch
                {
                    "answered" => LegOutcome.Answered,
                    "abandoned" => LegOutcome.Abandoned,
                    "transferred" => LegOutcome.Transferred,
                    _ => null,
                },
                Text(reader, 14)));
        }
        return calls;
    }

    public async Task<List<string>> LinkedVisitsAsync(IReadOnlyCollection<string> callIds, CancellationToken ct)
    {
        if (callIds.Count == 0) return [];
        await using var command = db.CreateCommand(LinkedVisitsSql);
        command.Parameters.Add(ColumnSql.Column(callIds.ToArray()));
        command.Parameters.Add(ColumnSql.Column(callIds.Select(EntityKey.Call).ToArray()));
        return await ReadIdsAsync(command, ct);
    }

    public async Task<List<VisitRow>> VisitsAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var visits = new List<VisitRow>(ids.Count);
        if (ids.Count == 0) return visits;
        await using var command = db.CreateCommand(VisitsSql);
        command.Parameters.Add(ColumnSql.Column(ids.ToArray()));
        command.Parameters.Add(ColumnSql.Column(ids.Select(EntityKey.Visit).ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            visits.Add(new VisitRow(reader.GetString(0), reader.GetInt64(1), Text(reader, 2), reader.GetFieldValue<string[]>(3),
                Instant(reader, 4), Instant(reader, 5), Instant(reader, 6)));
        }
        return visits;
    }

    /// <summary>
    /// The agents' rows, each with its status events since <paramref name="since"/> and the last one before them (at most
    /// the latest <see cref="AgentRow.RecentMost"/>), read with the row (index: migration 0022).
    /// </summary>
    public async Task<List<AgentRow>> AgentsAsync(IReadOnlyCollection<string> ids, DateTimeOffset since, CancellationToken ct)
    {
        var agents = new List<AgentRow>(ids.Count);
        if (ids.Count == 0) return agents;
        await using var command = db.CreateCommand(AgentsSql);
        command.Parameters.Add(ColumnSql.Column(ids.ToArray()));
        command.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = AgentRow.RecentMost });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            agents.Add(new AgentRow(reader.GetString(0), reader.GetInt64(1), Wire.Statuses[reader.GetString(2)], Instant(reader, 3)!.Value,
                reader.IsDBNull(4) ? null : JsonSerializer.Deserialize<string[]>(reader.GetString(4)), reader.GetFieldValue<string[]>(5),
                Marks(reader.GetFieldValue<DateTime[]>(6), reader.GetFieldValue<string[]>(7), reader.GetFieldValue<string[]>(8)),
                Text(reader, 9)));
        }
        return agents;
    }

    // Only offers missed in a queue: live state counts them there (an offer before any leg is known counts nowhere yet).
    static MissedOffer[] Misses(NpgsqlDataReader reader)
    {
        if (reader.IsDBNull(15)) return [];
        var agents = reader.GetFieldValue<string[]>(15);
        var ats = reader.GetFieldValue<DateTime[]>(16);
        var queues = reader.GetFieldValue<string[]>(17);
        var misses = new MissedOffer[agents.Length];
        for (var i = 0; i < misses.Length; i++) misses[i] = new MissedOffer(agents[i], new DateTimeOffset(ats[i], TimeSpan.Zero), queues[i]);
        return misses;
    }

    static AgentMark[] Marks(DateTime[] ats, string[] ids, string[] statuses)
    {
        var marks = new AgentMark[ats.Length];
        for (var i = 0; i < marks.Length; i++) marks[i] = new AgentMark(new DateTimeOffset(ats[i], TimeSpan.Zero), ids[i], Wire.Statuses[statuses[i]]);
        return marks;
    }

    /// <summary>The oldest transaction still running: every transaction below it has ended (docs/adr/0002).</summary>
    public async Task<ulong> HorizonAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand("select pg_snapshot_xmin(pg_current_snapshot())::text");
        return ulong.Parse((string)(await command.ExecuteScalarAsync(ct))!, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<string>> LiveCallIdsAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var command = db.CreateCommand(LiveCallsSql);
        command.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime });
        return await ReadIdsAsync(command, ct);
    }

    /// <summary>Calls that ended a leg in the queue since then: those whose live figures its thresholds shape.</summary>
    public async Task<List<string>> CallIdsEndedInAsync(string queue, DateTimeOffset since, CancellationToken ct)
    {
        await using var command = db.CreateCommand(EndedInSql);
        command.Parameters.Add(new NpgsqlParameter { Value = queue });
        command.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime });
        return await ReadIdsAsync(command, ct);
    }

    public async Task<List<string>> LiveVisitIdsAsync(DateTimeOffset since, CancellationToken ct)
    {
        await using var command = db.CreateCommand(LiveVisitsSql);
        command.Parameters.Add(new NpgsqlParameter { Value = since.UtcDateTime });
        return await ReadIdsAsync(command, ct);
    }

    public async Task<List<string>> AgentIdsAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand("select agent_id from agents");
        return await ReadIdsAsync(command, ct);
    }

    static async Task<List<string>> ReadIdsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    static string? Text(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    static DateTimeOffset? Instant(NpgsqlDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(i), TimeSpan.Zero);
}
