using System.Numerics;

namespace Queue.Tests.Staffing;

/// <summary>
/// Erlang B, C and A written from their textbook definitions, sharing nothing with <c>Queue.Staffing</c>: Erlang B and C
/// as exact fractions of big integers (a load p/q makes every term A^k/k! an integer once scaled by q^N·N!), Erlang A as
/// the whole birth–death chain from state 0 summed in log space, with the answered share and wait of a waiting caller
/// from the Laplace transform of its wait stage by stage (no telescoping, no special functions).
/// </summary>
internal static class Reference
{
    /// <summary>Erlang B and C of the load p/q with N agents; C is 1 when the load is at least N.</summary>
    public static (double B, double C) ErlangBC(int p, int q, int agents)
    {
        // t_k = A^k/k! · q^N·N! = p^k · q^(N−k) · N!/k!
        var t = new BigInteger[agents + 1];
        var falling = BigInteger.One;
        for (var k = agents; k >= 0; k--)
        {
            t[k] = BigInteger.Pow(p, k) * BigInteger.Pow(q, agents - k) * falling;
            falling *= Math.Max(k, 1);
        }
        var below = BigInteger.Zero;
        for (var k = 0; k < agents; k++) below += t[k];
        var b = Ratio(t[agents], below + t[agents]);
        if ((long)p >= (long)agents * q) return (b, 1);
        // C = (A^N/N! · N/(N−A)) / (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)), times (N − A)·q = Nq − p above and below.
        var nq = (BigInteger)agents * q;
        var top = t[agents] * nq;
        return (b, Ratio(top, (nq - p) * below + top));
    }

    public static double Ratio(BigInteger numerator, BigInteger denominator)
    {
        if (numerator.IsZero) return 0;
        var shift = (int)(numerator.GetBitLength() - denominator.GetBitLength()) - 64;
        var quotient = shift >= 0 ? numerator / (denominator << shift) : (numerator << -shift) / denominator;
        return Math.ScaleB((double)quotient, shift);
    }

    /// <summary>Erlang A in seconds: λ calls/s, mean handle <paramref name="aht"/>, mean patience <paramref name="patience"/>.</summary>
    public static (double PWait, double Abandonment, double AbandonmentByLaplace, double AsaSeconds) ErlangA(
        double lambda, double aht, double patience, int agents)
    {
        double mu = 1 / aht, theta = 1 / patience;
        var logs = new List<double> { 0 }; // ln(π_n / π_0)
        double max = 0, waitingMax = double.NegativeInfinity;
        for (var n = 1; ; n++)
        {
            var death = Math.Min(n, agents) * mu + Math.Max(0, n - agents) * theta;
            var ratio = lambda / death;
            var next = logs[^1] + Math.Log(ratio);
            logs.Add(next);
            max = Math.Max(max, next);
            if (n >= agents) waitingMax = Math.Max(waitingMax, next);
            // Cut where the states with calls waiting no longer add anything to their own sums, however small those are.
            if (n > agents + 10 && ratio < 1 && next < waitingMax - 120) break;
        }
        var pi = logs.Select(l => Math.Exp(l - max)).ToArray();
        var total = pi.Sum();
        for (var n = 0; n < pi.Length; n++) pi[n] /= total;

        double pWait = 0, queue = 0, answered = 0, waitAnswered = 0;
        for (var n = 0; n < agents; n++) answered += pi[n];
        double laplace = 1, stages = 0;
        for (var k = 0; agents + k < pi.Length; k++)
        {
            // Finding k waiting, the caller passes stages j = k..0, each left at rate Nμ + jθ ahead of it or θ by itself:
            // E[e^{−θV}] = Π c_j/(c_j + θ) is the chance it is answered; E[V e^{−θV}] its wait counted when answered.
            var c = agents * mu + k * theta;
            laplace *= c / (c + theta);
            stages += 1 / (c + theta);
            var p = pi[agents + k];
            pWait += p;
            queue += k * p;
            answered += p * laplace;
            waitAnswered += p * laplace * stages;
        }
        return (pWait, theta * queue / lambda, 1 - answered, waitAnswered / answered);
    }
}
