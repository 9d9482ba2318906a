using Queue.Events;
namespace Queue.Simulator.Traffic;

/// <summary>Shares of completed calls by resolution (normalised when drawn).</summary>
public sealed record ResolutionMix(double Resolved, double FieldVisit, double Escalated, double Unresolved);

/// <summary>From <paramref name="At"/> (center time of day) for <paramref name="Length"/>, calls arrive
/// <paramref name="Factor"/> times as often as the operators on shift are planned for.</summary>
public sealed record Surge(TimeSpan At, TimeSpan Length, double Factor);

/// <summary>A queue of the simulated center: its share of incoming calls, how its calls end and who calls it.</summary>
/// <param name="Segments">Customer segments of its callers; the first is the common one.</param>
public sealed record QueueProfile(string Name, double Share, ResolutionMix Resolutions, IReadOnlyList<string> Segments);

/// <summary>
/// The simulated center. Defaults describe a typical day of the Chelyabinsk center: four queues, operators on
/// staggered shifts answering about a hundred calls a day each, a few percent of callers giving up, one call in
/// twelve transferred, and one in twenty ending with a technician visit.
/// </summary>
public sealed record TrafficOptions
{
    /// <summary>Seeds every random draw: the same options and start give the same stream.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Prefix of call, visit and event ids, so that two runs against one database do not collide.</summary>
    public string IdPrefix { get; init; } = "sim";

    public int Operators { get; init; } = 200;

    /// <summary>Calls one operator answers in a day (one shift); the arrival rate follows the operators on shift.</summary>
    public double CallsPerOperatorPerDay { get; init; } = 100;

    public IReadOnlyList<QueueProfile> Queues { get; init; } = DefaultQueues;

    /// <summary>The center's UTC offset (Asia/Yekaterinburg keeps +05:00 all year): shifts are planned and
    /// event times are written in it.</summary>
    public TimeSpan CenterOffset { get; init; } = TimeSpan.FromHours(5);

    /// <summary>Share of operators who also serve a second queue.</summary>
    public double SecondSkillShare { get; init; } = 0.5;

    /// <summary>Share of answered first legs that the operator transfers to another queue.</summary>
    public double TransferShare { get; init; } = 0.09;

    /// <summary>Mean talk time (log-normal); wrap-up is drawn between the two bounds below.</summary>
    public TimeSpan MeanTalk { get; init; } = TimeSpan.FromSeconds(200);

    public TimeSpan MinWrapUp { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan MaxWrapUp { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>Mean of how long a caller is willing to wait (exponential); a waiting call past it is abandoned.</summary>
    public TimeSpan MeanPatience { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Share of callers who hang up within a few seconds whatever happens (the short abandons).</summary>
    public double ImpatientShare { get; init; } = 0.015;

    /// <summary>Share of field visits that are called off instead of resolved.</summary>
    public double VisitCancelShare { get; init; } = 0.05;

    /// <summary>Of the visits not called off, the share resolved within 24 h; of the others, those past 48 h are
    /// <see cref="VisitPast48Share"/> of all (up to 60 h), the rest between 24 h and 48 h.</summary>
    public double VisitWithin24Share { get; init; } = 0.82;

    public double VisitPast48Share { get; init; } = 0.03;

    /// <summary>How many times faster than the clock the center's day plays: shifts, breaks and surges are that
    /// much shorter (a day of 24 h ÷ speed), while calls and visits keep their real durations. 1 = real days.</summary>
    public double DaySpeed { get; init; } = 1;

    /// <summary>Hours of the day (center time) when more calls come than the operators on shift are planned for.</summary>
    public IReadOnlyList<Surge> Surges { get; init; } = [];

    /// <summary>Share of calls from a number that called recently (repeat callers).</summary>
    public double RepeatCallerShare { get; init; } = 0.12;

    /// <summary>How often the optional fields of <c>call.queued</c> are sent.</summary>
    public double RegionShare { get; init; } = 0.95;

    public double LanguageShare { get; init; } = 0.8;

    public double SegmentShare { get; init; } = 0.7;

    public double CallerShare { get; init; } = 0.9;

    /// <summary>Share of offers an operator lets ring out (<see cref="RingTimeout"/>): the call is offered to the
    /// next free operator, and a <c>call.missed</c> tells of it. 0, the default, draws nothing for it.</summary>
    public double MissedOfferShare { get; init; }

    /// <summary>How long an offer rings before the PBX gives up on that operator.</summary>
    public TimeSpan RingTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether a break's status says why (<c>lunch</c> for the long one, <c>break</c> otherwise), as a
    /// PBX's pause codes do.</summary>
    public bool BreakReasons { get; init; }

    /// <summary>b2c, b2b, tech and billing: about 90 % of completed calls resolved remotely and 5 % ending
    /// in a field visit overall, tech below target and billing above it.</summary>
    public static readonly IReadOnlyList<QueueProfile> DefaultQueues =
    [
        new("b2c", 0.50, new(0.92, 0.03, 0.03, 0.02), ["mass", "premium"]),
        new("b2b", 0.15, new(0.89, 0.05, 0.04, 0.02), ["sme", "enterprise", "government"]),
        new("tech", 0.25, new(0.84, 0.12, 0.02, 0.02), ["mass", "premium", "sme"]),
        new("billing", 0.10, new(0.95, 0.00, 0.03, 0.02), ["mass", "sme"]),
    ];

    /// <summary>Throws when the options cannot describe a center.</summary>
    public void Validate()
    {
        if (Operators < 1) throw new ArgumentException("Operators must be at least 1");
        if (CallsPerOperatorPerDay <= 0) throw new ArgumentException("CallsPerOperatorPerDay must be positive");
        if (Queues.Count == 0 || Queues.Any(q => q.Share <= 0)) throw new ArgumentException("Queues must be a non-empty list with positive shares");
        if (Queues.Select(q => q.Name).Distinct(StringComparer.Ordinal).Count() != Queues.Count) throw new ArgumentException("Queue names must be unique");
        if (MeanTalk <= TimeSpan.Zero || MeanPatience <= TimeSpan.Zero || MinWrapUp < TimeSpan.Zero || MaxWrapUp < MinWrapUp)
            throw new ArgumentException("Talk, patience and wrap-up times must be positive");
        if (VisitWithin24Share is < 0 or > 1 || VisitPast48Share < 0 || VisitWithin24Share + VisitPast48Share > 1)
            throw new ArgumentException("Visit shares must be fractions that add up to at most 1");
        if (MissedOfferShare is < 0 or >= 1 || RingTimeout <= TimeSpan.Zero)
            throw new ArgumentException("MissedOfferShare must be a fraction below 1 and RingTimeout positive");
        if (DaySpeed is not (>= 1 and <= 1_440)) throw new ArgumentException("DaySpeed must be between 1 and 1440");
        if (Surges.Any(s => s.Factor < 1 || s.Length <= TimeSpan.Zero || s.At < TimeSpan.Zero || s.At + s.Length > TimeSpan.FromDays(1)))
            throw new ArgumentException("A surge lies within a day and has a factor of at least 1");
        if (string.IsNullOrEmpty(IdPrefix) || !Queue.Events.Identifiers.IsValid(IdPrefix + "-v0000000"))
            throw new ArgumentException("IdPrefix must be a short identifier (letters, digits, '.', '_', '-', ':')");
    }
}
