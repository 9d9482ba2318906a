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

    async Task<AppendResult> TryAppendAsync(List<Pending> unique, int received, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // Entities are locked (in a fixed order, so batches cannot deadlock) before anything is read: a
        // concurrent batch touching the same call must see our events when it folds, and we its.
        var entities = unique.Where(p => p.Event is not AgentStatusChanged).Select(p => p.Event.Entity).Distinct().ToArray();
        var existing = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var batch = new NpgsqlBatch(connection, tx))
        {
            batch.BatchCommands.Add(Command(
                "select count(pg_advisory_xact_lock(k)) from (select distinct hashtextextended(e, 0) as k from unnest($1::text[]) e order by 1) s",
                entities));
            batch.BatchCommands.Add(Command("select id, content_hash from event_keys where id = any($1)",
                unique.Select(p => p.Event.Id).ToArray()));
            await using var reader = await batch.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) existing[reader.GetString(0)] = (byte[])reader[1];
        }

        var fresh = new List<Pending>(unique.Count);
        foreach (var p in unique)
        {
            if (!existing.TryGetValue(p.Event.Id, out var stored)) fresh.Add(p);
            else if (!stored.AsSpan().SequenceEqual(p.Hash)) return new AppendResult.Conflict(p.Event.Id, p.Index);
        }
        if (fresh.Count == 0) return new AppendResult.Stored(received, 0, received);

        await CopyEventsAsync(connection, fresh, ct);
        await RefreshDerivedAsync(connection, tx, fresh, ct);
        await tx.CommitAsync(ct);
        return new AppendResult.Stored(received, fresh.Count, received - fresh.Count);
    }

    static async Task CopyEventsAsync(NpgsqlConnection connection, List<Pending> fresh, CancellationToken ct)
    {
        await using (var keys = await connection.BeginBinaryImportAsync(
            "copy event_keys (id, content_hash, at) from stdin (format binary)", ct))
        {
            // In id order, so two batches racing on the same new ids wait for each other instead of deadlocking.
            foreach (var p in fresh.OrderBy(p => p.Event.Id, StringComparer.Ordinal))
            {
                await keys.StartRowAsync(ct);
                await keys.WriteAsync(p.Event.Id, NpgsqlDbType.Text, ct);
                await keys.WriteAsync(p.Hash, NpgsqlDbType.Bytea, ct);
                await keys.WriteAsync(p.Event.At.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
            }
            await keys.CompleteAsync(ct);
        }
        await using var events = await connection.BeginBinaryImportAsync(
            "copy events (id, type, at, entity, body) from stdin (format binary)", ct);
        foreach (var p in fresh)
        {
            await events.StartRowAsync(ct);
            await events.WriteAsync(p.Event.Id, NpgsqlDbType.Text, ct);
            await events.WriteAsync(Wire.Name(p.Event.Type), NpgsqlDbType.Text, ct);
            await events.WriteAsync(p.Event.At.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
            await events.WriteAsync(p.Event.Entity, NpgsqlDbType.Text, ct);
            await events.WriteAsync(Encoding.UTF8.GetString(EventJson.Body(p.Event)), NpgsqlDbType.Jsonb, ct);
        }
        await events.CompleteAsync(ct);
    }

    /// <summary>Re-folds every touched call and visit from all of its stored events; merges agents' latest status.</summary>
    static async Task RefreshDerivedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<Pending> fresh, CancellationToken ct)
    {
        var touched = fresh.Select(p => p.Event).Where(e => e is CallEvent or VisitEvent).Select(e => e.Entity).Distinct().ToArray();
        var history = new List<QueueEvent>();
        if (touched.Length > 0)
        {
            await using var read = new NpgsqlCommand("select body::text from events where entity = any($1)", connection, tx)
            {
                Parameters = { TextArray(touched) },
            };
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) history.Add(EventJson.Read(reader.GetString(0)));
        }

        var calls = history.OfType<CallEvent>().GroupBy(e => e.CallId, StringComparer.Ordinal)
            .Select(g => (g.Key, CallFold.Fold(g))).ToList();
        var visits = history.OfType<VisitEvent>().GroupBy(e => e.VisitId, StringComparer.Ordinal)
            .Select(g => (g.Key, VisitFold.Fold(g))).ToList();
        var agents = fresh.Select(p => p.Event).OfType<AgentStatusChanged>().ToList();

        await using var batch = new NpgsqlBatch(connection, tx);
        if (calls.Count > 0) DerivedWrites.Calls(batch, calls);
        if (visits.Count > 0) DerivedWrites.Visits(batch, visits);
        if (agents.Count > 0) DerivedWrites.Agents(batch, agents);
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
    }

    static NpgsqlBatchCommand Command(string sql, string[] values) => new(sql) { Parameters = { TextArray(values) } };

    static NpgsqlParameter TextArray(string[] values) => new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    sealed record Pending(QueueEvent Event, byte[] Hash, int Index);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A concurrent batch touched the same events (attempt {Attempt}, SQLSTATE {SqlState}); retrying")]
    partial void LogRaced(int attempt, string sqlState);
}
