namespace Queue.Redis;

/// <summary>
/// Instants as whole microseconds since the Unix epoch: every score of live state's sorted sets, and the unit of its
/// sums of time. Exact in a Redis score (a double) until the year 2255.
/// </summary>
public static class Micros
{
    public static long Of(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset At(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    /// <summary>A span as whole microseconds.</summary>
    public static long Of(TimeSpan span) => span.Ticks / 10;

    /// <summary>A sum of time in microseconds, as seconds.</summary>
    public static double Seconds(long micros) => micros / 1e6;

    /// <summary>Truncates to whole microseconds, the precision of stored events.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => at.AddTicks(-(at.Ticks % 10));

    public const long PerMinute = 60_000_000;
    public const long PerQuarterHour = 15 * PerMinute;

    /// <summary>Whole minutes since the Unix epoch: the minute an instant falls in.</summary>
    public static long Minute(long micros) => Math.DivRem(micros, PerMinute).Quotient;

    /// <summary>Whole quarter hours since the Unix epoch (every time zone's midnight falls on one).</summary>
    public static long Quarter(long micros) => Math.DivRem(micros, PerQuarterHour).Quotient;
}
