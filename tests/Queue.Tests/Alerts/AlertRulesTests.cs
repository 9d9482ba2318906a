using Queue.Alerts;
using Queue.Figures;
using Queue.Live;
using Queue.Targets;

namespace Queue.Tests.Alerts;

/// <summary>SPEC §4 thresholds, exactly: a breach is strictly past its target; a rate needs its minimum sample; clearing has a margin.</summary>
public sealed class AlertRulesTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(5));
    static readonly TargetOptions Targets = new();
    const double Margin = 0.1;

    static WindowCounts Window(long answered = 0, double asaSeconds = 0, long completed = 0, long resolved = 0) =>
        new(Now.AddHours(-1), Now, new FigureCounts { Answered = answered, WaitSeconds = asaSeconds * answered, Completed = completed, Resolved = resolved });

    static QueueSnapshot Snapshot(DateTimeOffset? oldestWaiting = null, WindowCounts? m60 = null, WindowCounts? today = null, long due24 = 0, long met24 = 0) =>
        Queue.Live.Snapshot.Of("q", 1, new QueueCounts(Now, oldestWaiting is null ? 0 : 1, oldestWaiting,
            Window(), m60 ?? Window(), today ?? Window(),
            new VisitCounts(Now.AddDays(-7), Now, 0, 0, 0, due24, met24, 0), new Dictionary<string, AgentInfo>()), Targets);

    static bool Holds(QueueSnapshot s, string kind, bool open = false) =>
        AlertRules.OfQueue(s, Targets, k => open && k == kind, Margin).Single(c => c.Kind == kind).Holds;

    [Fact]
    public void A_wait_of_exactly_the_target_is_on_target_and_a_microsecond_more_is_a_breach()
    {
        Assert.False(Holds(Snapshot(oldestWaiting: Now.AddSeconds(-30)), AlertKinds.QueueWait));
        Assert.True(Holds(Snapshot(oldestWaiting: Now.AddSeconds(-30).AddTicks(-10)), AlertKinds.QueueWait));
        Assert.False(Holds(Snapshot(), AlertKinds.QueueWait));
        Assert.Equal(Now.AddSeconds(30).AddTicks(10), AlertRules.WaitBreachAt(Now, Targets));
    }

    [Fact]
    public void Average_wait_needs_the_minimum_sample_to_raise_and_comes_back_by_the_margin_to_clear()
    {
        Assert.False(Holds(Snapshot(m60: Window(answered: 10, asaSeconds: 30)), AlertKinds.QueueAsa));
        Assert.True(Holds(Snapshot(m60: Window(answered: 10, asaSeconds: 30.001)), AlertKinds.QueueAsa));
        Assert.False(Holds(Snapshot(m60: Window(answered: 9, asaSeconds: 60)), AlertKinds.QueueAsa));
        // Open: it stays open until the average is back at 27 s (30 s less 10 %), however it hovers near 30 s.
        Assert.True(Holds(Snapshot(m60: Window(answered: 20, asaSeconds: 29)), AlertKinds.QueueAsa, open: true));
        Assert.False(Holds(Snapshot(m60: Window(answered: 20, asaSeconds: 27)), AlertKinds.QueueAsa, open: true));
        Assert.False(Holds(Snapshot(m60: Window(answered: 5, asaSeconds: 60)), AlertKinds.QueueAsa, open: true));
    }

    static WindowCounts Offered(long answered, long inServiceLevel, long abandoned) =>
        new(Now.AddHours(-1), Now, new FigureCounts { Answered = answered, AnsweredInTime = inServiceLevel, WaitSeconds = answered * 10.0, Abandoned = abandoned });

    static bool Holds(QueueSnapshot s, string kind, TargetOptions t, bool open = false) =>
        AlertRules.OfQueue(s, t, k => open && k == kind, Margin).Single(c => c.Kind == kind).Holds;

    [Fact]
    public void Service_level_and_abandonment_are_judged_only_where_the_queue_has_the_target_strictly_past_it()
    {
        var set = new TargetOptions { ServiceLevel = 0.8, Abandonment = 0.1 };
        // 8 of 10 answered within T: on target; 7 of 10 under it. 1 of 10 abandoned: at the limit; 2 of 10 over it.
        Assert.False(Holds(Snapshot(m60: Offered(10, 8, 0)), AlertKinds.QueueServiceLevel, set));
        Assert.True(Holds(Snapshot(m60: Offered(10, 7, 0)), AlertKinds.QueueServiceLevel, set));
        Assert.False(Holds(Snapshot(m60: Offered(9, 8, 1)), AlertKinds.QueueAbandonment, set));
        Assert.True(Holds(Snapshot(m60: Offered(8, 8, 2)), AlertKinds.QueueAbandonment, set));
        // Abandoned calls count in the service level's sample and against it.
        Assert.False(Holds(Snapshot(m60: Offered(8, 8, 2)), AlertKinds.QueueServiceLevel, set));
        Assert.True(Holds(Snapshot(m60: Offered(8, 7, 2)), AlertKinds.QueueServiceLevel, set));
        // The minimum sample: 9 offered mean nothing, however bad.
        Assert.False(Holds(Snapshot(m60: Offered(5, 0, 4)), AlertKinds.QueueServiceLevel, set));
        Assert.False(Holds(Snapshot(m60: Offered(5, 0, 4)), AlertKinds.QueueAbandonment, set));
        // Open: the service level clears back at 82 % (80 % and a tenth of the room above it), abandonment at 9 %.
        Assert.True(Holds(Snapshot(m60: Offered(100, 81, 0)), AlertKinds.QueueServiceLevel, set, open: true));
        Assert.False(Holds(Snapshot(m60: Offered(100, 82, 0)), AlertKinds.QueueServiceLevel, set, open: true));
        Assert.True(Holds(Snapshot(m60: Offered(90, 90, 10)), AlertKinds.QueueAbandonment, set, open: true));
        Assert.False(Holds(Snapshot(m60: Offered(91, 91, 9)), AlertKinds.QueueAbandonment, set, open: true));
        // No target (the default): shown, never judged; an open alert clears when its target is taken away.
        Assert.False(Holds(Snapshot(m60: Offered(10, 0, 10)), AlertKinds.QueueServiceLevel, Targets));
        Assert.False(Holds(Snapshot(m60: Offered(10, 0, 10)), AlertKinds.QueueAbandonment, Targets, open: true));
    }

    [Fact]
    public void Remote_resolution_and_the_visit_share_breach_strictly_under_their_targets()
    {
        Assert.False(Holds(Snapshot(today: Window(completed: 10, resolved: 9)), AlertKinds.QueueRemote));
        Assert.True(Holds(Snapshot(today: Window(completed: 100, resolved: 89)), AlertKinds.QueueRemote));
        Assert.True(Holds(Snapshot(today: Window(completed: 100, resolved: 90)), AlertKinds.QueueRemote, open: true));
        Assert.False(Holds(Snapshot(today: Window(completed: 100, resolved: 91)), AlertKinds.QueueRemote, open: true));

        Assert.False(Holds(Snapshot(due24: 10, met24: 8), AlertKinds.VisitsShare));
        Assert.True(Holds(Snapshot(due24: 10, met24: 7), AlertKinds.VisitsShare));
        Assert.False(Holds(Snapshot(due24: 9, met24: 0), AlertKinds.VisitsShare));
        Assert.True(Holds(Snapshot(due24: 100, met24: 81), AlertKinds.VisitsShare, open: true));
        Assert.False(Holds(Snapshot(due24: 100, met24: 82), AlertKinds.VisitsShare, open: true));
    }

    [Fact]
    public void A_visit_is_late_strictly_past_24_hours_and_overdue_strictly_past_48()
    {
        static string[] Kinds(TimeSpan age) =>
            [.. AlertRules.OfVisits([("v1", "q", Now - age)], Now).Select(g => g.Kind)];
        Assert.Empty(Kinds(TimeSpan.FromHours(24)));
        Assert.Equal([AlertKinds.VisitLate], Kinds(TimeSpan.FromHours(24) + TimeSpan.FromTicks(10)));
        Assert.Equal([AlertKinds.VisitLate], Kinds(TimeSpan.FromHours(48)));
        Assert.Equal([AlertKinds.VisitLate, AlertKinds.VisitOverdue], Kinds(TimeSpan.FromHours(48) + TimeSpan.FromTicks(10)));

        // Created 30 h ago: its 48 h deadline (in 18 h) comes before the 24 h deadline of one created an hour ago (in 23 h).
        Assert.Equal(Now.AddHours(18).AddTicks(10), AlertRules.NextVisitDeadline([Now.AddHours(-1), Now.AddHours(-30)], Now));
        Assert.Equal(Now.AddHours(23).AddTicks(10), AlertRules.NextVisitDeadline([Now.AddHours(-1)], Now));
        Assert.Null(AlertRules.NextVisitDeadline([Now.AddHours(-49)], Now));
    }

    [Fact]
    public void Late_visits_are_one_group_per_kind_and_queue_oldest_first_and_those_with_no_call_are_of_no_queue()
    {
        var groups = AlertRules.OfVisits(
        [
            ("v-b", "b2c", Now.AddHours(-30)), ("v-a", "b2c", Now.AddHours(-50)), ("v-0", "b2c", Now.AddHours(-30)),
            ("v-n", null, Now.AddHours(-25)), ("v-x", "b2b", Now.AddHours(-1)),
        ], Now).ToList();

        Assert.Equal(
            [(AlertKinds.VisitLate, "b2c", "b2c", "v-a v-0 v-b"), (AlertKinds.VisitLate, "~", null, "v-n"), (AlertKinds.VisitOverdue, "b2c", "b2c", "v-a")],
            groups.Select(g => (g.Kind, g.Subject, g.Queue, string.Join(' ', g.Visits.Select(v => v.VisitId)))));
        Assert.Equal(AlertSubjects.NoQueue, groups[1].Subject);

        // The figure is the oldest visit's lateness, against the deadline; the samples, how many.
        var late = groups[0].Figures(Now);
        Assert.Equal((50.0, 24.0, 3L, "now"), (late.Value, late.Target, late.Samples, late.Window));
        Assert.Equal(["v-a", "v-0", "v-b"], late.Visits);
        var overdue = groups[2].Figures(Now);
        Assert.Equal((50.0, 48.0, 1L), (overdue.Value, overdue.Target, overdue.Samples));
        Assert.Equal("""{"value":50,"target":48,"samples":1,"window":"now","visits":["v-a"]}""",
            System.Text.Json.JsonSerializer.Serialize(overdue, AlertJson.Options));
    }

    [Fact]
    public void An_alert_names_its_200_oldest_visits_and_counts_them_all()
    {
        var many = Enumerable.Range(0, 250).Select(i => ($"v-{i:D3}", (string?)"q", Now.AddHours(-25).AddMinutes(-i)));
        var group = Assert.Single(AlertRules.OfVisits(many, Now));
        var figures = group.Figures(Now);

        Assert.Equal(250, group.Visits.Count);
        Assert.Equal(250, figures.Samples);
        Assert.Equal(VisitGroup.Listed, figures.Visits.Count);
        Assert.Equal(200, VisitGroup.Listed);
        Assert.Equal(Enumerable.Range(50, 200).Reverse().Select(i => $"v-{i:D3}"), figures.Visits);
        Assert.Equal(25 + 249 / 60.0, figures.Value!.Value, 9);
    }

    [Fact]
    public void The_visits_that_join_and_leave_an_alert_are_those_its_group_gained_and_lost()
    {
        var group = new VisitGroup(AlertKinds.VisitLate, "q", [new("v-1", Now.AddHours(-30)), new("v-3", Now.AddHours(-26)), new("v-4", Now.AddHours(-25))]);
        var (joined, left) = group.Since(new HashSet<string>(["v-5", "v-1", "v-2"]));
        Assert.Equal(["v-3", "v-4"], joined);
        Assert.Equal(["v-2", "v-5"], left);

        var none = group with { Visits = [] };
        Assert.False(none.Holds);
        Assert.Null(none.Figures(Now).Value);
        Assert.Equal(["v-1", "v-2"], none.Since(new HashSet<string>(["v-2", "v-1"])).Left);
    }

    [Fact]
    public void A_deadline_passed_longer_ago_than_the_lateness_joins_no_alert_but_a_visit_listed_already_stays()
    {
        var lateness = TimeSpan.FromDays(7);
        // History: created 30 days ago, never resolved as far as it tells. Recent: 30 h ago.
        (string, string?, DateTimeOffset)[] open = [("v-old", "q", Now.AddDays(-30)), ("v-new", "q", Now.AddHours(-30))];

        var fresh = AlertRules.OfVisits(open, Now, lateness).ToList();
        Assert.Equal([(AlertKinds.VisitLate, "v-new")], fresh.Select(g => (g.Kind, string.Join(' ', g.Visits.Select(v => v.VisitId)))));

        // Listed in the late alert already (it was late while the deadline was recent): it stays there, and only there.
        var listed = AlertRules.OfVisits(open, Now, lateness, (kind, subject, visit) => (kind, subject, visit) == (AlertKinds.VisitLate, "q", "v-old")).ToList();
        Assert.Equal([(AlertKinds.VisitLate, "v-old v-new")], listed.Select(g => (g.Kind, string.Join(' ', g.Visits.Select(v => v.VisitId)))));

        // Each deadline on its own: 24 h passed exactly the lateness ago is inside it; a tick more, only the 48 h
        // deadline (passed a day less ago) is.
        static string[] Kinds(DateTimeOffset created, TimeSpan lateness) =>
            [.. AlertRules.OfVisits([("v-edge", "q", created)], Now, lateness).Select(g => g.Kind)];
        var edge = Now - TimeSpan.FromHours(24) - lateness;
        Assert.Equal([AlertKinds.VisitLate, AlertKinds.VisitOverdue], Kinds(edge, lateness));
        Assert.Equal([AlertKinds.VisitOverdue], Kinds(edge.AddTicks(-1), lateness));
    }
}
