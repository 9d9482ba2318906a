namespace Queue.Staffing;

/// <summary>A caller's expected wait to be answered: its mean and a 10–90 % range, in seconds; <see cref="Stages"/> answers (or departures) it waits for.</summary>
public sealed record WaitEstimate(int Stages, double MeanSeconds, double LowSeconds, double HighSeconds);

/// <summary>
/// Pure: the wait of a caller at a position in the queue (ADR 0006, "Expected wait"). With every agent taken, the
/// caller waits for one departure per caller ahead of it and one more: each stage ends when one of the N agents frees
/// up (rate N/AHT) or, with a known patience of mean 1/θ, when a caller still waiting — one of those ahead or the
/// caller itself — gives up (rate jθ with j of them). A stage's length does not depend on how it ends, so the wait of
/// a caller who stays is the sum of independent exponentials: Erlang (gamma) distributed without patience, whose
/// quantiles are exact here; with patience, a gamma of the same mean and variance.
/// </summary>
public static class ExpectedWait
{
    public const double LowQuantile = 0.1;
    public const double HighQuantile = 0.9;

    /// <param name="position">1 for the next caller to be answered.</param>
    /// <param name="available">Agents free now: the first of them answer at once.</param>
    /// <param name="agents">Agents serving the queue (free, busy or in wrap-up).</param>
    /// <param name="handleTime">The average handle time: each agent frees up at 1/AHT.</param>
    /// <param name="patience">Callers' mean patience, if known: each one waiting gives up at its inverse.</param>
    /// <returns>Null with no agent to wait for.</returns>
    public static WaitEstimate? Of(int position, int available, int agents, TimeSpan handleTime, TimeSpan? patience)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(position, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(available);
        if (handleTime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(handleTime), handleTime, "The handle time must be positive.");
        if (position <= available) return new WaitEstimate(0, 0, 0, 0);
        if (agents <= 0) return null;
        var stages = position - available;
        var service = agents / handleTime.TotalSeconds;
        var theta = patience is { } p && p > TimeSpan.Zero ? 1 / p.TotalSeconds : 0;
        double mean = 0, variance = 0;
        for (var j = 1; j <= stages; j++)
        {
            var rate = service + j * theta;
            mean += 1 / rate;
            variance += 1 / (rate * rate);
        }
        var shape = mean * mean / variance;
        var scale = variance / mean;
        return new WaitEstimate(stages, mean, GammaQuantile(shape, LowQuantile) * scale, GammaQuantile(shape, HighQuantile) * scale);
    }

    /// <summary>The q-quantile of a gamma of unit scale: P(shape, x) = q by bisection (P rises with x).</summary>
    public static double GammaQuantile(double shape, double q)
    {
        double lo = 0, hi = shape + 20 * Math.Sqrt(shape) + 40;
        for (var i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
        {
            var mid = (lo + hi) / 2;
            if (RegularizedGammaP(shape, mid) < q) lo = mid; else hi = mid;
        }
        return (lo + hi) / 2;
    }

    /// <summary>P(a, x) = γ(a, x)/Γ(a): its series below a + 1, Legendre's continued fraction (Lentz) above.</summary>
    public static double RegularizedGammaP(double a, double x)
    {
        if (x <= 0) return 0;
        var logPrefix = a * Math.Log(x) - x - LogGamma(a);
        if (x < a + 1)
        {
            double term = 1 / a, sum = term;
            for (var n = 1; n < 100_000 && Math.Abs(term) > Math.Abs(sum) * 1e-16; n++)
            {
                term *= x / (a + n);
                sum += term;
            }
            return Math.Min(1, sum * Math.Exp(logPrefix));
        }
        const double tiny = 1e-300;
        double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
        for (var i = 1; i < 100_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.Abs(d) < tiny) d = tiny;
            c = b + an / c;
            if (Math.Abs(c) < tiny) c = tiny;
            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return Math.Max(0, 1 - Math.Exp(logPrefix) * h);
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, nine terms: about 15 digits).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5) return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        x -= 1;
        var a = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++) a += Lanczos[i] / (x + i);
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(a);
    }

    static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];
}
