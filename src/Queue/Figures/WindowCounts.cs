namespace Queue.Figures;

/// <summary>The counts and sums behind one window's figures; counts of two queues add up to their center's.</summary>
public sealed record WindowCounts(
    DateTimeOffset From, DateTimeOffset To,
    long Answered, long InServiceLevel, long WaitMicros, long Abandoned, long ShortAbandoned, long Completed, long Resolved,
    long ResolutionUnknown = 0)
{
    /// <summary>The counts as every figure is made of them.</summary>
    public FigureCounts Counts => new()
    {
        Answered = Answered, Abandoned = Abandoned, ShortAbandoned = ShortAbandoned, AnsweredInTime = InServiceLevel,
        WaitSeconds = WaitMicros / 1e6, Completed = Completed, Resolved = Resolved, ResolutionUnknown = ResolutionUnknown,
    };

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
