namespace Queue.Staffing;

/// <summary>
/// Erlang A figures of a queue with <see cref="Agents"/> agents whose callers give up after an exponential patience
/// of mean <see cref="Patience"/>. Always a steady state, even with fewer agents than Erlangs: abandonment is what
/// holds the queue. <see cref="Asa"/> is the mean wait of answered calls (SPEC §3's ASA); null when none is answered
/// (no agents).
/// </summary>
public sealed record ErlangAFigures(double Erlangs, int Agents, TimeSpan Patience, double ProbabilityOfWaiting, double Abandonment, TimeSpan? Asa);

/// <summary>
/// Erlang A (M/M/N+M, Palm's model), pure: Poisson arrivals at rate λ, exponential handle times of mean 1/μ, N agents,
/// and each waiting caller leaves at rate θ = 1/mean patience.
/// </summary>
/// <remarks>
/// <para>The number of calls in the system is a birth–death chain: births at λ, deaths at min(n, N)·μ + max(0, n − N)·θ.
/// Its stationary π is computed in two parts, both relative to π_N, never as factorials or powers:</para>
/// <list type="bullet">
/// <item>the states below N: Σ_{n&lt;N} π_n/π_N = (1 − B)/B with B Erlang B of (A, N), from its stable recurrence;</item>
/// <item>the states with k ≥ 0 waiting: w_k = π_{N+k}/π_N = Π_{j=1..k} λ/(Nμ + jθ). The ratios fall with k, so w is
/// unimodal, with its mode at m = ⌊(λ − Nμ)/θ⌋⁺. ln w_m is had at once (<see cref="Rising"/>), and the walk goes from m
/// both ways, ratio by ratio, until what is left is bounded below 10⁻¹⁷ of the sum (the ratios, below 1 there, only
/// fall further: a geometric bound). Weights are scaled by w_m, so none overflows; only their log meets the states
/// below N, through a logistic that cannot overflow either.</item>
/// </list>
/// <para>An arrival that finds k waiting waits in k + 1 stages, the one with j ahead left at rate Nμ + jθ (service or
/// an abandonment ahead) or by its own abandonment at θ. It is answered with probability Π_j (Nμ+jθ)/(Nμ+(j+1)θ),
/// which telescopes to Nμ/(Nμ + (k+1)θ), and, stage times being independent of how a stage ends, its wait when answered
/// has mean Σ_{j=1..k+1} 1/(Nμ + jθ). Averaged over what arrivals find (PASTA) these give the abandonment share, and
/// the ASA of answered calls as E[W; answered] / P(answered), each a sum of positive terms.</para>
/// <para>Cost: O(N) for B, and O(√(λ/θ)) steps around the mode (about 20 standard deviations of a Poisson-like bump;
/// fewer when agents outnumber the load). λ/θ — calls arriving during one mean patience — is limited to
/// <see cref="MaxArrivalsPerPatience"/>.</para>
/// </remarks>
public static class ErlangA
{
    /// <summary>The largest λ/θ taken (about 6·10⁶ steps of the walk at most).</summary>
    public const double MaxArrivalsPerPatience = 1e11;

    const double Epsilon = 1e-17;

    /// <summary>Every Erlang A figure of <paramref name="traffic"/> answered by <paramref name="agents"/> with callers of mean patience <paramref name="patience"/>.</summary>
    public static ErlangAFigures Evaluate(Traffic traffic, int agents, TimeSpan patience)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(agents);
        if (patience <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(patience), patience, "The patience must be positive.");
        var a = traffic.Erlangs;
        if (a == 0) return new ErlangAFigures(0, agents, patience, 0, 0, TimeSpan.Zero);
        // Time in handle times (μ = 1): arrivals at rate A, each waiting caller leaves at rate r = θ/μ.
        var r = traffic.HandleTime.TotalSeconds / patience.TotalSeconds;
        if (!(a / r <= MaxArrivalsPerPatience))
            throw new ArgumentOutOfRangeException(nameof(patience), patience, $"Calls arriving in one mean patience must be at most {MaxArrivalsPerPatience:E0}.");

