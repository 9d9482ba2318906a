namespace Queue.Staffing;

/// <summary>
/// Sums over j = 1..m of ln(a + j) and of 1/(a + j) — ln of a rising factorial, and a stretch of the harmonic series —
/// in O(1) for large m, so that Erlang A can start its walk over the queue's states at their mode, however far out.
/// </summary>
/// <remarks>
/// They are lnΓ(a+m+1) − lnΓ(a+1) and ψ(a+m+1) − ψ(a+1). The first 16 terms are summed as they stand, which moves
/// both ends to at least 17, where Stirling's series for lnΓ and the asymptotic series for ψ, cut after the z⁻⁹ and
/// z⁻⁸ terms, err there by less than 10⁻¹⁴. The difference of the two ends is formed as (z₂ − ½)·ln1p(d/z₁) + d·(ln z₁ − 1)
/// plus the difference of the series, never as a difference of two large lnΓ values: that keeps its relative error near
/// ε even when a is 10⁹ and m is small against it.
/// </remarks>
internal static class Rising
{
    const int Direct = 16;

    /// <summary>Σ_{j=1..m} ln(a + j), for a ≥ 0.</summary>
    public static double LogSum(double a, long m)
    {
        Check(a, m);
        var head = 0.0;
        var k = Math.Min(m, Direct);
        for (var j = 1; j <= k; j++) head += Math.Log(a + j);
        if (m <= Direct) return head;
        double z1 = a + Direct + 1, d = m - Direct, z2 = z1 + d;
        return head + (z2 - 0.5) * LogOnePlus(d / z1) + d * (Math.Log(z1) - 1) + (StirlingTail(z2) - StirlingTail(z1));
    }

    /// <summary>Σ_{j=1..m} 1/(a + j), for a ≥ 0.</summary>
    public static double InverseSum(double a, long m)
    {
        Check(a, m);
        var head = 0.0;
        var k = Math.Min(m, Direct);
        for (var j = 1; j <= k; j++) head += 1 / (a + j);
        if (m <= Direct) return head;
        double z1 = a + Direct + 1, d = m - Direct, z2 = z1 + d;
        return head + LogOnePlus(d / z1) + (DigammaTail(z2) - DigammaTail(z1));
    }

    // lnΓ(z) = (z − ½)ln z − z + ½ln 2π + this.
    static double StirlingTail(double z)
    {
        var r = 1 / z;
        var r2 = r * r;
        return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 / 1188))));
    }

    // ψ(z) = ln z + this.
    static double DigammaTail(double z)
    {
        var r = 1 / z;
        var r2 = r * r;
        return -0.5 * r - r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 / 240)));
    }

    // ln(1 + x) without losing x's digits when x is small: the rounding of 1 + x is undone by the ratio (Goldberg).
    internal static double LogOnePlus(double x)
    {
        var u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    static void Check(double a, long m)
    {
        if (!double.IsFinite(a) || a < 0) throw new ArgumentOutOfRangeException(nameof(a), a, "must be finite and not negative");
        ArgumentOutOfRangeException.ThrowIfNegative(m);
    }
}
