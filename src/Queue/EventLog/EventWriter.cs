using Microsoft.Extensions.Options;
using Npgsql;
using Queue.Events;
using Queue.Storage;

namespace Queue.EventLog;

/// <summary>
/// Writes events in one transaction and refreshes the derived state of every entity they touch: all of them or
/// nothing. Bulk statements only; no round trip per event.
/// </summary>
internal sealed partial class EventWriter(
    [FromKeyedServices(EventLogSetup.IngestPool)] NpgsqlDataSource dataSource, IOptions<IngestOptions> options, EventPartitions partitions,
    ILogger<EventWriter> logger, TimeZoneInfo? zone = null, TimeProvider? time = null, CommitAnnouncer? commits = null)
    : IDisposable
{
    readonly SemaphoreSlim slots = new(options.Value.MaxConcurrentBatches);

    public void Dispose() => slots.Dispose();

    /// <summary>
    /// Writes events of distinct ids in one transaction, in this node's turn: committed when some are new and none
    /// conflicts with a stored event; otherwise rolled back.
    /// </summary>
    public async Task<Written> WriteAsync(List<Pending> unique, CancellationToken ct)
    {
        await slots.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return await TryWriteAsync(unique, ct);
                }
                catch (PostgresException ex) when (attempt < 5 && ex.SqlState is PostgresErrorCodes.DeadlockDetected
                    or PostgresErrorCodes.SerializationFailure)
                {
                    // The lock orders make this unexpected; should it happen, the whole batch is tried again.
                    LogRaced(attempt, ex.SqlState);
                }
                catch (PostgresException ex) when (attempt < 5 && ex is { SqlState: PostgresErrorCodes.CheckViolation, TableName: "events" })
                {
                    // No partition for the month of some event (docs/adr/0007): the jobs that make them ahead have not
                    // run for months, or this node's clock is ahead of theirs. Made here, and the batch tried again.
                    LogNoPartition(ex.Detail ?? ex.MessageText);
                    // History (role import) may span years: only the months that have events get a partition.
                    foreach (var month in unique.Select(p => new DateTimeOffset(p.Event.At.UtcDateTime.Year, p.Event.At.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero)).Distinct())
                        await partitions.EnsureAsync(month, month, ct);
                }
            }
        }
        finally
        {
            slots.Release();
        }
    }

    // Two round trips (three when some ids were taken already). First: store the events whose ids are new,
    // then lock their calls and visits and read those entities' other events. Then, if some ids were taken,
    // compare their content: duplicates or a conflict. Last: write the re-folded rows, and commit. The bulk
    // insert comes before the locks, so batches that share calls (consecutive slices of a stream do) overlap
    // most of their work and queue only for the fold.
    async Task<Written> TryWriteAsync(List<Pending> unique, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // The transaction is opened and committed by statements inside the first and last batches, so that
        // committing costs no round trip of its own while the call locks are held. On an error the connection
        // goes back to the pool with the transaction open, and the pool rolls it back.
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        var conflicts = new HashSet<string>(StringComparer.Ordinal);
        var history = new List<QueueEvent>();
        await using (var store = new NpgsqlBatch(connection))
        {
            store.BatchCommands.Add(new NpgsqlBatchCommand("begin"));
            AddEventWrites(store, unique);
            var entities = unique.Where(p => p.Event is CallEvent or VisitEvent).Select(p => p.Event.Entity).Distinct().ToArray();
            var callIds = unique.Select(p => p.Event).OfType<CallEvent>().Select(e => e.CallId).Distinct().ToArray();
            var visitIds = unique.Select(p => p.Event).OfType<VisitEvent>().Select(e => e.VisitId).Distinct().ToArray();
            // Locked in a fixed order, so batches cannot deadlock; a concurrent batch touching the same call
            // waits for our commit, then folds our events with its own.
            store.BatchCommands.Add(ColumnSql.Command(
                "select count(pg_advisory_xact_lock(k)) as locked from (select distinct hashtextextended(e, 0) as k from unnest($1::text[]) e order by 1) s",
                entities));
            store.BatchCommands.Add(ColumnSql.Command(HistorySql, callIds, visitIds));
            await using var reader = await store.ExecuteReaderAsync(ct);
            do
            {
                var column = reader.FieldCount == 1 ? reader.GetName(0) : "";
                while (await reader.ReadAsync(ct))
                {
                    if (column == "fresh") fresh.Add(reader.GetString(0));
                    else if (column == "body") history.Add(EventJson.Read(reader.GetString(0)));
                }
            }
            while (await reader.NextResultAsync(ct));
        }

        // Ids that were already taken: the same content is a duplicate, other content a conflict. In a fresh
        // statement, so that it sees keys committed by a concurrent batch that our insert waited for.
        var taken = unique.Where(p => !fresh.Contains(p.Event.Id)).ToList();
        if (taken.Count > 0)
        {
            await using var check = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    ColumnSql.Command(
                        "select u.id from unnest($1::text[], $2::bytea[]) as u(id, h) join event_keys k on k.id = u.id where k.content_hash <> u.h",
                        taken.Select(p => p.Event.Id).ToArray(),
                        taken.Select(p => p.Hash).ToArray()),
                },
            };
            await using var reader = await check.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) conflicts.Add(reader.GetString(0));
        }
        if (conflicts.Count > 0 || fresh.Count == 0)
        {
            await using (var rollback = new NpgsqlCommand("rollback", connection)) await rollback.ExecuteNonQueryAsync(ct);
            return new Written(fresh, conflicts);
        }

        await using (var derive = new NpgsqlBatch(connection))
        {
            AddDerivedWrites(derive, [.. unique.Where(p => fresh.Contains(p.Event.Id))], history, zone, (time ?? TimeProvider.System).GetUtcNow());
            derive.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
            try
            {
                await derive.ExecuteNonQueryAsync(ct);
            }
            finally
            {
                // Followers look now (ADR 0002); also when the commit's outcome is unknown, which costs a look at most.
                commits?.Announce();
            }
        }
        return new Written(fresh, conflicts);
    }

    // The stored events of the batch's calls and visits. Only of those with a row: a call or visit with stored events
    // has one, written with them, so a new one has nothing to read. And only from the earliest of their stored events
    // on (events_from; null in rows from before that column: then from the first), so that the event log's months before
    // it are not searched (docs/adr/0007): the partitions before that bound are pruned when the statement starts, and
    // each of the others is read once for all the entities. The batch's own events are in hand already: only the
    // others are read (those not written by this transaction).
    const string HistorySql = """
        with known (entity, events_from) as materialized (
            select ('c:' || call_id) collate "C", coalesce(events_from, '-infinity') from calls where call_id = any($1)
            union all
            select ('v:' || visit_id) collate "C", coalesce(events_from, '-infinity') from visits where visit_id = any($2)
        )
        select body::text as body from events
        where entity = any(array(select entity from known)) and at >= (select coalesce(min(events_from), 'infinity') from known)
          and type <> 'agent.status' and xmin <> pg_current_xact_id()::xid
        """;

    static void AddEventWrites(NpgsqlBatch batch, List<Pending> unique)
    {
        // Keys go in id order, so two batches racing on the same new ids wait for each other instead of
        // deadlocking; the later one then finds them taken and does nothing with them.
        var rows = unique.OrderBy(p => p.Event.Id, StringComparer.Ordinal).ToList();
        batch.BatchCommands.Add(ColumnSql.Command(
            """
            with fresh as (
                insert into event_keys (id, content_hash, at)
                select * from unnest($1::text[], $2::bytea[], $3::timestamptz[])
                on conflict (id) do nothing
                returning id)
            insert into events (id, type, at, entity, body)
            select i, t, a, e, b::jsonb
            from unnest($1::text[], $4::text[], $3::timestamptz[], $5::text[], $6::text[]) as u(i, t, a, e, b)
            where i in (select id from fresh)
            returning id as fresh
            """,
            rows.Select(p => p.Event.Id).ToArray(),
            rows.Select(p => p.Hash).ToArray(),
            rows.Select(p => p.Event.At.UtcDateTime).ToArray(),
            rows.Select(p => Wire.Name(p.Event.Type)).ToArray(),
            rows.Select(p => p.Event.Entity).ToArray(),
            rows.Select(p => EventJson.Body(p.Event)).ToArray()));
    }

    /// <summary>
    /// Re-folds every touched call and visit from all of its events, stored and new, and writes what changed
    /// against the fold of the stored events alone (which is what the derived rows hold); merges agents' latest status.
    /// </summary>
    static void AddDerivedWrites(NpgsqlBatch batch, List<Pending> fresh, List<QueueEvent> history, TimeZoneInfo? zone, DateTimeOffset now)
    {
        // Entities touched only by duplicates are left alone.
        var touched = fresh.Select(p => p.Event.Entity).ToHashSet(StringComparer.Ordinal);
        var stored = history.Where(e => touched.Contains(e.Entity)).ToList();
        var added = fresh.Select(p => p.Event).ToList();

        var calls = Changes<CallEvent, CallState>(stored, added, e => e.CallId, CallFold.Fold);
        var visits = Changes<VisitEvent, VisitState>(stored, added, e => e.VisitId, VisitFold.Fold);
        var agents = added.OfType<AgentStatusChanged>().ToList();

        if (calls.Count > 0) DerivedWrites.Calls(batch, calls);
        if (visits.Count > 0) DerivedWrites.Visits(batch, visits);
        if (agents.Count > 0) DerivedWrites.Agents(batch, agents);
        // Weeks that are over whose weekly report these changes may alter: their next read makes it again.
        if (zone is not null) ReportWeeksChanged.Mark(batch, ReportWeeksChanged.Of(Touched(calls, visits), zone, now), now);
    }

    // The instants by which a report counts what changed: legs' ends, completions, visits' deadlines, before and after.
    static IEnumerable<DateTimeOffset> Touched(List<Change<CallState>> calls, List<Change<VisitState>> visits)
    {
        foreach (var c in calls)
        {
            foreach (var state in (CallState?[])[c.Before, c.After])
            {
                if (state is null) continue;
                foreach (var leg in state.Legs)
                    if (leg.End is { } end) yield return end;
                if (state.CompletedAt is { } completed) yield return completed;
            }
        }
        foreach (var v in visits)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event log had no partition for an event of a batch ({Detail}); making it now")]
    partial void LogNoPartition(string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A concurrent batch touched the same events (attempt {Attempt}, SQLSTATE {SqlState}); retrying")]
    partial void LogRaced(int attempt, string sqlState);
}
