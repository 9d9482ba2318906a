using CsCheck;
using Queue.Staffing;

namespace Queue.Tests.Staffing;

public sealed class StaffingPropertyTests
{
    // Loads from a fraction of an Erlang to a large centre, handle times of seconds to an hour.
    static readonly Gen<Traffic> Traffics =
        from erlangs in Gen.Frequency((2, Gen.Double[0.01, 20]), (2, Gen.Double[20, 800]), (1, Gen.Int[1, 500].Select(i => (double)i)))
        from aht in Gen.Int[1, 3600]
        select new Traffic(erlangs * 3600 / aht, TimeSpan.FromSeconds(aht));

    static readonly Gen<TimeSpan> Times = Gen.Int[0, 600].Select(s => TimeSpan.FromSeconds(s));

    static Gen<int> AgentsFor(Traffic t) => Gen.Int[1, (int)Math.Ceiling(t.Erlangs * 1.5) + 20];

    static readonly Gen<(Traffic Traffic, int Agents)> Staffed = Traffics.SelectMany(t => AgentsFor(t).Select(n => (t, n)));

    [Fact]
    public void More_agents_never_lower_the_service()
    {
        Gen.Select(Staffed, Times).Sample((s, t) =>
        {
            var (traffic, n) = s;
            var here = ErlangC.Evaluate(traffic, n, t);
            var more = ErlangC.Evaluate(traffic, n + 1, t);
            Assert.True(more.ProbabilityOfWaiting <= here.ProbabilityOfWaiting * (1 + 1e-12), $"C {here.ProbabilityOfWaiting:R} → {more.ProbabilityOfWaiting:R}");
            Assert.True(more.ServiceLevel >= here.ServiceLevel - 1e-12, $"SL {here.ServiceLevel:R} → {more.ServiceLevel:R}");
            if (here.Stable) Assert.True(more.Asa <= here.Asa, $"ASA {here.Asa} → {more.Asa}");
            if (!more.Stable) Assert.False(here.Stable);
        }, iter: 2000);
    }

    [Fact]
    public void Erlang_C_figures_are_probabilities_and_finite_when_stable()
    {
        Gen.Select(Staffed, Times).Sample((s, t) =>
        {
            var f = ErlangC.Evaluate(s.Traffic, s.Agents, t);
            Assert.Equal(s.Traffic.Erlangs < s.Agents, f.Stable);
            foreach (var share in new[] { f.ProbabilityOfWaiting, f.ServiceLevel, f.Occupancy })
                Assert.True(share is >= 0 and <= 1, $"{f}");
            Assert.Equal(f.Stable, f.Asa is not null);
            if (f.Asa is { } asa) Assert.True(asa >= TimeSpan.Zero);
        }, iter: 2000);
    }

    [Fact]
    public void Erlang_A_figures_are_probabilities_and_finite_at_any_staffing()
    {
        var patience = Gen.Double[0.05, 100];
        Gen.Select(Staffed, patience).Sample((s, p) =>
        {
            var f = ErlangA.Evaluate(s.Traffic, s.Agents, s.Traffic.HandleTime * p);
            Assert.True(f.ProbabilityOfWaiting is >= 0 and <= 1 && f.Abandonment is >= 0 and <= 1, $"{f}");
            Assert.True(f.Abandonment <= f.ProbabilityOfWaiting * (1 + 1e-12), $"{f}");
            Assert.NotNull(f.Asa);
            Assert.True(f.Asa >= TimeSpan.Zero && f.Asa < TimeSpan.FromDays(30), $"{f}");
        }, iter: 1000);
    }

    [Fact]
    public void More_agents_lower_abandonment_and_the_wait_with_patience()
    {
        var patience = Gen.Double[0.05, 100];
        Gen.Select(Staffed, patience).Sample((s, p) =>
        {
            var here = ErlangA.Evaluate(s.Traffic, s.Agents, s.Traffic.HandleTime * p);
            var more = ErlangA.Evaluate(s.Traffic, s.Agents + 1, s.Traffic.HandleTime * p);
            Assert.True(more.Abandonment <= here.Abandonment * (1 + 1e-9), $"{here} → {more}");
            Assert.True(more.ProbabilityOfWaiting <= here.ProbabilityOfWaiting * (1 + 1e-9), $"{here} → {more}");
        }, iter: 1000);
    }

    [Fact]
    public void Erlang_A_with_endless_patience_is_Erlang_C()
    {
        // Below the load, with a margin keeping the waits (and so the abandons of almost endless patience) small.
        var stable = Traffics.SelectMany(t => Gen.Int[(int)Math.Floor(t.Erlangs * 1.02 + 0.05) + 1, (int)Math.Ceiling(t.Erlangs * 1.5) + 20].Select(n => (t, n)));
        stable.Sample(s =>
        {
            var (traffic, n) = s;
            var c = ErlangC.Evaluate(traffic, n, TimeSpan.Zero);
            var patience = traffic.HandleTime * 1e7;
            var a = ErlangA.Evaluate(traffic, n, patience);
            // Patience r = AHT/patience handle times takes a waiting call's weight down by about r·k²/2N with k
            // waiting: with k² of order 2/(1 − ρ)² (a geometric queue), that bounds how far Erlang A may stray.
            var rho = traffic.Erlangs / n;
            var slack = 10 * (traffic.HandleTime / patience) * (1 + 2 / ((1 - rho) * (1 - rho)));
            Assert.True(Math.Abs(a.ProbabilityOfWaiting - c.ProbabilityOfWaiting) <= slack * c.ProbabilityOfWaiting + 1e-12, $"{c} vs {a}");
            Assert.True(a.Abandonment <= slack, $"{c} vs {a}");
            Assert.True(Math.Abs(a.Asa!.Value.TotalSeconds - c.Asa!.Value.TotalSeconds) <= 1e-6 + slack * c.Asa.Value.TotalSeconds, $"{c} vs {a}");
        }, iter: 500);
    }

    [Fact]
    public void The_agents_needed_are_the_fewest_that_meet_the_targets()
    {
        var targets =
            from asa in Gen.Frequency((1, Gen.Const((TimeSpan?)null)), (3, Gen.Int[1, 600].Select(s => (TimeSpan?)TimeSpan.FromSeconds(s))))
            from share in Gen.Frequency((1, Gen.Const((double?)null)), (3, Gen.Double[0, 0.999].Select(x => (double?)x)))
            from t in Times
            select new StaffingTargets(asa, share, t);
        Gen.Select(Traffics, targets).Sample((traffic, need) =>
        {
            var n = ErlangC.FewestAgents(traffic, need);
            Assert.NotNull(n);
            Assert.True(need.MetBy(ErlangC.Evaluate(traffic, n.Value, need.ServiceLevelTime)), $"{n} does not meet {need}");
            if (n > 0) Assert.False(need.MetBy(ErlangC.Evaluate(traffic, n.Value - 1, need.ServiceLevelTime)), $"{n - 1} meets {need} too");
            Assert.True(n > traffic.Erlangs || traffic.Erlangs == 0);
        }, iter: 1000);
    }
}
