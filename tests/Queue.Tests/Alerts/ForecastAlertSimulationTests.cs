using System.Globalization;
using Queue.Alerts;
using Queue.Live;
using Queue.Staffing;
using Queue.Targets;

namespace Queue.Tests.Alerts;

/// <summary>
/// <c>queue.forecast</c> against what a queue actually does: a seeded simulation of calls (<see cref="CallSimulation"/>)
/// gives every call's real wait; minute by minute the rule sees what live state would hold of those calls, and the true
/// rolling-hour ASA says when the target is really breached. Forty generated queues, each its own seed.
/// </summary>
public sealed class ForecastAlertSimulationTests(ITestOutputHelper output)
{
    const string QueueName = "sim";
    const int Scenarios = 40;
    const double ClearMargin = 0.1;
    static readonly DateTimeOffset Origin = new(2026, 11, 23, 7, 0, 0, TimeSpan.FromHours(5));
    static readonly TargetOptions Targets = new();
    static readonly TimeSpan Aht = TimeSpan.FromSeconds(240);

    /// <summary>
    /// A queue's morning: an hour at a base load (the live windows fill), a straight ramp to a peak past the agents, and
    /// the peak held. Loads are in Erlangs per agent of <see cref="Agents"/>.
    /// </summary>
    public sealed record Ramp(int Seed, int Agents, double BaseLoad, double PeakLoad, int RampMinutes)
    {
        public const int WarmUp = 60;
        public const int PeakMinutes = 90;
        public int Minutes => WarmUp + RampMinutes + PeakMinutes;
        double PerHour(double load) => load * Agents * 3600 / Aht.TotalSeconds;

        public double CallsPerHour(double minute) =>
            PerHour(BaseLoad + (PeakLoad - BaseLoad) * Math.Clamp((minute - WarmUp) / RampMinutes, 0, 1));

        public CallSimulation Simulate(Func<int, int> agentsAt) => CallSimulation.Run(Seed, Minutes, CallsPerHour, PerHour(PeakLoad), agentsAt, Aht);

        public static Ramp Of(int seed)
        {
            var r = new Random(seed);
            return new Ramp(seed, r.Next(10, 41), 0.4 + 0.2 * r.NextDouble(), 1.1 + 0.3 * r.NextDouble(), r.Next(45, 151));
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"seed {Seed}: {Agents} agents, load {BaseLoad:0.00} → {PeakLoad:0.00} of them in {RampMinutes} min");
    }

    static IEnumerable<Ramp> All => Enumerable.Range(1, Scenarios).Select(Ramp.Of);

    /// <summary>Whether the rule holds the alert open at each minute from the end of the warm-up, as the evaluator would carry it.</summary>
    static bool[] Alerting(CallSimulation sim, Ramp r)
    {
        var openAt = new bool[r.Minutes + 1];
        var open = false;
        for (var m = Ramp.WarmUp; m <= r.Minutes; m++)
        {
            var snapshot = Snapshot.Of(QueueName, m, sim.Live(Origin, m * 60.0, QueueName), Targets);
            open = openAt[m] = AlertRules.OfQueue(snapshot, Targets, k => open && k == AlertKinds.QueueForecast, ClearMargin)
                .Single(c => c.Kind == AlertKinds.QueueForecast).Holds;
        }
        return openAt;
    }

    static double? Breach(CallSimulation sim) => sim.AsaBreach(Ramp.WarmUp * 60.0, Targets.Wait.TotalSeconds, Targets.MinimumSample);

    static int Needed(double callsPerHour) => ErlangC.FewestAgents(new Traffic(callsPerHour, Aht), StaffingTargets.Of(Targets))!.Value;

