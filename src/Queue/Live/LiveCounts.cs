using Queue.Ingest;
using Queue.Figures;

namespace Queue.Live;

/// <summary>The counts and sums behind one window's figures; counts of two queues add up to their center's.</summary>
public sealed record WindowCounts(
    DateTimeOffset From, DateTimeOffset To,
    long Answered, long InServiceLevel, long WaitMicros, long Abandoned, long ShortAbandoned, long Completed, long Resolved,
    long ResolutionUnknown = 0)
{
    public WindowCounts Plus(WindowCounts o) => this with
    {
        Answered = Answered + o.Answered,
        InServiceLevel = InServiceLevel + o.InServiceLevel,
        WaitMicros = WaitMicros + o.WaitMicros,
        Abandoned = Abandoned + o.Abandoned,
        ShortAbandoned = ShortAbandoned + o.ShortAbandoned,
        Completed = Completed + o.Completed,
        Resolved = Resolved + o.Resolved,
        ResolutionUnknown = ResolutionUnknown + o.ResolutionUnknown,
    };
}

/// <summary>Visits now (open, past 24 h, past 48 h) and the rolling 7 days of deadlines [From, To).</summary>
public sealed record VisitCounts(DateTimeOffset From, DateTimeOffset To, long Open, long Late, long Overdue, long Due24, long ResolvedBy24, long Overdue48)
{
    public VisitCounts Plus(VisitCounts o) =>
        this with { Open = Open + o.Open, Late = Late + o.Late, Overdue = Overdue + o.Overdue, Due24 = Due24 + o.Due24, ResolvedBy24 = ResolvedBy24 + o.ResolvedBy24, Overdue48 = Overdue48 + o.Overdue48 };
}

/// <summary>
/// The per-minute sums behind staffing over the last 15 and 60 minutes. Each span runs from the start of the minute
/// its window starts in to now (<see cref="Span15"/>, <see cref="Span60"/>: a little over 15 and 60 minutes), so that
/// counts over spans are rates without an edge error. Abandoned waits count short abandons too. Wrap-ups are the
/// episodes of the queue's agents that ended in the span, and their summed length.
/// </summary>
public sealed record StaffingCounts(
    TimeSpan Span15, TimeSpan Span60, long Arrived15, long Arrived60, long Talked60, long TalkMicros60, long AbandonWaitMicros60,
    long WrapUps60, long WrapUpMicros60)
{
    public static StaffingCounts None { get; } = new(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), 0, 0, 0, 0, 0, 0, 0);

    public StaffingCounts Plus(StaffingCounts o) => this with
    {
        Arrived15 = Arrived15 + o.Arrived15,
        Arrived60 = Arrived60 + o.Arrived60,
        Talked60 = Talked60 + o.Talked60,
        TalkMicros60 = TalkMicros60 + o.TalkMicros60,
        AbandonWaitMicros60 = AbandonWaitMicros60 + o.AbandonWaitMicros60,
        WrapUps60 = WrapUps60 + o.WrapUps60,
        WrapUpMicros60 = WrapUpMicros60 + o.WrapUpMicros60,
    };
}

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
