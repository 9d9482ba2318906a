using Dapper;
using Queue.Targets;

namespace Queue.Figures;

/// <summary>
/// One quarter hour of a day's trend: the legs that ended in it answered or abandoned (offered, short abandons included),
/// and their figures.
/// </summary>
public sealed record TrendBucket(DateTimeOffset From, DateTimeOffset To, long Offered, long Answered, long Abandoned, double? AsaSeconds, double? ServiceLevel);

/// <summary>A day's trend in the center's time, quarter hour by quarter hour from midnight (up to now, for today).</summary>
public sealed record Trend(string? Queue, DateOnly Day, string TimeZone, IReadOnlyList<TrendBucket> Buckets);

/// <summary>
/// A day's trend from PostgreSQL. A quarter's figures follow SPEC §3 over that quarter as a window (as
/// <see cref="MetricsQuery"/> computes them, each leg judged by its queue's thresholds).
/// </summary>
internal sealed class TrendQuery(Storage.HistoryReads reads)
{
    static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    static readonly string EndedSql = $"""
        select floor(extract(epoch from l.ended_at - @from) / 900)::int as number, {FigureSql.Select(FigureSql.LegCountsByQueue)}
        from {FigureSql.LegsWithTargets}
        where {FigureSql.LegsEnded} and (@queue::text is null or l.queue = @queue) and (@team::text[] is null or l.queue = any(@team))
        group by 1
        """;

    // team: for the center as a key scoped to queues sees it, those queues (null: every queue).
    public async Task<Trend> GetAsync(string? queue, DateOnly day, TimeZoneInfo zone, DateTimeOffset now, TargetOptions defaults, CancellationToken ct,
        IReadOnlyList<string>? team = null)
    {
        var from = Midnight(day, zone);
        var end = Midnight(day.AddDays(1), zone);
        var to = now < end ? now : end;
        var buckets = new List<TrendBucket>();
        if (to <= from) return new Trend(queue, day, zone.Id, buckets);

        // A past day reads the replica, when there is one; today the primary (docs/adr/0007).
        await using var connection = await reads.For(to, now).OpenConnectionAsync(ct);
        var args = new { from = from.UtcDateTime, to = to.UtcDateTime, queue, team = team?.ToArray(), @short = defaults.ShortAbandon, sl = defaults.ServiceLevelThreshold };
        var ended = (await connection.QueryAsync<Bucket, FigureCounts, (int, FigureCounts)>(
                new CommandDefinition(EndedSql, args, cancellationToken: ct), (b, counts) => (b.Number, counts), splitOn: "answered"))
            .ToDictionary(r => r.Item1, r => r.Item2);
        for (var (i, at) = (0, from); at < to; i++, at += Quarter)
        {
            var e = ended.GetValueOrDefault(i) ?? FigureCounts.Zero;
            buckets.Add(new TrendBucket(TimeZoneInfo.ConvertTime(at, zone), TimeZoneInfo.ConvertTime(Min(at + Quarter, to), zone),
                e.Offered, e.Answered, e.Abandoned, e.AsaSeconds, e.ServiceLevel));
        }
        return new Trend(queue, day, zone.Id, buckets);
    }

    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue);
        var offset = zone.IsInvalidTime(midnight) ? zone.GetUtcOffset(midnight.AddHours(1)) : zone.GetUtcOffset(midnight);
        return new DateTimeOffset(midnight, offset);
    }

    sealed record Bucket(int Number);

}
