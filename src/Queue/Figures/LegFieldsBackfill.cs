using Dapper;
using Npgsql;

namespace Queue.Figures;

/// <summary>
/// Gives legs written before legs carried their call's region, language and segment (migration 0020) those of their
/// call, a slice of calls at a time in call id order, each slice a short transaction of its own: ingest is never held
/// up for long, and a node stopped midway leaves the position for the next. The row of <c>leg_fields_backfill</c> is
/// locked by the one node filling a slice (others skip it) and goes when every call is done. Until then, legs not
/// filled yet count in figures by region, language or segment as carrying none.
/// </summary>
internal sealed partial class LegFieldsBackfill(NpgsqlDataSource db, TimeProvider time, ILogger<LegFieldsBackfill> logger) : BackgroundService
{
    /// <summary>Calls per slice: a transaction of a few thousand legs at most.</summary>
    internal int SliceSize { get; set; } = 5_000;

    // A leg already carrying a field was written since: it is left as it is.
    const string SliceSql = """
        with position as (select after_call from leg_fields_backfill for update skip locked),
        slice as (
            select c.call_id, c.region, c.language, c.segment
            from calls c, position p
            where c.call_id > p.after_call
            order by c.call_id
            limit @size
        ),
        filled as (
            update legs l set region = s.region, language = s.language, segment = s.segment
            from slice s
            where l.call_id = s.call_id and l.region is null and l.language is null and l.segment is null
              and (s.region is not null or s.language is not null or s.segment is not null)
            returning 1
        ),
        moved as (
            update leg_fields_backfill set after_call = (select max(call_id) from slice)
            where exists (select 1 from slice)
            returning 1
        )
        select (select count(*) from position) as locked, (select count(*) from slice) as calls,
               (select count(*) from filled) as legs, (select count(*) from moved) as moved
        """;

    /// <summary>Fills slices until every call is done (true), or another node holds the position (false).</summary>
    public async Task<bool> RunAsync(CancellationToken ct)
    {
        long calls = 0, legs = 0;
        while (true)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var slice = await connection.QuerySingleAsync<Slice>(new CommandDefinition(SliceSql, new { size = SliceSize }, tx, cancellationToken: ct));
            if (slice.Locked == 0)
            {
                await tx.RollbackAsync(ct);
                return await connection.ExecuteScalarAsync<long>(new CommandDefinition("select count(*) from leg_fields_backfill", cancellationToken: ct)) == 0;
            }
            if (slice.Calls < SliceSize) await connection.ExecuteAsync(new CommandDefinition("delete from leg_fields_backfill", transaction: tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            calls += slice.Calls;
            legs += slice.Legs;
            if (slice.Calls < SliceSize)
            {
                LogDone(logger, calls, legs);
                return true;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RunAsync(stoppingToken)) return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogRetrying(logger, e.Message);
            }
            // Another node is filling, or the database is away: look again in a while (the position is kept).
            await Task.Delay(TimeSpan.FromSeconds(30), time, stoppingToken);
        }
    }

    sealed record Slice(long Locked, long Calls, long Legs, long Moved);

    [LoggerMessage(Level = LogLevel.Information, Message = "Legs written before they carried their call's region, language and segment: {Legs} filled, over {Calls} calls")]
    static partial void LogDone(ILogger logger, long calls, long legs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legs' region, language and segment could not be filled now, retrying: {Reason}")]
    static partial void LogRetrying(ILogger logger, string reason);
}
