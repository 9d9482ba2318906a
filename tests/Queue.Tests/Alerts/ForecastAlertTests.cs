using Queue.Alerts;
using Queue.Figures;
using Queue.Live;
using Queue.Staffing;
using Queue.Targets;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Alerts;

/// <summary>
/// <c>queue.forecast</c> over a generated scenario, minute by minute on a fake clock: arrivals ramp up while the agents
/// stay, or the agents grow with the load, or the ramp turns back.
/// </summary>
public sealed class ForecastAlertTests
{
    static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.FromHours(5));
    static readonly TargetOptions Targets = new();
    static readonly TimeSpan Talk = TimeSpan.FromSeconds(240);
    const double Margin = 0.1;

    // The scenario, a large queue: 600 calls an hour until minute 60, then rising by 2,400 an hour every hour until
    // minute 150, then falling as fast. Calls arrive as the rate says (the arrivals of a minute are its integral, kept
    // fractional), with none of chance's scatter: the rule still takes three standard errors of Poisson counts off the
    // rise (Forecast.TrendConfidence), which costs a queue of few calls more of its lead than one of many.
    // ForecastAlertSimulationTests holds the rule to real, scattered arrivals and the true hourly ASA.
    static double Rate(double minute) => 10 * (minute switch
    {
        <= 60 => 60,
        <= 150 => 60 + 240 * (minute - 60) / 60,
        _ => Math.Max(60, 420 - 240 * (minute - 150) / 60),
    });

    static double Arrived(double fromMinute, double toMinute)
    {
        double sum = 0;
        for (var m = fromMinute; m < toMinute; m += 0.25) sum += Rate(m + 0.125) / 60 * 0.25;
        return sum;
    }

    static QueueSnapshot At(int minute, int agents)
    {
        var now = Start.AddMinutes(minute);
        var counts = new StaffingCounts(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1),
            (long)Math.Round(Arrived(minute - 15, minute)), (long)Math.Round(Arrived(minute - 60, minute)), 50, (long)(Talk.TotalMicroseconds * 50), 0, 0, 0);
        // Calls so far answered at once: the observed ASA is fine, only the model sees what comes.
        var m60 = new WindowCounts(now.AddHours(-1), now, new FigureCounts { Answered = 50, AnsweredInTime = 50, WaitSeconds = 50 });
        var live = new Dictionary<string, AgentInfo>();
        for (var i = 0; i < agents; i++) live[$"a{i}"] = new AgentInfo("available", now, ["fc"]);
        return Snapshot.Of("fc", minute, new QueueCounts(now, 0, null, m60, m60, m60, new VisitCounts(now.AddDays(-7), now, 0, 0, 0, 0, 0, 0), live, counts), Targets);
    }

    // The breach itself: the model's ASA at the true arrival rate of the minute is past the target.
    static bool Breached(int minute, int agents)
    {
        var c = ErlangC.Evaluate(new Traffic(Rate(minute), Talk), agents, Targets.ServiceLevelThreshold);
        return c.Asa is not { } asa || asa > Targets.Wait;
    }

    static int Needed(double callsPerHour) =>
        ErlangC.FewestAgents(new Traffic(callsPerHour, Talk), StaffingTargets.Of(Targets))!.Value;

    static bool Holds(QueueSnapshot s, bool open) =>
        AlertRules.OfQueue(s, Targets, k => open && k == AlertKinds.QueueForecast, Margin).Single(c => c.Kind == AlertKinds.QueueForecast).Holds;

    [Fact]
    public void Rising_arrivals_with_no_agents_added_raise_it_before_the_breach_and_it_clears_by_itself_when_they_fall()
    {
        const int agents = 240;
        int? raised = null, breached = null, cleared = null;
        var open = false;
        for (var minute = 60; minute <= 300; minute++)
        {
            var s = At(minute, agents);
            var holds = Holds(s, open);
            Assert.False(AlertRules.OfQueue(s, Targets, _ => false, Margin).Single(c => c.Kind == AlertKinds.QueueAsa).Holds);
            if (holds && !open) raised ??= minute;
            if (!holds && open) cleared ??= minute;
            open = holds;
            if (Breached(minute, agents)) breached ??= minute;
        }
        Assert.NotNull(raised);
        Assert.NotNull(breached);
        // Raised ahead of the breach: a horizon (15 min) less what the chance guard takes, give or take the rounding of
        // whole calls (240 agents: the breach comes an hour into the ramp).
        Assert.InRange(breached!.Value - raised!.Value, 5, 20);
        Assert.NotNull(cleared);
        Assert.True(cleared > breached);
        Assert.False(open);
    }

    [Fact]
    public void Agents_growing_with_the_load_keep_it_from_being_raised()
    {
        // Up the ramp (its turn at minute 150 is beyond every horizon): a straight trend is carried straight on, so it
        // overshoots only past a turn, which no trend can see.
        for (var minute = 60; minute <= 135; minute++)
        {
            // The staffing a planner would have: enough for the rate a horizon ahead.
            var agents = Needed(Math.Max(Rate(minute), Rate(minute + 15))) + 1;
            Assert.False(Holds(At(minute, agents), open: false), $"raised at minute {minute} with {agents} agents");
        }
    }

    [Fact]
    public void Too_few_calls_in_the_hour_raise_nothing_however_few_the_agents()
    {
        var now = Start;
        var counts = new StaffingCounts(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), 9, 9, 3, (long)(Talk.TotalMicroseconds * 3), 0, 0, 0);
        var m60 = new WindowCounts(now.AddHours(-1), now, new FigureCounts { Answered = 3, AnsweredInTime = 3 });
        var s = Snapshot.Of("fc", 1, new QueueCounts(now, 0, null, m60, m60, m60, new VisitCounts(now.AddDays(-7), now, 0, 0, 0, 0, 0, 0),
            new Dictionary<string, AgentInfo>(), counts), Targets);
        Assert.False(Holds(s, open: false));
    }

    [Fact]
    public void The_projection_carries_the_quarter_rate_along_the_rising_trend_and_never_below_the_recent_rate()
    {
        var f = new ForecastInputs(CallsPerHourNow: 200, CallsPerHour15: 240, CallsPerHour60: 150, Talk, 20, null, TimeSpan.FromSeconds(30));
        // (240 − 150) / 22.5 min = 240 an hour per hour; 15 min ahead is 22.5 min past the quarter's middle: 240 + 90.
        Assert.Equal(240, Forecast.Slope(240, 150), 9);
        Assert.Equal(330, Forecast.CallsPerHourAt(f, TimeSpan.FromMinutes(15)), 9);
        var falling = f with { CallsPerHour15 = 100, CallsPerHour60 = 150, CallsPerHourNow = 116 };
        Assert.Equal(116, Forecast.CallsPerHourAt(falling, TimeSpan.FromMinutes(15)), 9);
        Assert.Equal(16, Forecast.Project(f, TimeSpan.FromMinutes(15)).Count());
    }

    [Fact]
    public void Chance_is_taken_off_the_rise_three_standard_errors_of_the_counts()
    {
        // 60 calls in the quarter, 180 in the hour: rates 240 and 180 an hour. The quarter's count scatters by √60 over
        // a quarter hour (×4 an hour, less its share of the hour's ×1), the other 120 by √120 over the hour:
        // √(60·3² + 120·1²) = √660 calls an hour.
        var noise = Forecast.TrendNoise(60, 180, 240, 180);
        Assert.Equal(Math.Sqrt(660), noise, 9);
        Assert.Equal(0, Forecast.TrendNoise(0, 0, 0, 0));
        // A rise of 60 an hour is within three standard errors (77): no trend; one of 120 keeps what is past them.
        Assert.Equal(0, Forecast.Slope(240, 180, noise));
        Assert.Equal((120 - 3 * noise) / Forecast.TrendBaseHours, Forecast.Slope(300, 180, noise), 9);
    }
}

