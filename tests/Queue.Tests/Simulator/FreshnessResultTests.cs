using Queue.Simulator.Bench;

namespace Queue.Tests.Simulator;

/// <summary>
/// What <c>ops/bench live</c> reports of a floor's run: p99 over every (probe, screen), and the probes whose slowest screen
/// saw them latest, by the second of the run they were posted at, so that a run's start, a stall and a floor beyond the
/// node are told apart.
/// </summary>
public sealed class FreshnessResultTests
{
    static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    static FreshnessResult Of(Dictionary<int, double> slowest, IEnumerable<double> latencies, int probes, Dictionary<int, double>? first = null)
    {
        var sent = Enumerable.Range(0, probes).ToDictionary(p => p, p => Start.AddMilliseconds(500 * p));
        var seen = new ScreensSeen([.. latencies], 0, 0, 0, 0, 0, [], 0, LoadLatenciesMs: [], ProbeSlowestMs: slowest, ProbeFirstMs: first);
        return FreshnessResult.Of(ScreenMix.Of(100), seen, probes, sent, posted: 1_000, TimeSpan.FromSeconds(10), new FreshnessCost(0, 0, 0, 0, 0));
    }

    [Fact]
    public void The_three_slowest_probes_are_named_slowest_first_with_the_second_each_was_posted_at()
    {
        var result = Of(new() { [0] = 1_998.4, [1] = 1_517, [2] = 90, [3] = 80, [61] = 229.6 }, [100], probes: 91);

        Assert.Equal([new SlowProbe(0, 1_998), new SlowProbe(0.5, 1_517), new SlowProbe(30.5, 230)], result.SlowestProbes);
        Assert.Contains("slowest probes (second of the run: slowest screen) 0.0 s: 1998 ms, 0.5 s: 1517 ms, 30.5 s: 230 ms;", result.ToString());
    }

    [Fact]
    public void A_probe_no_screen_saw_is_named_by_none_and_a_run_without_probes_names_none()
    {
        Assert.Equal([new SlowProbe(1, 120)], Of(new() { [2] = 120 }, [120], probes: 3).SlowestProbes);
        Assert.Empty(Of([], [], probes: 0).SlowestProbes);
    }

    [Fact]
    public void P99_is_over_every_probe_and_screen_so_in_a_45_s_run_one_probe_late_on_every_screen_makes_it()
    {
        // 91 probes (45 s, one every 500 ms) × 100 screens: one probe seen 1.5 s late by every screen is more than 1 %.
        var latencies = Enumerable.Range(0, 91).SelectMany(p => Enumerable.Repeat(p == 0 ? 1_500.0 : 100.0, 100));
        var late = Of(new() { [0] = 1_500 }, latencies, probes: 91);
        Assert.Equal(1_500, late.P99Ms);
        Assert.Equal(100, late.P50Ms);
        Assert.Equal(new SlowProbe(0, 1_500), late.SlowestProbes[0]);

        // Late on half the screens only, it is under 1 %: p99 is the rest's.
        var half = Enumerable.Range(0, 91).SelectMany(p => Enumerable.Range(0, 100).Select(s => p == 0 && s < 50 ? 1_500.0 : 100.0));
        Assert.Equal(100, Of(new() { [0] = 1_500 }, half, probes: 91).P99Ms);
    }

    [Fact]
    public void A_probes_first_and_last_screens_are_told_as_medians_over_the_probes_the_spread_between_them_is_the_fan_out()
    {
        var result = Of(new() { [0] = 900, [1] = 95, [2] = 100, [3] = 110 }, [100], probes: 4, first: new() { [0] = 800, [1] = 40, [2] = 50, [3] = 60 });

        Assert.Equal(50, result.FirstScreenP50Ms);
        Assert.Equal(100, result.LastScreenP50Ms);
        Assert.Contains("a probe's first screen p50 50 ms, its last 100 ms", result.ToString());
        // No screen saw any: nothing to tell.
        Assert.Equal(0, Of([], [], probes: 2).FirstScreenP50Ms);
    }
}
