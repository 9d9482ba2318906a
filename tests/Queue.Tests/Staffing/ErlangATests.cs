using Queue.Staffing;

namespace Queue.Tests.Staffing;

public sealed class ErlangATests
{
    const double Aht = 240;

    // Erlangs, agents, patience in handle times: small centres, hundreds of Erlangs, over- and understaffed, impatient
    // and patient callers, and queues whose likeliest length is hundreds of thousands of calls (mode far out).
    public static TheoryData<double, int, double> Cases()
    {
        var cases = new TheoryData<double, int, double>();
        foreach (var a in new[] { 0.5, 3, 9.5 })
            foreach (var n in new[] { 1, 2, 5, 10, 15 })
                foreach (var patience in new[] { 0.1, 1, 10 })
                    cases.Add(a, n, patience);
        foreach (var a in new[] { 100, 480.5 })
            foreach (var n in new[] { 50, 100, 120, 450, 500, 600 })
                foreach (var patience in new[] { 0.05, 0.5, 2, 50 })
                    cases.Add(a, n, patience);
        cases.Add(500, 100, 1000);
        cases.Add(300, 1, 5000);
        cases.Add(20, 19, 20_000);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Erlang_A_equals_the_whole_birth_death_chain(double erlangs, int agents, double patienceInHandleTimes)
    {
        var traffic = new Traffic(erlangs * 3600 / Aht, TimeSpan.FromSeconds(Aht));
        var patience = TimeSpan.FromSeconds(patienceInHandleTimes * Aht);
        var reference = Reference.ErlangA(erlangs / Aht, Aht, patience.TotalSeconds, agents);
        Assert.True(Math.Abs(reference.Abandonment - reference.AbandonmentByLaplace) <= 1e-12 + 1e-9 * reference.Abandonment,
            $"the reference disagrees with itself: {reference}");

        var f = ErlangA.Evaluate(traffic, agents, patience);

        Close(reference.PWait, f.ProbabilityOfWaiting, "P(wait)");
        Close(reference.Abandonment, f.Abandonment, "abandonment");
        Close(reference.AsaSeconds, f.Asa!.Value.TotalSeconds, "ASA", absolute: 1e-6);
    }

    [Fact]
    public void Very_patient_callers_give_Erlang_C()
    {
        var traffic = new Traffic(3600.0 * 95 / Aht, TimeSpan.FromSeconds(Aht));
        var c = ErlangC.Evaluate(traffic, 100, TimeSpan.Zero);
        var a = ErlangA.Evaluate(traffic, 100, TimeSpan.FromSeconds(Aht * 1e8));

        Assert.Equal(c.ProbabilityOfWaiting, a.ProbabilityOfWaiting, 1e-7);
        Assert.Equal(c.Asa!.Value.TotalSeconds, a.Asa!.Value.TotalSeconds, 1e-4);
        Assert.InRange(a.Abandonment, 0, 1e-7);
    }

    [Fact]
    public void No_agents_means_every_caller_waits_and_gives_up()
    {
        var f = ErlangA.Evaluate(new Traffic(100, TimeSpan.FromSeconds(Aht)), 0, TimeSpan.FromSeconds(60));

        Assert.Equal((1.0, 1.0, (TimeSpan?)null), (f.ProbabilityOfWaiting, f.Abandonment, f.Asa));
    }

    [Fact]
    public void Patience_is_the_time_waited_over_the_calls_that_gave_up()
    {
        Assert.Equal(TimeSpan.FromSeconds(150), ErlangA.Patience(4, TimeSpan.FromSeconds(600)));
        Assert.Null(ErlangA.Patience(0, TimeSpan.FromSeconds(600)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-3)]
    [InlineData(0.5)]
    [InlineData(7.25)]
    [InlineData(1234.5)]
    [InlineData(1e8)]
    public void Rising_sums_equal_their_terms_added_up(double a)
    {
        foreach (var m in new long[] { 0, 1, 15, 16, 17, 18, 100, 12_345, 2_000_000 })
        {
            double logs = 0, inverses = 0, cl = 0, ci = 0;
            for (long j = 1; j <= m; j++)
            {
                (logs, cl) = Kahan(logs, cl, Math.Log(a + j));
                (inverses, ci) = Kahan(inverses, ci, 1 / (a + j));
            }
            Assert.True(Math.Abs(Rising.LogSum(a, m) - logs) <= 1e-13 * Math.Max(1, Math.Abs(logs)), $"Σ ln(a+j), a={a}, m={m}: {Rising.LogSum(a, m):R} vs {logs:R}");
            Assert.True(Math.Abs(Rising.InverseSum(a, m) - inverses) <= 1e-13 * Math.Max(1e-300, inverses), $"Σ 1/(a+j), a={a}, m={m}: {Rising.InverseSum(a, m):R} vs {inverses:R}");
        }
    }

    static (double Sum, double Carry) Kahan(double sum, double carry, double term)
    {
        var y = term - carry;
        var t = sum + y;
        return (t, t - sum - y);
    }

    static void Close(double expected, double actual, string what, double absolute = 0)
    {
        Assert.True(double.IsFinite(actual), $"{what}: {actual}");
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Abs(expected) + absolute + 1e-300, $"{what}: expected {expected:R}, got {actual:R}");
    }
}