    [Fact]
    public void The_simulated_waits_match_Erlang_C_at_a_steady_load()
    {
        // 20 agents, 16 Erlangs, 2,000 hours (~480,000 calls; an hour's mean wait varies by half its value, so it
        // takes this many): Erlang C expects 25.6 % of calls to wait and an ASA of 15.4 s.
        var sim = CallSimulation.Run(1, 120_000, _ => 240, 240, _ => 20, Aht);
        var expected = ErlangC.Evaluate(new Traffic(240, Aht), 20, Targets.ServiceLevelThreshold);
        var calls = sim.Calls.Where(c => c.Arrive >= 3600).ToList();
        var mean = calls.Average(c => c.Wait);
        var waited = calls.Count(c => c.Wait > 0) / (double)calls.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{calls.Count} calls; mean wait {mean:0.00} s, Erlang C {expected.Asa!.Value.TotalSeconds:0.00} s; waited {waited:P1}, Erlang C {expected.ProbabilityOfWaiting:P1}"));
        Assert.InRange(mean, expected.Asa.Value.TotalSeconds * 0.9, expected.Asa.Value.TotalSeconds * 1.1);
        Assert.InRange(waited, expected.ProbabilityOfWaiting * 0.95, expected.ProbabilityOfWaiting * 1.05);
    }

    [Fact]
    public void Fixed_agents_under_a_rising_load_are_warned_strictly_before_the_true_hourly_ASA_breaches()
    {
        var leads = new List<double>();
        var firstLeads = new List<double>();
        foreach (var r in All)
        {
            var sim = r.Simulate(_ => r.Agents);
            var breach = Breach(sim);
            Assert.True(breach is not null, $"{r}: the true ASA never breached");
            var open = Alerting(sim, r);
            // The last minute the rule looked strictly before the breach: the warning must stand there.
            var last = (int)Math.Ceiling(breach!.Value / 60) - 1;
            Assert.True(last >= Ramp.WarmUp && open[last], $"{r}: no warning standing at minute {last}, breach at {breach / 60:0.0} min");
            var raised = last;
            while (raised > Ramp.WarmUp && open[raised - 1]) raised--;
            var first = Array.IndexOf(open, true);
            leads.Add(breach.Value / 60 - raised);
            firstLeads.Add(breach.Value / 60 - first);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r}: breach at {breach / 60:0.0} min; warning standing since {raised} (lead {breach / 60 - raised:0.0} min), first raised at {first}"));
        }
        output.WriteLine(Summary("lead of the warning standing at the breach", leads));
        output.WriteLine(Summary("lead of the first warning", firstLeads));
    }

    [Fact]
    public void Agents_added_ahead_of_a_rising_load_see_no_breach_and_a_warning_only_rarely()
    {
        // A planner's staffing: 30 % over what Erlang C needs at the true rate a horizon (15 min) ahead. Given the true
        // rate, trend and handle time as its inputs, the model itself warns none of these queues at this staffing. From
        // counts, chance and a trend carried past the ramp's end (which no trend sees coming) can warn now and then:
        // without the chance guard 25 of 40 queues were warned, 180 of 7,578 queue-minutes.
        var faults = new List<string>();
        int warned = 0, openMinutes = 0, minutes = 0;
        foreach (var r in All)
        {
            var sim = r.Simulate(m => (int)Math.Ceiling(Needed(r.CallsPerHour(m + 15)) * 1.3));
            var breach = Breach(sim);
            var open = Alerting(sim, r);
            var raisedAt = Enumerable.Range(Ramp.WarmUp, r.Minutes - Ramp.WarmUp + 1).Where(m => open[m] && !open[m - 1]).ToList();
            if (raisedAt.Count > 0) warned++;
            openMinutes += open.Count(o => o);
            minutes += r.Minutes - Ramp.WarmUp + 1;
            if (breach is not null || raisedAt.Count > 0)
                faults.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{r}: raised at minutes [{string.Join(", ", raisedAt)}]{(breach is { } b ? $", true ASA breached at {b / 60:0.0} min" : "")}"));
        }
        foreach (var f in faults) output.WriteLine(f);
        output.WriteLine($"{warned} of {Scenarios} queues warned; the warning open {openMinutes} of {minutes} minutes");
        Assert.True(faults.All(f => !f.Contains("breached", StringComparison.Ordinal)), string.Join("\n", faults));
        Assert.True(warned <= 3 && openMinutes <= minutes / 500,
            $"{warned} of {Scenarios} well-staffed queues were warned, {openMinutes} of {minutes} minutes:\n{string.Join("\n", faults)}");
    }

    static string Summary(string what, List<double> minutes)
    {
        var sorted = minutes.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"{what}, over {sorted.Count} queues: min {sorted[0]:0.0} min, median {sorted[sorted.Count / 2]:0.0}, max {sorted[^1]:0.0}");
    }
}
