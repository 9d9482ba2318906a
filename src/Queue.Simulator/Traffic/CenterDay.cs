namespace Queue.Simulator.Traffic;

/// <summary>
/// The center's days as the simulation plays them: counted from the center's midnight before the start, each
/// 24 h ÷ <see cref="TrafficOptions.DaySpeed"/> long. Shifts, breaks and surges follow these days; calls and visits
/// keep their real durations.
/// </summary>
internal sealed class CenterDay
{
    readonly TrafficOptions options;
    readonly long origin;
    readonly long length;

    public CenterDay(TrafficOptions options, long start)
    {
        this.options = options;
        length = (long)(TimeSpan.TicksPerDay / options.DaySpeed);
        var localMidnight = new DateTime(start, DateTimeKind.Unspecified).Add(options.CenterOffset).Date;
        origin = localMidnight.Ticks - options.CenterOffset.Ticks;
    }

    /// <summary>The day <paramref name="ticks"/> (UTC) falls in.</summary>
    public long Of(long ticks) => (ticks - origin) / length;

    /// <summary>When a day starts, in UTC ticks.</summary>
    public long Start(long day) => origin + (day * length);

    /// <summary>A time of the center's day as it plays at <see cref="TrafficOptions.DaySpeed"/>.</summary>
    public TimeSpan Scaled(TimeSpan time) => options.DaySpeed == 1 ? time : time / options.DaySpeed;

    /// <summary>How many times more calls than usual come at <paramref name="ticks"/>: the surge then, or 1.</summary>
    public double SurgeFactor(long ticks)
    {
        if (options.Surges.Count == 0) return 1;
        var timeOfDay = TimeSpan.FromTicks((long)((((ticks - origin) % length + length) % length) * options.DaySpeed));
        foreach (var surge in options.Surges)
            if (timeOfDay >= surge.At && timeOfDay < surge.At + surge.Length) return surge.Factor;
        return 1;
    }
}
