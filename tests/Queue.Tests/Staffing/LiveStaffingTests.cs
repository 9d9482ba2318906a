using Queue.Figures;
using Queue.Live;
using Queue.Staffing;
using Queue.Targets;

namespace Queue.Tests.Staffing;

/// <summary>A queue's live staffing from its counts: the load, the handle time, the patience, and the agents needed against those it has.</summary>
public sealed class LiveStaffingTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(5));
    static readonly TargetOptions Targets = new();

    static StaffingCounts Counts(long arrived15, long arrived60, long talked = 0, double talkSeconds = 0, double abandonWaitSeconds = 0,
        long wrapUps = 0, double wrapUpSeconds = 0) =>
        new(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), arrived15, arrived60, talked, (long)(talkSeconds * 1e6 * talked), (long)(abandonWaitSeconds * 1e6),
            wrapUps, (long)(wrapUpSeconds * 1e6 * wrapUps));

    static WindowCounts M60(long answered = 0, double waitSeconds = 0, long abandoned = 0, long shortAbandoned = 0) =>
        new(Now.AddHours(-1), Now, new FigureCounts { Answered = answered, WaitSeconds = waitSeconds, Abandoned = abandoned, ShortAbandoned = shortAbandoned });

    static Dictionary<string, long> Agents(long available, long busy, long wrapUp, long onBreak = 0) =>
        new() { ["available"] = available, ["busy"] = busy, ["wrap_up"] = wrapUp, ["break"] = onBreak, ["offline"] = 0 };

    [Fact]
    public void The_load_weighs_the_quarter_two_thirds_and_the_hour_one_third_and_the_handle_time_adds_the_mean_wrap_up()
    {
        // 60 calls in the quarter (240 an hour), 180 in the hour: ⅔·240 + ⅓·180 = 220 an hour. Talk 240 s; 90 wrap-up
        // episodes of 60 s on average: 300 s a call. A = 220/3600 · 300 = 18.33 Erlangs.
        var s = StaffingNow.Of(Counts(60, 180, talked: 100, talkSeconds: 240, wrapUps: 90, wrapUpSeconds: 60), M60(answered: 170), Agents(3, 8, 2, onBreak: 4), Targets);

        Assert.Equal(220, s.Inputs.CallsPerHour, 9);
        Assert.Equal(240, s.Inputs.TalkSeconds!.Value, 6);
        Assert.Equal(90, s.Inputs.WrapUps60);
        Assert.Equal(60, s.Inputs.WrapUpSeconds!.Value, 6);
        Assert.Equal(300, s.Inputs.HandleSeconds!.Value, 6);
        Assert.Equal(220.0 / 3600 * 300, s.Erlangs!.Value, 9);
        Assert.Equal(13, s.Has); // on a break is not serving
        var traffic = new Traffic(220, TimeSpan.FromSeconds(300));
        var needed = ErlangC.FewestAgents(traffic, new StaffingTargets(TimeSpan.FromSeconds(30), null, TimeSpan.FromSeconds(30)))!.Value;
        Assert.Equal(needed, s.Needed);
        Assert.True(ErlangC.Evaluate(traffic, needed, TimeSpan.FromSeconds(30)).Asa <= TimeSpan.FromSeconds(30));
        Assert.False(ErlangC.Evaluate(traffic, needed - 1, TimeSpan.FromSeconds(30)).Asa <= TimeSpan.FromSeconds(30));
        // 13 agents for 18.3 Erlangs: the queue grows without bound, red; and with no abandons Erlang C has no ASA.
        Assert.False(s.Stable);
        Assert.Equal(FigureState.Breach, s.State);
        Assert.Equal(StaffingModels.ErlangC, s.Model);
        Assert.Null(s.ExpectedAsaSeconds);
    }

    [Fact]
    public void With_abandons_the_expected_figures_at_the_current_staffing_are_Erlang_A_with_the_observed_patience()
    {
        // 6 abandoned (one short) in the hour; answered waited 1,000 s in all and the abandoned 200 s: patience 200 s.
        var s = StaffingNow.Of(Counts(60, 180, talked: 100, talkSeconds: 240, abandonWaitSeconds: 200),
            M60(answered: 170, waitSeconds: 1_000, abandoned: 5, shortAbandoned: 1), Agents(2, 14, 0), Targets);

        Assert.Equal(6, s.Inputs.Abandoned60);
        Assert.Equal(200, s.Inputs.PatienceSeconds!.Value, 6);
        Assert.Equal(StaffingModels.ErlangA, s.Model);
        var a = ErlangA.Evaluate(new Traffic(220, TimeSpan.FromSeconds(240)), 16, TimeSpan.FromSeconds(200));
        Assert.Equal(a.Asa!.Value.TotalSeconds, s.ExpectedAsaSeconds!.Value, 9);
        Assert.Equal(a.Abandonment, s.ExpectedAbandonment!.Value, 12);
        Assert.True(s.Stable); // 14.67 Erlangs on 16 agents
        Assert.True(s.Has < s.Needed);
        Assert.Equal(FigureState.Warning, s.State); // short of the target, but the queue does not grow without bound
    }

    [Fact]
    public void Enough_agents_is_ok_and_the_expected_wait_is_within_the_target()
    {
        var s = StaffingNow.Of(Counts(15, 60, talked: 50, talkSeconds: 180), M60(answered: 60), Agents(6, 4, 0), Targets);
        Assert.True(s.Has >= s.Needed);
        Assert.Equal(FigureState.Ok, s.State);
        Assert.True(s.ExpectedAsaSeconds <= Targets.Wait.TotalSeconds);
        Assert.Null(s.Inputs.WrapUpSeconds);
    }

    [Fact]
    public void Too_few_calls_in_the_hour_is_at_most_amber()
    {
        var s = StaffingNow.Of(Counts(8, 9, talked: 3, talkSeconds: 600), M60(answered: 3), Agents(0, 1, 0), Targets);
        Assert.False(s.Stable);
        Assert.True(s.Has < s.Needed);
        Assert.Equal(FigureState.Warning, s.State);
    }

    [Fact]
    public void No_calls_need_no_agents_and_calls_with_no_handle_time_yet_need_an_unknown_number()
    {
        var quiet = StaffingNow.Of(Counts(0, 0), M60(), Agents(2, 0, 0), Targets);
        Assert.Equal(0, quiet.Needed);
        Assert.Equal(FigureState.Ok, quiet.State);

        var unknown = StaffingNow.Of(Counts(5, 5), M60(), Agents(2, 1, 0), Targets);
        Assert.Null(unknown.Needed);
        Assert.Null(unknown.Erlangs);
        Assert.Null(unknown.Inputs.HandleSeconds);
        Assert.Equal(FigureState.None, unknown.State);
    }

    [Fact]
    public void With_no_wrap_up_ended_in_the_hour_the_handle_time_is_the_talk_time_whoever_is_in_wrap_up_now()
    {
        var s = StaffingNow.Of(Counts(10, 40, talked: 10, talkSeconds: 200), M60(answered: 40), Agents(1, 0, 2), Targets);
        Assert.Equal(0, s.Inputs.WrapUps60);
        Assert.Null(s.Inputs.WrapUpSeconds);
        Assert.Equal(200, s.Inputs.HandleSeconds!.Value, 6);
    }

    [Fact]
    public void The_wrap_up_is_the_mean_of_the_hours_episodes_not_the_agents_in_wrap_up_at_an_instant()
    {
        // 3 episodes of 20, 40 and 90 s (150 s): 50 s a call on 120 s of talk. Who is in wrap-up now changes nothing.
        var counts = new StaffingCounts(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), 5, 20, 4, 480_000_000, 0, 3, 150_000_000);
        var none = StaffingNow.Of(counts, M60(answered: 20), Agents(2, 2, 0), Targets);
        var many = StaffingNow.Of(counts, M60(answered: 20), Agents(0, 1, 3), Targets);

        Assert.Equal(50, none.Inputs.WrapUpSeconds!.Value, 9);
        Assert.Equal(170, none.Inputs.HandleSeconds!.Value, 9);
        Assert.Equal(none.Inputs.HandleSeconds, many.Inputs.HandleSeconds);
        Assert.Equal((2.0 / 3 * 20 + 1.0 / 3 * 20) / 3600 * 170, none.Erlangs!.Value, 9);

        // Wrap-ups with no call talked give no handle time: there is no talk to add them to.
        var noTalk = StaffingNow.Of(counts with { Talked60 = 0, TalkMicros60 = 0 }, M60(), Agents(2, 0, 0), Targets);
        Assert.Null(noTalk.Inputs.HandleSeconds);
        Assert.Null(noTalk.Needed);
    }

    [Fact]
    public void The_center_snapshot_has_no_staffing_and_a_queue_snapshot_has()
    {
        var counts = new QueueCounts(Now, 0, null, M60(), M60(), M60(), new VisitCounts(Now.AddDays(-7), Now, 0, 0, 0, 0, 0, 0),
            new Dictionary<string, AgentInfo>(), Counts(1, 1));
        Assert.Null(Snapshot.Of(null, 1, counts, Targets).Staffing);
        Assert.NotNull(Snapshot.Of("q", 1, counts, Targets).Staffing);
    }

    [Fact]
    public void A_service_level_target_raises_the_need_to_the_fewest_agents_meeting_it_as_well()
    {
        var counts = Counts(60, 180, talked: 100, talkSeconds: 240, wrapUps: 100, wrapUpSeconds: 60);
        var asaOnly = StaffingNow.Of(counts, M60(answered: 170), Agents(10, 12, 3), Targets).Needed!.Value;
        var withShare = StaffingNow.Of(counts, M60(answered: 170), Agents(10, 12, 3), new TargetOptions { ServiceLevel = 0.95 }).Needed!.Value;

        var traffic = new Traffic(220, TimeSpan.FromSeconds(240 * 1.25));
        var t = TimeSpan.FromSeconds(30);
        Assert.True(withShare > asaOnly, $"{withShare} for 95 % in 30 s, {asaOnly} for the ASA alone");
        Assert.True(ErlangC.Evaluate(traffic, withShare, t).ServiceLevel >= 0.95);
        Assert.True(ErlangC.Evaluate(traffic, withShare - 1, t).ServiceLevel < 0.95);
    }
}
