using Dapper;

namespace Queue.Metrics;

/// <summary>The SPEC §3 figures of one window. Rates are fractions 0–1 and null when their denominator is zero.</summary>
public sealed record WindowFigures(
    DateTimeOffset From,
    DateTimeOffset To,
    string? Queue,
    long Answered,
    long Abandoned,
    long ShortAbandoned,
    double? AsaSeconds,
    double? ServiceLevel,
    double? AbandonmentRate,
    long Completed,
    long ResolvedRemotely,
    double? RemoteResolution,
    long Due24,
    long ResolvedBy24,
    double? Visit24,
    long Overdue48);

/// <summary>
/// Exact figures over any window [from, to), computed in PostgreSQL from the derived tables, each leg judged by the
/// service-level T and short-abandon threshold of its queue (the defaults given, where it set none). Visit deadlines
/// count once they have passed (before <c>now</c>): a deadline still ahead is neither met nor missed yet.
/// </summary>
internal sealed class MetricsQuery(Storage.HistoryReads reads)
{
    const string Sql = """
        with legs_in as (
            -- Each leg is judged by its own queue's thresholds: the center's service level adds up the queues'.
            select l.outcome, l.ended_at - l.started_at as wait,
                   coalesce(t.service_level, @sl) as sl, coalesce(t.short_abandon, @short) as short_threshold
            from legs l left join queue_targets t on t.queue = l.queue
            where l.ended_at >= @from and l.ended_at < @to and l.outcome in ('answered', 'abandoned')
              and (@queue::text is null or l.queue = @queue)
        ),
        visits_in as (
            select v.*
            from visits v
            where v.created_at is not null
              and ((v.due24 >= @from and v.due24 < @to) or (v.due48 >= @from and v.due48 < @to))
              and (@queue::text is null or @queue = coalesce(
                    (select c.last_queue from calls c where c.call_id = v.call_id),
                    (select c.last_queue from calls c where c.visit_id = v.visit_id order by c.call_id collate "C" limit 1)))
        )
        select
            (select count(*) from legs_in where outcome = 'answered') as answered,
            (select count(*) from legs_in where outcome = 'abandoned' and wait >= short_threshold) as abandoned,
            (select count(*) from legs_in where outcome = 'abandoned' and wait < short_threshold) as short_abandoned,
            (select extract(epoch from avg(wait))::float8 from legs_in where outcome = 'answered') as asa_seconds,
            (select count(*) from legs_in where outcome = 'answered' and wait <= sl) as answered_in_time,
            (select count(*) from calls where completed_at >= @from and completed_at < @to
                and (@queue::text is null or last_queue = @queue)) as completed,
            (select count(*) from calls where completed_at >= @from and completed_at < @to and resolution = 'resolved'
                and (@queue::text is null or last_queue = @queue)) as resolved_remotely,
            (select count(*) from visits_in where due24 >= @from and due24 < @to and due24 < @now
                and (cancelled_at is null or cancelled_at >= due24)) as due24,
            (select count(*) from visits_in where due24 >= @from and due24 < @to and due24 < @now
                and (cancelled_at is null or cancelled_at >= due24) and resolved_at <= due24) as resolved_by24,
            (select count(*) from visits_in where due48 >= @from and due48 < @to and due48 < @now
                and (resolved_at is null or resolved_at > due48) and (cancelled_at is null or cancelled_at > due48)) as overdue48
        """;

    public async Task<WindowFigures> GetAsync(DateTimeOffset from, DateTimeOffset to, string? queue, TargetOptions defaults,
        DateTimeOffset now, CancellationToken ct)
    {
        // A window over before the last minutes reads the replica, when there is one (docs/adr/0007).
        await using var connection = await reads.For(to, now).OpenConnectionAsync(ct);
        var r = await connection.QuerySingleAsync<Row>(new CommandDefinition(Sql, new
        {
            from = from.UtcDateTime,
            to = to.UtcDateTime,
            now = now.UtcDateTime,
            queue,
            @short = defaults.ShortAbandon,
            sl = defaults.ServiceLevelThreshold,
        }, cancellationToken: ct));
        var offered = r.Answered + r.Abandoned;
        return new WindowFigures(from, to, queue,
            r.Answered, r.Abandoned, r.Short_Abandoned, r.Asa_Seconds,
            Rate(r.Answered_In_Time, offered), Rate(r.Abandoned, offered),
            r.Completed, r.Resolved_Remotely, Rate(r.Resolved_Remotely, r.Completed),
            r.Due24, r.Resolved_By24, Rate(r.Resolved_By24, r.Due24), r.Overdue48);
    }

    public static double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;

    sealed record Row(long Answered, long Abandoned, long Short_Abandoned, double? Asa_Seconds, long Answered_In_Time,
        long Completed, long Resolved_Remotely, long Due24, long Resolved_By24, long Overdue48);
}
