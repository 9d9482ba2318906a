using System.Globalization;
using Dapper;
using Queue.Figures;
using Queue.Targets;

namespace Queue.Reports;

/// <summary>
/// Counts of one queue's day (or of visits with no queue, <see cref="Queue"/> null), in the center's time, of the calls
/// (and visits) of one <see cref="Region"/> (null: those that carry none).
/// </summary>
public sealed record DayCounts(string? Queue, DateOnly Day)
{
    public string? Region { get; init; }
    public long Answered { get; init; }
    public long Abandoned { get; init; }
    public long ShortAbandoned { get; init; }
    public long InTime { get; init; }
    public double WaitSeconds { get; init; }
    public long Completed { get; init; }
    public long Resolved { get; init; }
    public long Unknown { get; init; }
    public long Due24 { get; init; }
    public long Met24 { get; init; }
    public long Due48 { get; init; }
    public long Overdue48 { get; init; }

    public DayCounts Plus(DayCounts o) => this with
    {
        Answered = Answered + o.Answered, Abandoned = Abandoned + o.Abandoned, ShortAbandoned = ShortAbandoned + o.ShortAbandoned,
        InTime = InTime + o.InTime, WaitSeconds = WaitSeconds + o.WaitSeconds, Completed = Completed + o.Completed,
        Resolved = Resolved + o.Resolved, Unknown = Unknown + o.Unknown, Due24 = Due24 + o.Due24, Met24 = Met24 + o.Met24, Due48 = Due48 + o.Due48, Overdue48 = Overdue48 + o.Overdue48,
    };
}

/// <summary>
/// A report's counts from PostgreSQL in one pass per table, grouped by queue, region and local day, by the rules of
/// <see cref="MetricsQuery"/>: legs by when they ended, each judged by its queue's thresholds, in the region of their
/// call (which each leg carries); completed calls in the queue of their last leg; visits in the queue of their call
/// and in their own region, by their deadlines (counted once passed).
/// </summary>
internal sealed class ReportQuery(Storage.HistoryReads reads)
{
    // {0}, {1}: the service-level T and the short-abandon threshold of a leg's queue (see Thresholds).
    const string LegsSql = """
        select l.queue, l.region, (l.ended_at at time zone @zone)::date as day,
               count(*) filter (where l.outcome = 'answered') as answered,
               count(*) filter (where l.outcome = 'abandoned' and w.wait >= {1}) as abandoned,
               count(*) filter (where l.outcome = 'abandoned' and w.wait < {1}) as short_abandoned,
               count(*) filter (where l.outcome = 'answered' and w.wait <= {0}) as in_time,
               coalesce(sum(extract(epoch from w.wait)::float8) filter (where l.outcome = 'answered'), 0) as wait_seconds
        from legs l cross join lateral (select l.ended_at - l.started_at as wait) w
        where l.ended_at >= @from and l.ended_at < @to and l.outcome in ('answered', 'abandoned')
        group by 1, 2, 3
        """;

    const string CallsSql = """
        select last_queue as queue, region, (completed_at at time zone @zone)::date as day, count(*) as completed,
               count(*) filter (where resolution = 'resolved') as resolved, count(*) filter (where resolution is null) as unknown
        from calls
        where completed_at >= @from and completed_at < @to
        group by 1, 2, 3
        """;

    // A visit belongs to the queue of its call's last leg: the call it names, or else the first call that names it.
    const string VisitsCte = """
        with v as (
            select v.visit_id, v.region, v.created_at, v.due24, v.due48, v.resolved_at, v.cancelled_at,
                   coalesce((select c.last_queue from calls c where c.call_id = v.call_id),
                            (select c.last_queue from calls c where c.visit_id = v.visit_id order by c.call_id collate "C" limit 1)) as queue
            from visits v
            where v.created_at is not null and ((v.due24 >= @from and v.due24 < @to) or (v.due48 >= @from and v.due48 < @to))
        )
        """;

    const string VisitsSql = VisitsCte + """
        select queue, region, (due24 at time zone @zone)::date as day, count(*) as due24, count(*) filter (where resolved_at <= due24) as met24,
               0::bigint as due48, 0::bigint as overdue48
        from v where due24 >= @from and due24 < @to and due24 < @now and (cancelled_at is null or cancelled_at >= due24)
        group by 1, 2, 3
        union all
        select queue, region, (due48 at time zone @zone)::date, 0, 0, count(*),
               count(*) filter (where resolved_at is null or resolved_at > due48)
        from v where due48 >= @from and due48 < @to and due48 < @now and (cancelled_at is null or cancelled_at > due48)
        group by 1, 2, 3
        """;

    const string BreachesSql = VisitsCte + """
        select visit_id, queue, region, created_at, due48, resolved_at, cancelled_at
        from v
        where due48 >= @from and due48 < @to and due48 < @now
          and (resolved_at is null or resolved_at > due48) and (cancelled_at is null or cancelled_at > due48)
        order by due48, visit_id
        """;

