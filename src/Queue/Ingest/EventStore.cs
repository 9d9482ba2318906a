using System.Text;
using Npgsql;
using NpgsqlTypes;
using Queue.Calls;
using Queue.Visits;

namespace Queue.Ingest;

public abstract record AppendResult
{
    public sealed record Stored(int Received, int New, int Duplicates) : AppendResult;

    /// <summary>The id was stored (or sent earlier in the batch) with other content. Nothing was stored.</summary>
    public sealed record Conflict(string Id, int Index) : AppendResult;
}

/// <summary>
/// Appends a validated batch to the event log and refreshes the derived state of every entity it touches,
/// in one transaction: all of the batch or nothing. Bulk statements only; no round trip per event.
/// </summary>
internal sealed partial class EventStore(NpgsqlDataSource dataSource, ILogger<EventStore> logger)
{
    public async Task<AppendResult> AppendAsync(IReadOnlyList<QueueEvent> batch, CancellationToken ct)
    {
        // Duplicates within the batch count as duplicates; the same id with other content is a conflict.
        var hashes = new Dictionary<string, byte[]>(batch.Count, StringComparer.Ordinal);
        var unique = new List<Pending>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            var hash = EventJson.ContentHash(e);
            if (hashes.TryGetValue(e.Id, out var earlier))
            {
                if (!earlier.AsSpan().SequenceEqual(hash)) return new AppendResult.Conflict(e.Id, i);
                continue;
            }
            hashes.Add(e.Id, hash);
            unique.Add(new Pending(e, hash, i));
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAppendAsync(unique, batch.Count, ct);
            }
            catch (PostgresException ex) when (attempt < 5 && ex.SqlState is PostgresErrorCodes.UniqueViolation
                or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // A concurrent batch stored one of these ids between our check and our insert: look again.
                LogRaced(attempt, ex.SqlState);
            }
        }
    }

    // Four round trips: look up the keys; store the new events, then lock their calls and visits and read
    // their history; write the derived rows; commit. The bulk insert comes before the locks, so batches that
    // share calls (consecutive slices of a stream do) overlap most of their work and queue only for the fold.
    async Task<AppendResult> TryAppendAsync(List<Pending> unique, int received, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var existing = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var look = new NpgsqlCommand("select id, content_hash from event_keys where id = any($1)", connection))
        {
            look.Parameters.Add(DerivedWrites.Column(unique.Select(p => p.Event.Id).ToArray()));
            await using var reader = await look.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) existing[reader.GetString(0)] = (byte[])reader[1];
        }

        var fresh = new List<Pending>(unique.Count);
        foreach (var p in unique)
        {
            if (!existing.TryGetValue(p.Event.Id, out var stored)) fresh.Add(p);
            else if (!stored.AsSpan().SequenceEqual(p.Hash)) return new AppendResult.Conflict(p.Event.Id, p.Index);
        }
        if (fresh.Count == 0) return new AppendResult.Stored(received, 0, received);

        await using var tx = await connection.BeginTransactionAsync(ct);
        // Entities are locked in a fixed order (so batches cannot deadlock) before their history is read: a
        // concurrent batch touching the same call waits for our commit, then folds our events with its own.
        // The history includes this batch's own events, inserted just before.
        var entities = fresh.Where(p => p.Event is CallEvent or VisitEvent).Select(p => p.Event.Entity).Distinct().ToArray();
        var history = new List<QueueEvent>();
        await using (var store = new NpgsqlBatch(connection, tx))
        {
            AddEventWrites(store, fresh);
            store.BatchCommands.Add(Command(
                "select count(pg_advisory_xact_lock(k)) as locked from (select distinct hashtextextended(e, 0) as k from unnest($1::text[]) e order by 1) s",
                entities));
            store.BatchCommands.Add(Command("select body::text as body from events where entity = any($1)", entities));
            await using var reader = await store.ExecuteReaderAsync(ct);
            do
            {
                if (reader.FieldCount == 1 && reader.GetName(0) == "body")
                    while (await reader.ReadAsync(ct)) history.Add(EventJson.Read(reader.GetString(0)));
            }
            while (await reader.NextResultAsync(ct));
        }

        await using (var derive = new NpgsqlBatch(connection, tx))
        {
            AddDerivedWrites(derive, fresh, history);
            if (derive.BatchCommands.Count > 0) await derive.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new AppendResult.Stored(received, fresh.Count, received - fresh.Count);
    }

    static void AddEventWrites(NpgsqlBatch batch, List<Pending> fresh)
    {
        // Keys in id order, so two batches racing on the same new ids wait for each other instead of deadlocking.
        var keys = fresh.OrderBy(p => p.Event.Id, StringComparer.Ordinal).ToList();
        batch.BatchCommands.Add(DerivedWrites.Cmd(
            "insert into event_keys (id, content_hash, at) select * from unnest($1::text[], $2::bytea[], $3::timestamptz[])",
            keys.Select(p => p.Event.Id).ToArray(),
            keys.Select(p => p.Hash).ToArray(),
            keys.Select(p => p.Event.At.UtcDateTime).ToArray()));
        batch.BatchCommands.Add(DerivedWrites.Cmd(
            """
            insert into events (id, type, at, entity, body)
            select i, t, a, e, b::jsonb from unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[]) as u(i, t, a, e, b)
            """,
            fresh.Select(p => p.Event.Id).ToArray(),
            fresh.Select(p => Wire.Name(p.Event.Type)).ToArray(),
            fresh.Select(p => p.Event.At.UtcDateTime).ToArray(),
            fresh.Select(p => p.Event.Entity).ToArray(),
            fresh.Select(p => EventJson.Body(p.Event)).ToArray()));
    }

    /// <summary>Re-folds every touched call and visit from all of its events (stored and new); merges agents' latest status.</summary>
    static void AddDerivedWrites(NpgsqlBatch batch, List<Pending> fresh, List<QueueEvent> history)
    {
        var calls = history.OfType<CallEvent>().GroupBy(e => e.CallId, StringComparer.Ordinal)
            .Select(g => (g.Key, CallFold.Fold(g))).ToList();
        var visits = history.OfType<VisitEvent>().GroupBy(e => e.VisitId, StringComparer.Ordinal)
            .Select(g => (g.Key, VisitFold.Fold(g))).ToList();
        var agents = fresh.Select(p => p.Event).OfType<AgentStatusChanged>().ToList();

        if (calls.Count > 0) DerivedWrites.Calls(batch, calls);
        if (visits.Count > 0) DerivedWrites.Visits(batch, visits);
        if (agents.Count > 0) DerivedWrites.Agents(batch, agents);
    }

    static NpgsqlBatchCommand Command(string sql, string[] values) => DerivedWrites.Cmd(sql, values);


    sealed record Pending(QueueEvent Event, byte[] Hash, int Index);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A concurrent batch touched the same events (attempt {Attempt}, SQLSTATE {SqlState}); retrying")]
    partial void LogRaced(int attempt, string sqlState);
}
