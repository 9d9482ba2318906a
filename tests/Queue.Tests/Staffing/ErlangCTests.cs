using Queue.Staffing;

namespace Queue.Tests.Staffing;

public sealed class ErlangCTests
{
    // Loads as p/q: small ones, and centres of hundreds of Erlangs, where A^N/N! overflows a double many times over.
    public static TheoryData<int, int> Loads => new()
    {
        { 1, 4 }, { 1, 2 }, { 1, 1 }, { 5, 2 }, { 5, 1 }, { 39, 4 }, { 20, 1 }, { 99, 2 },
        { 100, 1 }, { 501, 2 }, { 1999, 4 },
    };

    [Theory]
    [MemberData(nameof(Loads))]
    public void Erlang_B_and_C_equal_the_exact_textbook_sums(int p, int q)
    {
        var a = (double)p / q;
        var aht = TimeSpan.FromSeconds(180);
        var traffic = new Traffic(a * 3600 / aht.TotalSeconds, aht);
        var t = TimeSpan.FromSeconds(20);
        foreach (var n in Agents(a))
        {
            var (b, c) = Reference.ErlangBC(p, q, n);
            Close(b, ErlangC.ErlangB(a, n), $"B(A={a}, N={n})");
            Close(c, ErlangC.ProbabilityOfWaiting(a, n), $"C(A={a}, N={n})");

            var f = ErlangC.Evaluate(traffic, n, t);
            Assert.Equal(n > a, f.Stable);
            if (!f.Stable)
            {
                Assert.Equal((1.0, 0.0, (TimeSpan?)null, 1.0), (f.ProbabilityOfWaiting, f.ServiceLevel, f.Asa, f.Occupancy));
                continue;
            }
            Close(c, f.ProbabilityOfWaiting, $"C(A={a}, N={n})");
            Close(1 - c * Math.Exp(-(n - a) * t.TotalSeconds / aht.TotalSeconds), f.ServiceLevel, $"SL(A={a}, N={n})");
            Close(c * aht.TotalSeconds / (n - a), f.Asa!.Value.TotalSeconds, $"ASA(A={a}, N={n})", ticks: true);
            Close(a / n, f.Occupancy, $"occupancy(A={a}, N={n})");
        }
    }

    [Fact]
    public void A_textbook_case_by_hand()
    {
        // A = 1 Erlang, N = 2: B = (1/2)/(1 + 1 + 1/2) = 1/5, C = 2·(1/5)/(2 − 1 + 1/5) = 1/3, ASA = AHT/3.
        var f = ErlangC.Evaluate(new Traffic(36, TimeSpan.FromSeconds(100)), 2, TimeSpan.FromSeconds(20));

        Assert.Equal(1.0 / 3, f.ProbabilityOfWaiting, 1e-14);
        Assert.Equal(1 - Math.Exp(-0.2) / 3, f.ServiceLevel, 1e-14);
        Assert.Equal(100.0 / 3, f.Asa!.Value.TotalSeconds, 1e-6);
        Assert.Equal(0.5, f.Occupancy, 1e-14);
    }

    [Fact]
    public void Thousands_of_agents_give_finite_figures()
    {
        var traffic = new Traffic(200_000, TimeSpan.FromSeconds(180)); // 10,000 Erlangs
        var needed = ErlangC.FewestAgents(traffic, new StaffingTargets(TimeSpan.FromSeconds(20), 0.8, TimeSpan.FromSeconds(20)));

        Assert.NotNull(needed);
        Assert.InRange(needed.Value, 10_001, 10_200);
        var at = ErlangC.Evaluate(traffic, needed.Value, TimeSpan.FromSeconds(20));
        var below = ErlangC.Evaluate(traffic, needed.Value - 1, TimeSpan.FromSeconds(20));
        Assert.True(at.ServiceLevel >= 0.8 && at.Asa <= TimeSpan.FromSeconds(20));
        Assert.False(below.ServiceLevel >= 0.8 && below.Asa <= TimeSpan.FromSeconds(20));
        Assert.True(double.IsFinite(at.ProbabilityOfWaiting) && at.ProbabilityOfWaiting is > 0 and < 1);
    }

    [Fact]
    public void No_calls_need_no_agents_and_nobody_waits()
    {
        var traffic = new Traffic(0, TimeSpan.FromSeconds(300));
        var f = ErlangC.Evaluate(traffic, 5, TimeSpan.FromSeconds(20));

        Assert.Equal((true, 0.0, 1.0, (TimeSpan?)TimeSpan.Zero, 0.0), (f.Stable, f.ProbabilityOfWaiting, f.ServiceLevel, f.Asa, f.Occupancy));
        Assert.Equal(0, ErlangC.FewestAgents(traffic, new StaffingTargets(TimeSpan.FromSeconds(30), 0.8, TimeSpan.FromSeconds(20))));
    }

    [Fact]
    public void A_load_a_hair_under_the_agents_has_a_huge_but_finite_ASA()
    {
        var f = ErlangC.Evaluate(new Traffic(3600 * (10 - 1e-13) / 14_400, TimeSpan.FromSeconds(14_400)), 10, TimeSpan.Zero);

        Assert.True(f.Stable);
        Assert.True(f.Asa > TimeSpan.FromDays(365), f.Asa.ToString());
        Assert.InRange(f.ServiceLevel, 0, 1e-9);
    }

    [Fact]
    public void Targets_that_cannot_be_met_are_refused()
    {
        var traffic = new Traffic(100, TimeSpan.FromSeconds(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.FewestAgents(traffic, new StaffingTargets(TimeSpan.Zero, null, TimeSpan.Zero)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.FewestAgents(traffic, new StaffingTargets(null, 1.0, TimeSpan.FromSeconds(20))));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Traffic(-1, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Traffic(double.NaN, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Traffic(1, TimeSpan.Zero));
    }

    [Fact]
    public void The_recent_rate_leans_on_the_last_quarter_hour()
    {
        // 30 calls in the last quarter (120 an hour), 60 in the hour: ⅔·120 + ⅓·60 = 100 an hour.
        var traffic = Traffic.Recent(30, 60, TimeSpan.FromSeconds(360));

        Assert.Equal(100, traffic.CallsPerHour, 1e-12);
        Assert.Equal(10, traffic.Erlangs, 1e-12);
    }

    static IEnumerable<int> Agents(double a)
    {
        var steady = (int)Math.Floor(a) + 1;
        var small = Enumerable.Range(1, steady + 30);
        var large = new[] { 1, 10, (int)(a / 2), steady - 1, steady, steady + 1, steady + 2, steady + 5, steady + 10, steady + 20, steady + 40, steady + 80, 600 };
        return (a < 60 ? small : large).Where(n => n >= 1 && n <= 600).Distinct().Order();
    }

    // Below 10⁻²⁸⁰ a double is near its subnormal range: both must merely be that small.
    static void Close(double expected, double actual, string what, bool ticks = false)
    {
        Assert.True(double.IsFinite(actual), $"{what}: {actual}");
        if (expected < 1e-280 && !ticks)
        {
            Assert.True(actual < 1e-279, $"{what}: expected {expected:R}, got {actual:R}");
            return;
        }
        var tolerance = 1e-11 * Math.Abs(expected) + (ticks ? 1e-7 : 0);
        Assert.True(Math.Abs(expected - actual) <= tolerance, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
