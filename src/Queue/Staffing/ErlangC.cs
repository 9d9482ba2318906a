namespace Queue.Staffing;

/// <summary>
/// Erlang C figures of a queue with <see cref="Agents"/> agents and no abandonment (M/M/N). <see cref="Stable"/> is
/// false when the load is at least the agents: the queue then grows without bound, every call waits
/// (<see cref="ProbabilityOfWaiting"/> 1, <see cref="ServiceLevel"/> 0, <see cref="Occupancy"/> 1) and the average
/// wait has no limit (<see cref="Asa"/> null).
/// </summary>
public sealed record ErlangCFigures(
    bool Stable, double Erlangs, int Agents, double ProbabilityOfWaiting, TimeSpan ServiceLevelTime, double ServiceLevel, TimeSpan? Asa,
    double Occupancy);

/// <summary>
/// Erlang B and C, pure. Factorials and powers never appear: Erlang B comes from the recurrence
/// B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)), whose every step is a weighted mean of values in [0, 1], so it neither
/// overflows nor loses precision however large A and N are (relative error about n·ε; O(N) steps). Erlang C follows
/// from B without a subtraction that could cancel.
/// </summary>
public static class ErlangC
{
    /// <summary>Erlang B: the share of calls that find all <paramref name="agents"/> busy in a loss system (M/M/N/N).</summary>
    public static double ErlangB(double erlangs, int agents)
    {
        CheckLoad(erlangs);
        ArgumentOutOfRangeException.ThrowIfNegative(agents);
        var b = 1.0;
        for (var n = 1; n <= agents; n++) b = Step(b, erlangs, n);
        return b;
    }

    /// <summary>Erlang C: the probability that a call waits, C = N·B / (N − A + A·B); 1 when A ≥ N (unstable).</summary>
    public static double ProbabilityOfWaiting(double erlangs, int agents) => FromB(ErlangB(erlangs, agents), erlangs, agents);

    /// <summary>Every Erlang C figure of <paramref name="traffic"/> answered by <paramref name="agents"/>, service level at <paramref name="serviceLevelTime"/>.</summary>
    public static ErlangCFigures Evaluate(Traffic traffic, int agents, TimeSpan serviceLevelTime)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(agents);
        if (serviceLevelTime < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(serviceLevelTime), serviceLevelTime, "must not be negative");
        return Figures(traffic, agents, ErlangB(traffic.Erlangs, agents), serviceLevelTime);
    }

    /// <summary>
    /// The fewest agents whose Erlang C figures meet <paramref name="targets"/>: 0 with no calls, otherwise the first N
    /// above the load that meets them. More agents only ever lower C and the wait, so the first is the fewest, and one
    /// fewer does not meet them. B is carried from N to N + 1, so the search costs O(N) in all. Null if no N up to
    /// A + 50·√A + 100 meets them, which only a target asking for near certainty can cause (C there is below 10⁻³⁰⁰).
    /// </summary>
    public static int? FewestAgents(Traffic traffic, StaffingTargets targets)
    {
        targets.Check();
        var a = traffic.Erlangs;
        if (a == 0) return 0;
        var first = (long)Math.Floor(a) + 1;
        var last = first + (long)Math.Ceiling(50 * Math.Sqrt(a)) + 100;
        if (last >= int.MaxValue) throw new ArgumentOutOfRangeException(nameof(traffic), a, "The load is too large to staff.");
        var b = 1.0;
        for (var n = 1; n <= last; n++)
        {
            b = Step(b, a, n);
            if (n >= first && targets.MetBy(Figures(traffic, n, b, targets.ServiceLevelTime))) return n;
        }
        return null;
    }

    static ErlangCFigures Figures(Traffic traffic, int agents, double b, TimeSpan serviceLevelTime)
    {
        var a = traffic.Erlangs;
        if (a == 0) return new ErlangCFigures(true, 0, agents, 0, serviceLevelTime, 1, TimeSpan.Zero, 0);
        if (a >= agents) return new ErlangCFigures(false, a, agents, 1, serviceLevelTime, 0, null, 1);
        var c = FromB(b, a, agents);
        var aht = traffic.HandleTime.TotalSeconds;
        // Waits of waiting calls are exponential with rate (N − A)/AHT: P(W > t) = C·e^{−(N−A)t/AHT}, E[W] = C·AHT/(N − A).
        var serviceLevel = 1 - c * Math.Exp(-(agents - a) * serviceLevelTime.TotalSeconds / aht);
        var asa = c * aht / (agents - a);
        return new ErlangCFigures(true, a, agents, c, serviceLevelTime, Math.Clamp(serviceLevel, 0, 1), Durations.Seconds(asa), a / agents);
    }

    static double Step(double b, double a, int n)
    {
        var ab = a * b;
        return ab / (n + ab);
    }

    // N − A(1 − B) written as (N − A) + A·B: both terms are positive when A < N, so nothing cancels near A = N.
    static double FromB(double b, double a, int agents) =>
        a >= agents ? 1 : a == 0 ? 0 : Math.Min(1, agents * b / ((agents - a) + a * b));

    internal static void CheckLoad(double erlangs)
    {
        if (!double.IsFinite(erlangs) || erlangs < 0)
            throw new ArgumentOutOfRangeException(nameof(erlangs), erlangs, "The load must be finite and not negative.");
    }
}

/// <summary>Seconds computed in doubles, as a <see cref="TimeSpan"/> at the edge.</summary>
internal static class Durations
{
    static readonly double MaxSeconds = TimeSpan.MaxValue.TotalSeconds;

    /// <summary>Saturates at <see cref="TimeSpan.MaxValue"/> (some 29,000 years): a load a hair under the agents has a finite but absurd ASA.</summary>
    public static TimeSpan Seconds(double seconds) => seconds >= MaxSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
}
