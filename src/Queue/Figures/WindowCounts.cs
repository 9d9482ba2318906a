namespace Queue.Figures;

/// <summary>
/// One live window [From, To) and its counts (<see cref="FigureCounts"/>, as every figure is made of them); counts of two
/// queues add up to their center's.
/// </summary>
public sealed record WindowCounts(DateTimeOffset From, DateTimeOffset To, FigureCounts Counts)
{
    public WindowCounts Plus(WindowCounts o) => this with { Counts = Counts.Plus(o.Counts) };
}

/// <summary>Visits now (open, past 24 h, past 48 h) and the rolling 7 days of deadlines [From, To).</summary>
public sealed record VisitCounts(DateTimeOffset From, DateTimeOffset To, long Open, long Late, long Overdue, long Due24, long ResolvedBy24, long Overdue48)
{
    public VisitCounts Plus(VisitCounts o) =>
        this with { Open = Open + o.Open, Late = Late + o.Late, Overdue = Overdue + o.Overdue, Due24 = Due24 + o.Due24, ResolvedBy24 = ResolvedBy24 + o.ResolvedBy24, Overdue48 = Overdue48 + o.Overdue48 };
}
