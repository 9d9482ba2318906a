using Queue.Figures;
using Queue.Targets;

namespace Queue.Staffing;

/// <summary>
/// Calls offered to a queue: how many arrive an hour, and how long an agent is taken by each (talk and wrap-up, the
/// average handle time). Their product is the offered load in Erlangs: how many agents all calls would keep busy if
/// each were answered at once.
/// </summary>
public sealed record Traffic
{
    public Traffic(double callsPerHour, TimeSpan handleTime)
    {
        if (!double.IsFinite(callsPerHour) || callsPerHour < 0)
            throw new ArgumentOutOfRangeException(nameof(callsPerHour), callsPerHour, "Calls per hour must be finite and not negative.");
        if (handleTime <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(handleTime), handleTime, "The handle time must be positive.");
        CallsPerHour = callsPerHour;
        HandleTime = handleTime;
    }

    public double CallsPerHour { get; }

    public TimeSpan HandleTime { get; }

    /// <summary>The offered load A = λ · AHT.</summary>
    public double Erlangs => CallsPerHour / 3600 * HandleTime.TotalSeconds;

    /// <summary>
    /// The weight of the last 15 minutes' rate against the last hour's in the arrival rate now: ⅔ of the quarter's
    /// rate and ⅓ of the hour's. The hour holds the quarter too, so the last quarter weighs ¾ in all: quick to follow
    /// a surge, yet not thrown by the few calls of one quiet quarter.
    /// </summary>
    public const double RecentWeight = 2.0 / 3;
}

/// <summary>
/// What staffing must achieve: an average speed of answer of at most <see cref="Asa"/>, and at least
/// <see cref="ServiceLevel"/> (a share, 0.8 for 80 %) of calls answered within <see cref="ServiceLevelTime"/>.
/// A null target is not asked for; with neither, any stable staffing meets them.
/// </summary>
public sealed record StaffingTargets(TimeSpan? Asa, double? ServiceLevel, TimeSpan ServiceLevelTime)
{
    /// <summary>
    /// What a queue's configured targets ask of staffing: its ASA target (<c>wait</c>), and its service level (a share
    /// within T) when one is set; none is by default.
    /// </summary>
    public static StaffingTargets Of(TargetOptions targets) => new(targets.Wait, targets.ServiceLevel, targets.ServiceLevelThreshold);

    /// <summary>Whether these Erlang C figures meet every target asked for (an unstable queue meets none).</summary>
    public bool MetBy(ErlangCFigures figures) =>
        figures.Stable
        && (Asa is not { } asa || figures.Asa <= asa)
        && (ServiceLevel is not { } share || figures.ServiceLevel >= share);

    /// <summary>Throws unless the targets can be met at all: ASA above zero, a share in [0, 1), a time not negative.</summary>
    public void Check()
    {
        if (Asa is { } asa && asa <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Asa), asa, "An ASA target must be positive: some call always waits.");
        if (ServiceLevel is { } share && !(share >= 0 && share < 1))
            throw new ArgumentOutOfRangeException(nameof(ServiceLevel), share, "A service-level target must be a share in [0, 1): some call always waits.");
        if (ServiceLevelTime < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ServiceLevelTime), ServiceLevelTime, "The service-level time must not be negative.");
    }
}
