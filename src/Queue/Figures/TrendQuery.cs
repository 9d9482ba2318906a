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

    const string EndedSql = """
        select floor(extract(epoch from l.ended_at - @from) / 900)::int as bucket,
               count(*) filter (where l.outcome = 'answered') as answered,
               count(*) filter (where l.outcome = 'abandoned' and l.ended_at - l.started_at >= coalesce(t.short_abandon, @short)) as abandoned,
               count(*) filter (where l.outcome = 'abandoned' and l.ended_at - l.started_at < coalesce(t.short_abandon, @short)) as short_abandoned,
               count(*) filter (where l.outcome = 'answered' and l.ended_at - l.started_at <= coalesce(t.service_level, @sl)) as in_time,
               avg(extract(epoch from l.ended_at - l.started_at)::float8) filter (where l.outcome = 'answered') as asa
        from legs l left join queue_targets t on t.queue = l.queue
        where l.ended_at >= @from and l.ended_at < @to and l.outcome in ('answered', 'abandoned')
          and (@queue::text is null or l.queue = @queue)
        group by 1
        """;



    public async Task<Trend> GetAsync(string? queue, DateOnly day, TimeZoneInfo zone, DateTimeOffset now, TargetOptions defaults, CancellationToken ct)
    {
        var from = Midnight(day, zone);
        var end = Midnight(day.AddDays(1), zone);
        var to = now < end ? now : end;
        var buckets = new List<TrendBucket>();
        if (to <= from) return new Trend(queue, day, zone.Id, buckets);

        // A past day reads the replica, when there is one; today the primary (docs/adr/0007).
        await using var connection = await reads.For(to, now).OpenConnectionAsync(ct);
        var args = new { from = from.UtcDateTime, to = to.UtcDateTime, queue, @short = defaults.ShortAbandon, sl = defaults.ServiceLevelThreshold };
        var ended = (await connection.QueryAsync<Ended>(new CommandDefinition(EndedSql, args, cancellationToken: ct))).ToDictionary(r => r.Bucket);
        for (var (i, at) = (0, from); at < to; i++, at += Quarter)
        {
            var e = ended.GetValueOrDefault(i);
            buckets.Add(new TrendBucket(TimeZoneInfo.ConvertTime(at, zone), TimeZoneInfo.ConvertTime(Min(at + Quarter, to), zone),
                (e?.Answered ?? 0) + (e?.Abandoned ?? 0) + (e?.Short_Abandoned ?? 0), e?.Answered ?? 0, e?.Abandoned ?? 0, e?.Asa,
                MetricsQuery.Rate(e?.In_Time ?? 0, (e?.Answered ?? 0) + (e?.Abandoned ?? 0))));
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

    sealed record Ended(int Bucket, long Answered, long Abandoned, long Short_Abandoned, long In_Time, double? Asa);

}
