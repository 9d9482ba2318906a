namespace Queue.Figures;

/// <summary>
/// The counts every SLA figure is made of (docs/figures.md), over one window or part of one: what PostgreSQL counts
/// for <c>/api/metrics</c>, the trend and the weekly report, and what live state counts in Redis. Counts of two parts
/// (queues, days, regions) add up with <see cref="Plus"/>; each figure is defined once, below, from them.
/// </summary>
public sealed record FigureCounts
{
    public static readonly FigureCounts Zero = new();

    /// <summary>Legs answered in the window.</summary>
    public long Answered { get; init; }

    /// <summary>Legs abandoned in the window after waiting at least the short-abandon threshold.</summary>
    public long Abandoned { get; init; }

    /// <summary>Legs abandoned in the window sooner: in no rate.</summary>
    public long ShortAbandoned { get; init; }

    /// <summary>Answered legs that waited at most the service-level T.</summary>
    public long AnsweredInTime { get; init; }

    /// <summary>The summed wait of the answered legs.</summary>
    public double WaitSeconds { get; init; }

    /// <summary>Calls completed in the window, in the queue of their last leg.</summary>
    public long Completed { get; init; }

    /// <summary>Completed calls whose resolution is <c>resolved</c>.</summary>
    public long Resolved { get; init; }

    /// <summary>Completed calls with no resolution known yet.</summary>
    public long ResolutionUnknown { get; init; }

    /// <summary>Visits whose 24 h deadline fell in the window (and has passed), not cancelled before it.</summary>
    public long Due24 { get; init; }

    /// <summary>Of <see cref="Due24"/>, those resolved by their deadline.</summary>
    public long ResolvedBy24 { get; init; }

    /// <summary>Visits whose 48 h deadline fell in the window (and has passed), not cancelled by it.</summary>
    public long Due48 { get; init; }

    /// <summary>Of <see cref="Due48"/>, those not resolved by their deadline: breaches of the 48 h target.</summary>
    public long Overdue48 { get; init; }

    public FigureCounts Plus(FigureCounts o) => new()
    {
        Answered = Answered + o.Answered,
        Abandoned = Abandoned + o.Abandoned,
        ShortAbandoned = ShortAbandoned + o.ShortAbandoned,
        AnsweredInTime = AnsweredInTime + o.AnsweredInTime,
        WaitSeconds = WaitSeconds + o.WaitSeconds,
        Completed = Completed + o.Completed,
        Resolved = Resolved + o.Resolved,
        ResolutionUnknown = ResolutionUnknown + o.ResolutionUnknown,
        Due24 = Due24 + o.Due24,
        ResolvedBy24 = ResolvedBy24 + o.ResolvedBy24,
        Due48 = Due48 + o.Due48,
        Overdue48 = Overdue48 + o.Overdue48,
    };

    /// <summary>Every leg that ended answered or abandoned, short abandons included.</summary>
    public long Offered => Answered + Abandoned + ShortAbandoned;

    /// <summary>Answered and abandoned: the legs the rates are shares of (short abandons are in none).</summary>
    public long AnsweredOrAbandoned => Answered + Abandoned;

    /// <summary>Average speed of answer, seconds: the mean wait of the answered legs.</summary>
    public double? AsaSeconds => Answered == 0 ? null : WaitSeconds / Answered;

    /// <summary>Service level: the share of answered and abandoned legs answered within T.</summary>
    public double? ServiceLevel => Rate(AnsweredInTime, AnsweredOrAbandoned);

    /// <summary>Abandonment rate: the share of answered and abandoned legs abandoned.</summary>
    public double? AbandonmentRate => Rate(Abandoned, AnsweredOrAbandoned);

    /// <summary>Completed calls whose resolution is known: the remote resolution's denominator.</summary>
    public long ResolutionKnown => Completed - ResolutionUnknown;

    /// <summary>Remote resolution: the share of completed calls of known resolution resolved on the call.</summary>
    public double? RemoteResolution => Rate(Resolved, ResolutionKnown);

    /// <summary>Visits resolved within 24 h: the share of <see cref="Due24"/> resolved by the deadline.</summary>
    public double? Visit24 => Rate(ResolvedBy24, Due24);

    /// <summary>A rate with no samples is null (shown as "—"), never 0 or 100 %.</summary>
    public static double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;
}
