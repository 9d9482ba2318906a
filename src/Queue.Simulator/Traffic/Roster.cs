namespace Queue.Simulator.Traffic;

/// <summary>A shift in center time: its start, its share of operators, and whether they serve every queue.</summary>
internal sealed record ShiftPattern(TimeSpan Start, double Share, bool AllQueues = false)
{
    public static readonly TimeSpan Length = TimeSpan.FromHours(8.5);

    /// <summary>Two short breaks and lunch: about an hour of every shift is off the phone.</summary>
    public static readonly IReadOnlyList<(TimeSpan At, TimeSpan Length)> Breaks =
    [
        (TimeSpan.FromHours(2), TimeSpan.FromMinutes(15)),
        (TimeSpan.FromHours(4), TimeSpan.FromMinutes(30)),
        (TimeSpan.FromHours(6.5), TimeSpan.FromMinutes(15)),
    ];

    /// <summary>Staggered so that most operators work the day and a few the night. The night team is small, so
    /// each of them serves every queue (as real night teams do): no queue is left with nobody to answer.</summary>
    public static readonly IReadOnlyList<ShiftPattern> All =
    [
        new(TimeSpan.FromHours(7), 0.20),
        new(TimeSpan.FromHours(8), 0.22),
        new(TimeSpan.FromHours(10), 0.18),
        new(TimeSpan.FromHours(12), 0.14),
        new(TimeSpan.FromHours(14), 0.16),
        new(TimeSpan.FromHours(22), 0.10, AllQueues: true),
    ];
}

/// <summary>One operator: who they are, which queues they serve and when they work.</summary>
internal sealed class Operator(int index, string id, int[] skills, ShiftPattern shift)
{
    public int Index { get; } = index;
    public string Id { get; } = id;

    /// <summary>Indexes of the queues served; the first is the operator's main queue.</summary>
    public int[] Skills { get; } = skills;

    public string[] SkillNames { get; set; } = [];
    public ShiftPattern Shift { get; } = shift;

    public OperatorPhase Phase { get; set; } = OperatorPhase.Offline;
    public long IdleSince { get; set; }

    /// <summary>The shift this operator is working now; a later one cannot start before this one ends.</summary>
    public long ShiftEnd { get; set; }

    /// <summary>A break that fell due while on a call, taken as soon as the call is wrapped up.</summary>
    public TimeSpan? PendingBreak { get; set; }

    public bool PendingOffline { get; set; }
    public Call? Call { get; set; }
    public long StatusCount { get; set; }
}

internal enum OperatorPhase { Offline, Idle, Ringing, Talking, WrapUp, Break }

/// <summary>A call in progress. A leg is its stay in one queue; <see cref="Leg"/> counts them from 0.</summary>
internal sealed class Call(string id, CallerProfile caller)
{
    public string Id { get; } = id;
    public CallerProfile Caller { get; } = caller;
    public int Leg { get; set; }
    public int Queue { get; set; }
    public long LegStart { get; set; }
    public CallPhase Phase { get; set; }
    public Operator? Operator { get; set; }

    /// <summary>Offers of this call that rang out unanswered.</summary>
    public int Misses { get; set; }
}

internal enum CallPhase { Waiting, Ringing, Talking, Done }

internal sealed record CallerProfile(string? Number, string Region, string Language, string Segment);

/// <summary>Draws the operators of a center from the options.</summary>
internal static class RosterBuilder
{
    public static Operator[] Build(TrafficOptions options, Random random)
    {
        var shares = options.Queues.Select(q => q.Share).ToArray();
        var shiftShares = ShiftPattern.All.Select(s => s.Share).ToArray();
        var operators = new Operator[options.Operators];
        for (var i = 0; i < operators.Length; i++)
        {
            var shift = ShiftPattern.All[Draw.Weighted(random, shiftShares)];
            var main = Draw.Weighted(random, shares);
            int[] skills = [main];
            if (shift.AllQueues) skills = [main, .. Enumerable.Range(0, shares.Length).Where(q => q != main)];
            else if (options.Queues.Count > 1 && random.NextDouble() < options.SecondSkillShare)
            {
                var others = shares.Select((s, q) => q == main ? 0 : s).ToArray();
                skills = [main, Draw.Weighted(random, others)];
            }
            operators[i] = new Operator(i, $"op-{i + 1:D5}", skills, shift)
            {
                SkillNames = [.. skills.Select(q => options.Queues[q].Name).Order(StringComparer.Ordinal)],
            };
        }
        return operators;
    }
}
