using Queue.Figures;
using Queue.Ingest;
using Queue.Staffing;

namespace Queue.Live;

/// <summary>Everything a queue's live snapshot is computed from, read from Redis in one transaction.</summary>
public sealed record QueueCounts(
    DateTimeOffset Now, long Waiting, DateTimeOffset? OldestWaiting,
    WindowCounts M15, WindowCounts M60, WindowCounts Today, VisitCounts Visits,
    IReadOnlyDictionary<string, AgentInfo> Agents, StaffingCounts? Staffing = null)
{
    public QueueCounts Plus(QueueCounts o) => this with
    {
        Waiting = Waiting + o.Waiting,
        OldestWaiting = (OldestWaiting, o.OldestWaiting) switch
        {
            (null, var b) => b,
            (var a, null) => a,
            var (a, b) => a < b ? a : b,
        },
        M15 = M15.Plus(o.M15),
        M60 = M60.Plus(o.M60),
        Today = Today.Plus(o.Today),
        Visits = Visits.Plus(o.Visits),
        Staffing = (Staffing ?? StaffingCounts.None).Plus(o.Staffing ?? StaffingCounts.None),
    };
}

/// <summary>The live windows of SPEC §3 at an instant: rolling 15 and 60 minutes, today in the center's zone, 7 days of visits.</summary>
public static class LiveWindows
{
    public static (DateTimeOffset From, DateTimeOffset To) M15(DateTimeOffset now) => (now - TimeSpan.FromMinutes(15), now);
    public static (DateTimeOffset From, DateTimeOffset To) M60(DateTimeOffset now) => (now - TimeSpan.FromHours(1), now);
    public static (DateTimeOffset From, DateTimeOffset To) Visits(DateTimeOffset now) => (now - TimeSpan.FromDays(7), now);

    /// <summary>From the last local midnight (as an instant: the zone's offset may differ across the day) to now.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Today(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = local.Date;
        var offset = zone.IsInvalidTime(midnight) ? zone.GetUtcOffset(midnight.AddHours(1)) : zone.GetUtcOffset(midnight);
        return (new DateTimeOffset(midnight, offset), now);
    }
}