        var b = ErlangC.ErlangB(a, agents);
        var belowLog = Rising.LogOnePlus(-b) - Math.Log(b); // ln Σ_{n<N} π_n/π_N; −∞ with no agents, +∞ if B underflowed
        var tail = Waiting(a, agents, r);
        var pWait = 1 / (1 + Math.Exp(belowLog - tail.Log));
        var pNoWait = 1 / (1 + Math.Exp(tail.Log - belowLog));
        var answered = pNoWait + pWait * tail.Answered;
        var waitAnswered = pWait * tail.WaitAnswered * traffic.HandleTime.TotalSeconds;
        TimeSpan? asa = answered > 0 ? Durations.Seconds(waitAnswered / answered) : null;
        return new ErlangAFigures(a, agents, patience, pWait, Math.Clamp(pWait * tail.Abandoned, 0, 1), asa);
    }

    /// <summary>
    /// Callers' mean patience from what a window saw: every call's time spent waiting (answered calls' waits, and
    /// abandoned calls' until they left) over the calls abandoned. An answered call shows only that its caller would
    /// have waited longer, so this is the maximum-likelihood mean of an exponential patience. Null with no abandons:
    /// nothing says how patient callers are (Erlang C, which assumes infinite patience, is then the model).
    /// </summary>
    public static TimeSpan? Patience(long abandoned, TimeSpan totalWait)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(abandoned);
        if (totalWait < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(totalWait), totalWait, "must not be negative");
        return abandoned == 0 || totalWait == TimeSpan.Zero ? null : totalWait / abandoned;
    }

    /// <summary>The states with someone waiting: ln Σ w_k, and the shares, over w, of abandoned and answered arrivals and of waits (in handle times) of answered ones.</summary>
    readonly record struct Tail(double Log, double Abandoned, double Answered, double WaitAnswered);

    static Tail Waiting(double a, int agents, double r)
    {
        double n = agents;
        var m = a > n ? (long)Math.Floor((a - n) / r) : 0;
        var logMode = m == 0 ? 0 : m * Math.Log(a / r) - Rising.LogSum(n / r, m);
        var waitMode = Rising.InverseSum(n / r, m + 1) / r; // h_m = Σ_{j=1..m+1} 1/(N + j·r)

        double sum = 0, abandoned = 0, answered = 0, wait = 0;
        void Add(long k, double w, double h)
        {
            var leave = n + (k + 1) * r;
            sum += w;
            abandoned += w * ((k + 1) * r / leave);
            answered += w * (n / leave);
            wait += w * (n / leave) * h;
        }

        // Upwards from the mode: w_{k+1} = w_k · A/(N + (k+1)r), h_{k+1} = h_k + 1/(N + (k+2)r).
        double up = 1, hUp = waitMode;
        for (var k = m; ; k++)
        {
            Add(k, up, hUp);
            var q = a / (n + (k + 1) * r);
            if (q < 1 && up * q / ((1 - q) * (1 - q)) <= Epsilon * sum) break;
            up *= q;
            hUp += 1 / (n + (k + 2) * r);
            if (up == 0) break;
        }

        // Downwards: w_{k−1} = w_k · (N + k·r)/A, h_{k−1} = h_k − 1/(N + (k+1)r).
        double down = 1, hDown = waitMode;
        for (var k = m; k > 0; k--)
        {
            down *= (n + k * r) / a;
            hDown -= 1 / (n + (k + 1) * r);
            Add(k - 1, down, hDown);
            var q = (n + (k - 1) * r) / a;
            if (q < 1 && down * q / (1 - q) <= Epsilon * sum) break;
        }

        return new Tail(logMode + Math.Log(sum), abandoned / sum, answered / sum, wait / sum);
    }
}
