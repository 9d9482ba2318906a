namespace Queue.Staffing;

/// <summary>
/// What a queue's recent figures say of its next minutes: the arrival rate now, its trend, the handle time, the agents
/// serving it, the callers' patience if known, and the ASA target. <see cref="TrendNoise"/> is the standard error of
/// the 15-minute rate less the 60-minute rate (calls an hour) that chance alone gives those counts.
/// </summary>
public sealed record ForecastInputs(
    double CallsPerHourNow, double CallsPerHour15, double CallsPerHour60, TimeSpan HandleTime, int Agents, TimeSpan? Patience, TimeSpan ServiceLevelTime,
    double TrendNoise = 0);

/// <summary>The model at one point ahead: the projected load, and the ASA it expects there (null: no steady state under Erlang C).</summary>
public sealed record ForecastPoint(TimeSpan After, double CallsPerHour, double Erlangs, double? AsaSeconds, bool OverCapacity);

/// <summary>
/// Pure: the queue projected forward at its current staffing (ADR 0006, "Forecast"). The trend is the last hour's: the
/// 15-minute rate against the 60-minute one, whose windows' middles are 22.5 minutes apart, less what chance alone
/// makes of two Poisson counts (<see cref="TrendConfidence"/> standard errors): a steady queue's quarter is above its
/// hour half the time, and carried 15 minutes ahead that noise alone would warn. Rising, the 15-minute rate
/// is carried along it from its middle (7.5 minutes ago) to each point ahead; the rate is never taken below the
/// recent rate (⅔ quarter, ⅓ hour), so a falling trend promises no relief. At each whole minute up to the
/// horizon the expected ASA is Erlang A with the observed patience, or Erlang C without one; the queue breaches at
/// the first point where that ASA is past the limit or the load reaches the agents.
/// </summary>
public static class Forecast
{
    /// <summary>Hours between the middles of the last 15 and the last 60 minutes.</summary>
    public const double TrendBaseHours = 22.5 / 60;

    /// <summary>Hours from the middle of the last 15 minutes to now.</summary>
    public const double QuarterMiddleHours = 7.5 / 60;

    /// <summary>Standard errors of chance taken off the rise before it is believed.</summary>
    public const double TrendConfidence = 3;

    /// <summary>The projected arrival rate <paramref name="after"/> from now.</summary>
    public static double CallsPerHourAt(ForecastInputs f, TimeSpan after) =>
        Math.Max(f.CallsPerHourNow, f.CallsPerHour15 + Slope(f.CallsPerHour15, f.CallsPerHour60, f.TrendNoise) * (QuarterMiddleHours + after.TotalHours));

    /// <summary>
    /// How fast arrivals rise, in calls an hour per hour: (rate₁₅ − rate₆₀ − <see cref="TrendConfidence"/> ·
    /// <paramref name="noise"/>) / 22.5 min, 0 when that is not rising.
    /// </summary>
    public static double Slope(double callsPerHour15, double callsPerHour60, double noise = 0) =>
        Math.Max(0, (callsPerHour15 - callsPerHour60 - TrendConfidence * noise) / TrendBaseHours);

    /// <summary>
    /// The standard error of rate₁₅ − rate₆₀ from the counts behind them: the quarter's <paramref name="arrived15"/>
    /// and the rest of the hour's are independent Poisson counts, each its own variance; the rates give the spans.
    /// </summary>
    public static double TrendNoise(long arrived15, long arrived60, double callsPerHour15, double callsPerHour60)
    {
        if (arrived60 <= 0) return 0;
        var per60 = callsPerHour60 / arrived60; // 1 / the hour's span
        var per15 = arrived15 > 0 ? callsPerHour15 / arrived15 : 0; // 1 / the quarter's span
        var variance = arrived15 * (per15 - per60) * (per15 - per60) + (arrived60 - arrived15) * per60 * per60;
        return Math.Sqrt(variance);
    }

    /// <summary>The projection at now and at every whole minute up to <paramref name="horizon"/>.</summary>
    public static IEnumerable<ForecastPoint> Project(ForecastInputs f, TimeSpan horizon)
    {
        for (var minute = 0; minute <= (int)Math.Floor(horizon.TotalMinutes); minute++)
        {
            var after = TimeSpan.FromMinutes(minute);
            var traffic = new Traffic(CallsPerHourAt(f, after), f.HandleTime);
            var over = f.Agents <= traffic.Erlangs && traffic.Erlangs > 0;
            double? asa;
            if (f.Patience is { } p && traffic.CallsPerHour / 3600 * p.TotalSeconds <= ErlangA.MaxArrivalsPerPatience)
                asa = ErlangA.Evaluate(traffic, f.Agents, p).Asa?.TotalSeconds;
            else
                asa = ErlangC.Evaluate(traffic, f.Agents, f.ServiceLevelTime).Asa?.TotalSeconds;
            yield return new ForecastPoint(after, traffic.CallsPerHour, traffic.Erlangs, asa, over);
        }
    }

    /// <summary>The first point within the horizon where the expected ASA is past <paramref name="asaLimit"/> or the load reaches the agents; null if none.</summary>
    public static ForecastPoint? FirstBreach(ForecastInputs f, TimeSpan horizon, TimeSpan asaLimit) =>
        Project(f, horizon).FirstOrDefault(p => p.OverCapacity || p.AsaSeconds is not { } asa || asa > asaLimit.TotalSeconds);
}
