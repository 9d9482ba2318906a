using System.Globalization;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Queue.EventLog;

/// <summary>One month's partition of the event log: events with <c>at</c> in [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed record EventPartition(string Name, DateTimeOffset From, DateTimeOffset To);

/// <summary>A partition dropped by retention, and how many idempotency keys went with it.</summary>
public sealed record DroppedPartition(string Name, DateTimeOffset From, DateTimeOffset To, long Keys);

/// <summary>
/// The event log's monthly partitions (docs/adr/0007): made ahead of the months ingest will write to, and dropped whole
/// once past retention, with the idempotency keys of their events. Every step is short (ADR 0002: a long writing
/// transaction holds back live state), and a run cut short is taken up where it stopped by the next.
/// </summary>
internal sealed partial class EventPartitions(
    NpgsqlDataSource db, IOptions<IngestOptions> ingest, IOptions<PartitionOptions> options, TimeProvider time, ILogger<EventPartitions> logger)
{
    const long RetentionLock = 0x5155_4555_5245_544E; // "QUEURETN"

    /// <summary>
    /// Makes sure of a partition for every month ingest may write to from now on: from the month of the oldest event it
    /// accepts (now − lateness) to <see cref="PartitionOptions.MonthsAhead"/> months after this one. Answers how many it made.
    /// </summary>
    public Task<int> EnsureAheadAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return EnsureAsync(now - ingest.Value.Lateness, MonthOf(now).AddMonths(options.Value.MonthsAhead), ct);
    }

    /// <summary>Makes sure of a partition for every month from <paramref name="from"/>'s to <paramref name="to"/>'s (UTC).</summary>
    public async Task<int> EnsureAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Attaching waits for a lock that only other partition work takes; it must not wait long behind it.
        await connection.ExecuteAsync(new CommandDefinition("set local lock_timeout = '5s'", transaction: tx, cancellationToken: ct));
        var made = await connection.ExecuteScalarAsync<int>(new CommandDefinition("select ensure_event_partitions(@from, @to)",
            new { from = from.UtcDateTime, to = to.UtcDateTime }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        if (made > 0) LogCreated(logger, made, MonthOf(from).ToString("yyyy-MM", CultureInfo.InvariantCulture), MonthOf(to).ToString("yyyy-MM", CultureInfo.InvariantCulture));
        return made;
    }

    // Bounds as PostgreSQL prints them (FOR VALUES FROM ('…') TO ('…')), read back as instants; a partition bounded
    // otherwise (MINVALUE, MAXVALUE: made by hand) has none, and retention leaves it alone.
    const string ListSql = """
        select c.relname::text as name, b[1]::timestamptz as from_at, b[2]::timestamptz as to_at
        from pg_inherits i
        join pg_class c on c.oid = i.inhrelid
        cross join lateral regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$FROM \('([^']+)'\) TO \('([^']+)'\)$re$) b
        where i.inhparent = 'events'::regclass
        order by b[1]::timestamptz nulls last, c.relname
        """;

    /// <summary>The partitions attached to <c>events</c>, oldest first.</summary>
    public async Task<IReadOnlyList<EventPartition>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<PartitionRow>(new CommandDefinition(ListSql, cancellationToken: ct));
        return [.. rows.Where(r => r.From_At is not null && r.To_At is not null)
            .Select(r => new EventPartition(r.Name, Utc(r.From_At!.Value), Utc(r.To_At!.Value)))];
    }

    /// <summary>
    /// Drops every partition that ends at or before <paramref name="cutoff"/>, with its events' idempotency keys. Only one
    /// run at a time across nodes: answers null if another holds the turn.
    /// </summary>
    public async Task<IReadOnlyList<DroppedPartition>?> DropBeforeAsync(DateTimeOffset cutoff, int keyBatch, CancellationToken ct)
    {
        // What ingest still accepts must never be dropped: its id could then be stored twice.
        var oldestAccepted = time.GetUtcNow() - ingest.Value.Lateness;
        if (cutoff > oldestAccepted)
            throw new InvalidOperationException($"retention cutoff {cutoff:O} is after the oldest event ingest accepts ({oldestAccepted:O})");

        // A session lock: it takes no transaction id, so holding it through the run holds nothing back.
        await using var turn = await db.OpenConnectionAsync(ct);
        if (!await turn.ExecuteScalarAsync<bool>(new CommandDefinition($"select pg_try_advisory_lock({RetentionLock})", cancellationToken: ct)))
            return null;
        try
        {
            await DropLeftoversAsync(turn, ct);
            var dropped = new List<DroppedPartition>();
            foreach (var p in (await ListAsync(ct)).Where(p => p.To <= cutoff))
            {
                var keys = await PurgeKeysAsync(turn, p.Name, keyBatch, ct);
                var pending = await turn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "select inhdetachpending from pg_inherits where inhrelid = to_regclass(@name)", new { name = Quote(p.Name) }, cancellationToken: ct));
                // Concurrently: only a SHARE UPDATE EXCLUSIVE lock on events, so ingest and the follower go on; it waits
                // for the transactions that might still read the partition. One cut short is left pending and finalized.
                await turn.ExecuteAsync(new CommandDefinition(
                    $"alter table events detach partition {Quote(p.Name)} {(pending ? "finalize" : "concurrently")}", commandTimeout: 300, cancellationToken: ct));
                await DropDetachedAsync(turn, p.Name, ct);
                dropped.Add(new DroppedPartition(p.Name, p.From, p.To, keys));
                LogDropped(logger, p.Name, p.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), keys);
            }
            return dropped;
        }
        finally
        {
            await turn.ExecuteAsync(new CommandDefinition($"select pg_advisory_unlock({RetentionLock})", cancellationToken: CancellationToken.None));
        }
    }

    // One batch: the next events of the partition by its key, their idempotency keys deleted, and how far it got
    // recorded, in one short transaction. Nothing is left to do when the batch comes back empty.
    const string PurgeSql = """
        with batch as (
            select tx, position, id, at from {0} where (tx, position) > (@tx::xid8, @position) order by tx, position limit @limit
        ),
        purged as (
            delete from event_keys k using batch b where k.id = b.id and k.at = b.at returning 1
        ),
        progress as (
            insert into event_partition_purges (partition, after_tx, after_position, updated_at)
            select @partition, tx, position, @now from batch order by tx desc, position desc limit 1
            on conflict (partition) do update
                set after_tx = excluded.after_tx, after_position = excluded.after_position, updated_at = excluded.updated_at
            returning after_tx::text as tx, after_position as position
        )
        select (select count(*) from purged) as purged, tx, position from progress
        """;

    async Task<long> PurgeKeysAsync(NpgsqlConnection connection, string partition, int batch, CancellationToken ct)
    {
        var at = await connection.QuerySingleOrDefaultAsync<Progress>(new CommandDefinition(
            "select after_tx::text as tx, after_position as position from event_partition_purges where partition = @partition",
            new { partition }, cancellationToken: ct)) ?? new Progress("0", 0);
        var sql = string.Format(CultureInfo.InvariantCulture, PurgeSql, Quote(partition));
        long keys = 0;
        while (true)
        {
            var step = await connection.QuerySingleOrDefaultAsync<Step>(new CommandDefinition(sql,
                new { tx = at.Tx, position = at.Position, limit = batch, partition, now = time.GetUtcNow().UtcDateTime }, cancellationToken: ct));
            if (step is null) return keys;
            keys += step.Purged;
            at = new Progress(step.Tx, step.Position);
        }
    }

    // A run that detached a partition and stopped before dropping it left its progress row behind.
    async Task DropLeftoversAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var left = await connection.QueryAsync<string>(new CommandDefinition("""
            select p.partition from event_partition_purges p
            where not exists (select from pg_inherits i where i.inhparent = 'events'::regclass and i.inhrelid = to_regclass(quote_ident(p.partition)))
            """, cancellationToken: ct));
        foreach (var name in left) await DropDetachedAsync(connection, name, ct);
    }

    async Task DropDetachedAsync(NpgsqlConnection connection, string name, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition($"drop table if exists {Quote(name)}", transaction: tx, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("delete from event_partition_purges where partition = @name", new { name }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
    }

    public static DateTimeOffset MonthOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    sealed record PartitionRow(string Name, DateTime? From_At, DateTime? To_At);

    sealed record Progress(string Tx, long Position);

    sealed record Step(long Purged, string Tx, long Position);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log: {Count} monthly partitions made, for {From} to {To}")]
    static partial void LogCreated(ILogger logger, int count, string from, string to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log: partition {Partition} ({From} to {To}) dropped past retention, with {Keys} idempotency keys")]
    static partial void LogDropped(ILogger logger, string partition, string from, string to, long keys);
}
