using System.Globalization;

namespace Queue.Simulator.Traffic;

/// <summary>Who calls: region, language, segment and number, with some numbers calling again.</summary>
internal sealed class Callers(TrafficOptions options, Random random)
{
    // The center serves the whole country; its own region and its neighbours call most.
    static readonly (string Region, double Weight)[] Regions =
    [
        ("RU-CHE", 0.20), ("RU-SVE", 0.12), ("RU-MOW", 0.11), ("RU-SPE", 0.06), ("RU-BA", 0.07),
        ("RU-TA", 0.06), ("RU-TYU", 0.05), ("RU-KGN", 0.04), ("RU-ORE", 0.05), ("RU-NVS", 0.06),
        ("RU-KDA", 0.06), ("RU-PER", 0.06), ("RU-SAM", 0.06),
    ];

    static readonly double[] RegionWeights = [.. Regions.Select(r => r.Weight)];

    const int RecentCallers = 5_000;
    readonly List<CallerProfile> recent = new(RecentCallers);
    int nextRecent;

    public CallerProfile Next(QueueProfile queue)
    {
        if (recent.Count > 0 && random.NextDouble() < options.RepeatCallerShare)
            return recent[random.Next(recent.Count)];

        var region = Regions[Draw.Weighted(random, RegionWeights)].Region;
        var language = Language(region);
        var segment = queue.Segments.Count == 0 ? "mass"
            : random.NextDouble() < 0.75 ? queue.Segments[0]
            : queue.Segments[random.Next(queue.Segments.Count)];
        var caller = new CallerProfile(random.NextDouble() < options.CallerShare ? Number() : null, region, language, segment);
        if (caller.Number is not null) Remember(caller);
        return caller;
    }

    string Language(string region) => random.NextDouble() switch
    {
        < 0.05 when region == "RU-TA" => "tt",
        < 0.05 when region == "RU-BA" => "ba",
        < 0.03 => "en",
        _ => "ru",
    };

    // Written the way a PBX shows it; the service keeps only the digits' keyed hash.
    string Number() => string.Create(CultureInfo.InvariantCulture,
        $"+7 9{random.Next(100):D2} {random.Next(1000):D3}-{random.Next(100):D2}-{random.Next(100):D2}");

    void Remember(CallerProfile caller)
    {
        if (recent.Count < RecentCallers) recent.Add(caller);
        else recent[nextRecent] = caller;
        nextRecent = (nextRecent + 1) % RecentCallers;
    }
}

/// <summary>Random draws used by the simulation; all from one seeded <see cref="Random"/>.</summary>
internal static class Draw
{
    public static int Weighted(Random random, IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights) total += w;
        var x = random.NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0) return i;
        }
        return weights.Count - 1;
    }

    public static TimeSpan Exponential(Random random, TimeSpan mean) =>
        TimeSpan.FromTicks((long)(-Math.Log(1 - random.NextDouble()) * mean.Ticks));

    public static TimeSpan Uniform(Random random, TimeSpan min, TimeSpan max) =>
        min + TimeSpan.FromTicks((long)(random.NextDouble() * (max - min).Ticks));

    /// <summary>Log-normal with the given mean: most values near it, a long tail of long ones.</summary>
    public static TimeSpan LogNormal(Random random, TimeSpan mean, double sigma)
    {
        var mu = Math.Log(mean.Ticks) - (sigma * sigma / 2);
        return TimeSpan.FromTicks((long)Math.Exp(mu + (sigma * Normal(random))));
    }

    static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
