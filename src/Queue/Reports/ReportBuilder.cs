using Queue.Events;
using Queue.Figures;
using Queue.Targets;

namespace Queue.Reports;

/// <summary>Pure: a fortnight's counts by queue, region and day, and the targets → the weekly report.</summary>
public static class ReportBuilder
{
    // Shares are ratios of counts: 9 of 10 meets 0.9 whatever the rounding.
    const double Rounding = 1e-9;

    public static WeeklyReport Build(ReportWeek week, TimeZoneInfo zone, DateTimeOffset now, IReadOnlyList<DayCounts> counts,
        IReadOnlyList<Breach48> breaches, Func<string?, TargetOptions> targets)
    {
        var (from, to) = week.Bounds(zone);
        var monday = week.Monday;
        var previousMonday = monday.AddDays(-7);
        var queues = counts.Where(c => c.Queue is not null).Select(c => c.Queue!).Distinct().Order(StringComparer.Ordinal).ToList();
        ReportSection Section(string? queue, IEnumerable<DayCounts> rows)
        {
            var list = rows.ToList();
            var t = targets(queue);
            var days = Enumerable.Range(0, 7).Select(i => monday.AddDays(i))
                .Select(d => new ReportDay(d, Figures(Sum(list.Where(c => c.Day == d), d)))).ToList();
            var current = Figures(Sum(list.Where(c => c.Day >= monday && c.Day < monday.AddDays(7)), monday));
            var previous = Figures(Sum(list.Where(c => c.Day >= previousMonday && c.Day < monday), previousMonday));
            return new ReportSection(queue,
                new ReportTargets(t.Wait.TotalSeconds, t.Remote, t.Visit24, t.Visit48, t.ServiceLevelThreshold.TotalSeconds),
                current, previous, Met(current, t), Met(previous, t), days);
        }
        // Each region's week in the center's time, whatever the region's own clock: the days are the center's days.
        var center = targets(null);
        var regions = counts.Where(c => c.Day >= monday && c.Day < monday.AddDays(7))
            .GroupBy(c => c.Region)
            .OrderBy(g => g.Key is null).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var figures = Figures(Sum(g, monday));
                return new ReportRegion(g.Key, figures, Met(figures, center));
            })
            .ToList();
        return new WeeklyReport(week.ToString(), TimeZoneInfo.ConvertTime(from, zone), TimeZoneInfo.ConvertTime(to, zone), zone.Id, now < to,
            TimeZoneInfo.ConvertTime(now, zone),
            Section(null, counts),
            queues.Select(q => Section(q, counts.Where(c => c.Queue == q))).ToList(),
            breaches,
            regions);
    }

    static DayCounts Sum(IEnumerable<DayCounts> rows, DateOnly day) => rows.Aggregate(new DayCounts(null, null, day, FigureCounts.Zero), (a, b) => a.Plus(b));

    public static ReportFigures Figures(DayCounts day) => ReportFigures.Of(day.Counts);

    /// <summary>Each target met or missed; null where there was nothing to judge.</summary>
    public static TargetsMet Met(ReportFigures f, TargetOptions t) => new(
        f.AsaSeconds is { } asa ? asa <= t.Wait.TotalSeconds : null,
        f.RemoteResolution is { } remote ? remote >= t.Remote - Rounding : null,
        f.Visit24 is { } share ? share >= t.Visit24 - Rounding : null,
        t.Visit48Met(f.Due48, f.Overdue48));
}