    public async Task<(List<DayCounts> Days, List<Breach48> Breaches)> GetAsync(DateTimeOffset from, DateTimeOffset to, DateTimeOffset breachesFrom,
        TimeZoneInfo zone, TargetOptions defaults, IReadOnlyDictionary<string, QueueThresholds> thresholds, DateTimeOffset now, CancellationToken ct)
    {
        // A week that is over reads the replica, when there is one (docs/adr/0007).
        var db = reads.For(to, now);
        var args = new { from = from.UtcDateTime, to = to.UtcDateTime, now = now.UtcDateTime, zone = zone.Id, @short = defaults.ShortAbandon, sl = defaults.ServiceLevelThreshold };
        // Each table on a connection of its own, side by side. Statistics on the center's day (migration 0021) tell the
        // planner how few (queue, region, day) groups there are, so each parallel worker groups its share; without them
        // (a center in another zone) it takes them for millions and would sort them: told not to, it hashes.
        async Task<List<T>> QueryAsync<T>(string sql, object parameters)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(
                "set local enable_sort = off; set local jit = off; set local parallel_setup_cost = 0; set local parallel_tuple_cost = 0",
                transaction: tx, cancellationToken: ct));
            return (await connection.QueryAsync<T>(new CommandDefinition(sql, parameters, tx, commandTimeout: 300, cancellationToken: ct))).ToList();
        }
        var (serviceLevel, shortAbandon) = Thresholds(thresholds);
        var legs = QueryAsync<LegRow>(string.Format(CultureInfo.InvariantCulture, LegsSql, serviceLevel, shortAbandon), args);
        var calls = QueryAsync<CallRow>(CallsSql, args);
        var visits = QueryAsync<VisitRow>(VisitsSql, args);
        var breachRows = QueryAsync<BreachRow>(BreachesSql, args with { from = breachesFrom.UtcDateTime });
        await Task.WhenAll(legs, calls, visits, breachRows);

        var days = new Dictionary<(string?, string?, DateOnly), DayCounts>();
        void Add(DayCounts c) => days[(c.Queue, c.Region, c.Day)] = days.TryGetValue((c.Queue, c.Region, c.Day), out var d) ? d.Plus(c) : c;
        foreach (var r in legs.Result)
            Add(new DayCounts(r.Queue, r.Day)
            {
                Region = r.Region, Answered = r.Answered, Abandoned = r.Abandoned, ShortAbandoned = r.Short_Abandoned, InTime = r.In_Time, WaitSeconds = r.Wait_Seconds,
            });
        foreach (var r in calls.Result) Add(new DayCounts(r.Queue, r.Day) { Region = r.Region, Completed = r.Completed, Resolved = r.Resolved, Unknown = r.Unknown });
        foreach (var r in visits.Result)
            Add(new DayCounts(r.Queue, r.Day) { Region = r.Region, Due24 = r.Due24, Met24 = r.Met24, Due48 = r.Due48, Overdue48 = r.Overdue48 });
        var breaches = breachRows.Result
            .Select(b => new Breach48(b.Visit_Id, b.Queue, b.Region, Local(b.Created_At, zone), Local(b.Due48, zone),
                b.Resolved_At is { } r ? Local(r, zone) : null, b.Cancelled_At is { } c ? Local(c, zone) : null))
            .ToList();
        return (days.Values.ToList(), breaches);
    }

    // The few queues with thresholds of their own, written into the statement: cheaper per leg than a join, and the
    // names are identifiers (letters, digits and . _ - :), quoted all the same.
    static (string ServiceLevel, string ShortAbandon) Thresholds(IReadOnlyDictionary<string, QueueThresholds> thresholds)
    {
        if (thresholds.Count == 0) return ("@sl", "@short");
        string Case(Func<QueueThresholds, TimeSpan> of, string otherwise) =>
            "(case l.queue " + string.Concat(thresholds.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t =>
                $"when '{t.Key.Replace("'", "''", StringComparison.Ordinal)}' then interval '{of(t.Value).TotalMicroseconds.ToString(CultureInfo.InvariantCulture)} microseconds' "))
            + $"else {otherwise} end)";
        return (Case(t => t.ServiceLevel, "@sl"), Case(t => t.ShortAbandon, "@short"));
    }

    static DateTimeOffset Local(DateTime utc, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), zone);

    sealed record LegRow(string Queue, string? Region, DateOnly Day, long Answered, long Abandoned, long Short_Abandoned, long In_Time, double Wait_Seconds);

    sealed record CallRow(string? Queue, string? Region, DateOnly Day, long Completed, long Resolved, long Unknown);

    sealed record VisitRow(string? Queue, string? Region, DateOnly Day, long Due24, long Met24, long Due48, long Overdue48);

    sealed record BreachRow(string Visit_Id, string? Queue, string? Region, DateTime Created_At, DateTime Due48, DateTime? Resolved_At, DateTime? Cancelled_At);
}
