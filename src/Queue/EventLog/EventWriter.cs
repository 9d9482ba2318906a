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
    ILogger<EventWriter> logger, TimeZoneInfo? zone = null, TimeProvider? time = null)
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

    // Three round trips. First: store the events whose ids are new, and read the other events of their calls and visits
    // as they stand, with no lock. Then, if some ids were taken, compare their content (duplicates or a conflict), lock
    // the calls and visits, and read what was committed for them since that first read. Last: write the re-folded rows,
    // and commit. Only the last two are serialised with a concurrent batch that shares calls (consecutive slices of a
    // stream do): the bulk insert and the bulk of the history are read before the locks, and only the events committed
    // in between are read under them.
    async Task<Written> TryWriteAsync(List<Pending> unique, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // The transaction is opened and committed by statements inside the first and last batches, so that
        // committing costs no round trip of its own while the call locks are held. On an error the connection
        // goes back to the pool with the transaction open, and the pool rolls it back.
        var fresh = new HashSet<string>(StringComparer.Ordinal);
        var conflicts = new HashSet<string>(StringComparer.Ordinal);
        var history = new List<QueueEvent>();
        string? snapshot = null;
        var callIds = unique.Select(p => p.Event).OfType<CallEvent>().Select(e => e.CallId).Distinct().ToArray();
        var visitIds = unique.Select(p => p.Event).OfType<VisitEvent>().Select(e => e.VisitId).Distinct().ToArray();
        await using (var store = new NpgsqlBatch(connection))
        {
            store.BatchCommands.Add(new NpgsqlBatchCommand("begin"));
            AddEventWrites(store, unique);
            // Taken before the history is read: every event that read may miss is of a transaction this snapshot does
            // not see, and is read again under the locks (an event seen by both reads is kept once).
            store.BatchCommands.Add(new NpgsqlBatchCommand("select pg_current_snapshot()::text as snapshot"));
            store.BatchCommands.Add(ColumnSql.Command(HistorySql, callIds, visitIds));
            await ReadAsync(store, fresh, history, s => snapshot = s, ct);
        }

        // Folded before the locks are taken; under them, only the calls and visits that a concurrent batch has added
        // events to since are folded again.
        var added = unique.Where(p => fresh.Contains(p.Event.Id)).Select(p => p.Event).ToList();
        var fold = BatchFold.Of(added, history);

        // Ids that were already taken: the same content is a duplicate, other content a conflict. In a fresh
        // statement, so that it sees keys committed by a concurrent batch that our insert waited for.
        var taken = unique.Where(p => !fresh.Contains(p.Event.Id)).ToList();
        if (taken.Count > 0 || fresh.Count > 0)
        {
            await using var locked = new NpgsqlBatch(connection);
            if (taken.Count > 0)
            {
                locked.BatchCommands.Add(ColumnSql.Command(
                    "select u.id as conflict from unnest($1::text[], $2::bytea[]) as u(id, h) join event_keys k on k.id = u.id where k.content_hash <> u.h",
                    taken.Select(p => p.Event.Id).ToArray(),
                    taken.Select(p => p.Hash).ToArray()));
            }
            if (fresh.Count > 0)
            {
                var entities = unique.Where(p => p.Event is CallEvent or VisitEvent).Select(p => p.Event.Entity).Distinct().ToArray();
                // Locked in a fixed order, so batches cannot deadlock; a concurrent batch touching the same call
                // waits for our commit, then folds our events with its own.
                locked.BatchCommands.Add(ColumnSql.Command(
                    "select count(pg_advisory_xact_lock(k)) as locked from (select distinct hashtextextended(e, 0) as k from unnest($1::text[]) e order by 1) s",
                    entities));
                var since = ColumnSql.Command(SinceSql, callIds, visitIds);
                since.Parameters.Add(new NpgsqlParameter { Value = snapshot!, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
                locked.BatchCommands.Add(since);
            }
            var later = new List<QueueEvent>();
            await ReadAsync(locked, conflicts, later, _ => { }, ct, "conflict");
            if (later.Count > 0)
            {
                var seen = history.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
                history.AddRange(later.Where(e => seen.Add(e.Id)));
                fold = fold.With(added, history, later);
            }
        }
        if (conflicts.Count > 0 || fresh.Count == 0)
        {
            await using (var rollback = new NpgsqlCommand("rollback", connection)) await rollback.ExecuteNonQueryAsync(ct);
            return new Written(fresh, conflicts);
        }

        await using (var derive = new NpgsqlBatch(connection))
        {
            fold.Write(derive, zone, (time ?? TimeProvider.System).GetUtcNow());
            derive.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
            await derive.ExecuteNonQueryAsync(ct);
        }
        return new Written(fresh, conflicts);
    }

    // Reads a batch's results by their one column's name: ids (fresh, or conflict), stored events (body), a snapshot.
    static async Task ReadAsync(NpgsqlBatch batch, HashSet<string> ids, List<QueueEvent> events, Action<string> snapshot,
        CancellationToken ct, string idColumn = "fresh")
    {
        await using var reader = await batch.ExecuteReaderAsync(ct);
        do
        {
            var column = reader.FieldCount == 1 ? reader.GetName(0) : "";
            while (await reader.ReadAsync(ct))
            {
                if (column == idColumn) ids.Add(reader.GetString(0));
                else if (column == "body") events.Add(EventJson.Read(reader.GetString(0)));
                else if (column == "snapshot") snapshot(reader.GetString(0));
            }
        }
        while (await reader.NextResultAsync(ct));
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

    // The same, under the locks: only events of transactions that the snapshot taken before the first read did not see
    // (every transaction below its xmin had ended, so those are at or above it). Rows made since are in `known` now.
    // The snapshot is parsed once (a sub-select), not for each row.
    const string SinceSql = HistorySql + """

          and tx >= (select pg_snapshot_xmin($3::pg_snapshot)) and not pg_visible_in_snapshot(tx, (select $3::pg_snapshot))
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "The event log had no partition for an event of a batch ({Detail}); making it now")]
    partial void LogNoPartition(string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A concurrent batch touched the same events (attempt {Attempt}, SQLSTATE {SqlState}); retrying")]
    partial void LogRaced(int attempt, string sqlState);
}