/// <summary><c>queue.forecast</c> through the service: raised and pushed on the events that make the trend, cleared by agents logging in.</summary>
public sealed class ForecastAlertServiceTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task A_rising_queue_raises_the_forecast_alert_live_and_more_agents_clear_it()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await client.JoinQueuesAsync("fcast");
        var events = new List<System.Text.Json.Nodes.JsonNode>();
        for (var i = 0; i < 8; i++) events.Add(Ev.AgentStatus($"fs-{i}", Now.AddHours(-2), $"fa-{i}", "available", "fcast"));
        // 18 calls from an hour ago to 15 minutes ago, then 30 in the last 15 minutes: a queue on the rise, answered at once, talking 4 min.
        var starts = Enumerable.Range(0, 18).Select(i => Now.AddMinutes(-60 + 2.5 * i))
            .Concat(Enumerable.Range(0, 30).Select(i => Now.AddMinutes(-15 + 0.5 * i)));
        var n = 0;
        foreach (var at in starts)
        {
            var call = $"fc-{n++}";
            events.Add(Ev.Queued(call + "q", at, call, "fcast"));
            events.Add(Ev.Answered(call + "a", at.AddSeconds(2), call, "fa-0"));
            if (at.AddSeconds(242) < Now) events.Add(Ev.Completed(call + "c", at.AddSeconds(242), call, "resolved"));
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);

        var raised = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.QueueForecast && a.Subject == "fcast");
        Assert.Equal(AlertStates.Open, raised.State);
        Assert.Equal(AlertSeverity.Warning, raised.Severity);
        Assert.Equal(48, raised.Details.GetProperty("samples").GetInt64());
        Assert.StartsWith("in ", raised.Details.GetProperty("window").GetString(), StringComparison.Ordinal);

        var more = Enumerable.Range(8, 14).Select(i => (System.Text.Json.Nodes.JsonNode)Ev.AgentStatus($"fs-{i}", Now, $"fa-{i}", "available", "fcast")).ToArray();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.PostEventsAsync(more)).StatusCode);
        var cleared = await client.WaitForAlertAsync(a => a.Id == raised.Id && a.State == AlertStates.Cleared);
        Assert.Equal(Now, cleared.ClearedAt);
    }
}
