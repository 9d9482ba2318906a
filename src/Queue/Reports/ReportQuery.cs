using System.Globalization;
using Dapper;
using Npgsql;
using Queue.Figures;
using Queue.Targets;

namespace Queue.Reports;

/// <summary>
/// Counts of one queue's day (or of visits with no queue, <see cref="Queue"/> null), in the center's time, of the calls
/// (and visits) of one <see cref="Region"/> (null: those that carry none).
/// </summary>
public sealed record DayCounts(string? Queue, string? Region, DateOnly Day, FigureCounts Counts)
{
    public DayCounts Plus(DayCounts o) => this with { Counts = Counts.Plus(o.Counts) };
}

/// <summary>
/// A report's counts from PostgreSQL in one pass per table, grouped by queue, region and local day, by the rules of
/// <see cref="MetricsQuery"/>: legs by when they ended, each judged by its queue's thresholds, in the region of their
/// call (which each leg carries); completed calls in the queue of their last leg; visits in the queue of their call
/// and in their own region, by their deadlines (counted once passed).
/// </summary>
internal sealed class ReportQuery(Storage.HistoryReads reads)
{
    // {0}, {1}: the short-abandon threshold and the service-level T of a leg's queue (see Thresholds).
    static readonly string LegsSql = $"""
        select l.queue, l.region, (l.ended_at at time zone @zone)::date as day, {FigureSql.Select(FigureSql.LegCounts("{0}", "{1}"))}
        from legs l
        where {FigureSql.LegsEnded}
        group by 1, 2, 3
        """;

    static readonly string CallsSql = $"""
        select c.last_queue as queue, c.region, (c.completed_at at time zone @zone)::date as day, {FigureSql.Select(FigureSql.CallCounts)}
        from calls c
        where {FigureSql.CallsCompleted}
        group by 1, 2, 3
        """;

    // A visit belongs to the queue of its call's last leg.
    static readonly string VisitsCte = $"""
        with v as (
            select v.visit_id, v.region, v.created_at, v.due24, v.due48, v.resolved_at, v.cancelled_at, {FigureSql.VisitCall("last_queue")} as queue
            from visits v
            where {FigureSql.VisitsInWindow}
        )
        """;

    static readonly string VisitsSql = VisitsCte + $"""
        select queue, region, (due24 at time zone @zone)::date as day, count(*) as due24, count(*) filter (where {FigureSql.ResolvedBy24}) as resolvedby24,
               0::bigint as due48, 0::bigint as overdue48
        from v where {FigureSql.Due24}
        group by 1, 2, 3
        union all
        select queue, region, (due48 at time zone @zone)::date, 0, 0, count(*), count(*) filter (where {FigureSql.Overdue48})
        from v where {FigureSql.Due48}
        group by 1, 2, 3
        """;

    static readonly string BreachesSql = VisitsCte + $"""
        select visit_id, queue, region, created_at, due48, resolved_at, cancelled_at
        from v
        where due48 >= @from and due48 < @to and due48 < @now and {FigureSql.Overdue48} and (cancelled_at is null or cancelled_at > due48)
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
        async Task<List<T>> InTransactionAsync<T>(Func<NpgsqlConnection, CommandDefinition, Task<IEnumerable<T>>> query, string sql, object parameters)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(new CommandDefinition(
                "set local enable_sort = off; set local jit = off; set local parallel_setup_cost = 0; set local parallel_tuple_cost = 0",
                transaction: tx, cancellationToken: ct));
            return (await query(connection, new CommandDefinition(sql, parameters, tx, commandTimeout: 300, cancellationToken: ct))).ToList();
        }
        Task<List<DayCounts>> CountsAsync(string sql, string firstCount) => InTransactionAsync((c, command) =>
            c.QueryAsync<Group, FigureCounts, DayCounts>(command, (d, counts) => new DayCounts(d.Queue, d.Region, d.Day, counts), splitOn: firstCount), sql, args);
        var (serviceLevel, shortAbandon) = Thresholds(thresholds);
        var legs = CountsAsync(string.Format(CultureInfo.InvariantCulture, LegsSql, shortAbandon, serviceLevel), "answered");
        var calls = CountsAsync(CallsSql, "completed");
        var visits = CountsAsync(VisitsSql, "due24");
        var breachRows = InTransactionAsync((c, command) => c.QueryAsync<BreachRow>(command), BreachesSql, args with { from = breachesFrom.UtcDateTime });
        await Task.WhenAll(legs, calls, visits, breachRows);

        var days = new Dictionary<(string?, string?, DateOnly), DayCounts>();
        foreach (var c in legs.Result.Concat(calls.Result).Concat(visits.Result))
            days[(c.Queue, c.Region, c.Day)] = days.TryGetValue((c.Queue, c.Region, c.Day), out var d) ? d.Plus(c) : c;
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

    sealed record Group(string? Queue, string? Region, DateOnly Day);

    sealed record BreachRow(string Visit_Id, string? Queue, string? Region, DateTime Created_At, DateTime Due48, DateTime? Resolved_At, DateTime? Cancelled_At);
}
