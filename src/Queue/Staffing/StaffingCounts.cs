namespace Queue.Staffing;

/// <summary>
/// The per-minute sums behind staffing over the last 15 and 60 minutes. Arrivals are those of the whole minutes before
/// the one under way, over exactly 15 and 60 minutes (<see cref="Span15"/>, <see cref="Span60"/>), so that counts over
/// spans are rates without an edge error that move when a minute ends, not with the clock. Abandoned waits count short abandons too. Wrap-ups are the
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
