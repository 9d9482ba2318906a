using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Queue.Alerts;
using Queue.Figures;
using Queue.Live;
using Queue.Targets;

namespace Queue.Tests.Alerts;

/// <summary>
/// The registry of alert kinds (Alerts/AlertKinds.cs) is whole: every kind has its constant, a rule that raises it about
/// what the registry says, and the words escalations have always used for its figure.
/// </summary>
public sealed partial class AlertKindsTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(5));

    [Fact]
    public void Every_kind_is_named_once_with_a_severity_a_subject_a_unit_and_a_label()
    {
        Assert.NotEmpty(AlertKinds.All);
        Assert.Equal(AlertKinds.All.Count, AlertKinds.Names.Distinct(StringComparer.Ordinal).Count());
        foreach (var k in AlertKinds.All)
        {
            Assert.Matches(KindName(), k.Name);
            Assert.Contains(k.Severity, AlertSeverity.All);
            Assert.Contains(k.Subject, AlertSubjects.All);
            Assert.Contains(k.Unit, AlertUnits.All);
            Assert.False(string.IsNullOrWhiteSpace(k.Label), $"{k.Name} has no label");
            Assert.Same(k, AlertKinds.ByName[k.Name]);
            Assert.Equal(k.Severity, AlertKinds.Severity[k.Name]);
        }
        Assert.Equal(AlertKinds.All.Count, AlertKinds.All.Select(k => k.Label).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_constants_are_the_registry_s_names()
    {
        var constants = typeof(AlertKinds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order(StringComparer.Ordinal);
        Assert.Equal(AlertKinds.Names.Order(StringComparer.Ordinal), constants);
    }

    // SPEC §4 as the service has always raised them; a change here changes what people and receivers are told.
    [Theory]
    [InlineData("queue.wait", "warning", "queue", "seconds")]
    [InlineData("queue.asa", "breach", "queue", "seconds")]
    [InlineData("queue.remote", "breach", "queue", "share")]
    [InlineData("queue.service_level", "breach", "queue", "share")]
    [InlineData("queue.abandonment", "warning", "queue", "share")]
    [InlineData("queue.forecast", "warning", "queue", "seconds")]
    [InlineData("visit.late", "warning", "queue", "hours")]
    [InlineData("visit.overdue", "breach", "queue", "hours")]
    [InlineData("visits.share", "breach", "queue", "share")]
    public void Each_kind_keeps_its_severity_subject_and_unit(string kind, string severity, string subject, string unit)
    {
        var k = AlertKinds.ByName[kind];
        Assert.Equal((severity, subject, unit), (k.Severity, k.Subject, k.Unit));
    }

    [Fact]
    public void The_rules_raise_every_kind_and_only_those_about_what_the_registry_says()
    {
        var snapshot = Snapshot.Of("q", 1, new QueueCounts(Now, 0, null, Window(), Window(), Window(),
            new VisitCounts(Now.AddDays(-7), Now, 0, 0, 0, 0, 0, 0), new Dictionary<string, AgentInfo>()), new TargetOptions());
        var ofQueue = AlertRules.OfQueue(snapshot, new TargetOptions(), _ => false, 0.1).ToList();
        var ofVisits = AlertRules.OfVisits([("v-1", "q", Now.AddHours(-49))], Now).ToList();

        Assert.All(ofQueue, c => Assert.Equal((AlertSubjects.Queue, "q", false), (AlertKinds.ByName[c.Kind].Subject, c.Subject, AlertKinds.GroupsVisits(c.Kind))));
        Assert.All(ofVisits, g => Assert.Equal((AlertSubjects.Queue, "q", true), (AlertKinds.ByName[g.Kind].Subject, g.Subject, AlertKinds.GroupsVisits(g.Kind))));
        Assert.Equal(AlertKinds.Names.Order(StringComparer.Ordinal),
            ofQueue.Select(c => c.Kind).Concat(ofVisits.Select(g => g.Kind)).Distinct().Order(StringComparer.Ordinal));
    }

    // What escalations say of each kind (as they said before the registry held the words, but for the visits' alerts,
    // grouped by queue since); a kind no longer known, as bare numbers.
    [Theory]
    [InlineData("queue.wait", """{"value":45,"target":30,"samples":2,"window":"now"}""", "Queue", "longest wait 45 s, target 30 s (2 waiting)")]
    [InlineData("queue.asa", """{"value":41.5,"target":30,"samples":12,"window":"m60"}""", "Queue",
        "average wait 41.5 s over the last 60 min, target 30 s (12 answered)")]
    [InlineData("queue.remote", """{"value":0.8,"target":0.9,"samples":20,"window":"today"}""", "Queue",
        "resolved remotely today 80 %, target 90 % (20 completed)")]
    [InlineData("queue.service_level", """{"value":0.7,"target":0.8,"samples":12,"window":"m60"}""", "Queue",
        "answered within T over the last 60 min 70 %, target 80 % (12 answered or abandoned)")]
    [InlineData("queue.abandonment", """{"value":0.125,"target":0.1,"samples":16,"window":"m60"}""", "Queue",
        "abandoned over the last 60 min 12.5 %, limit 10 % (16 answered or abandoned)")]
    [InlineData("queue.forecast", """{"value":52.34,"target":30,"samples":40,"window":"in 10 min"}""", "Queue",
        "expected ASA 52.3 s in 10 min, target 30 s (40 arrived in the last hour)")]
    [InlineData("queue.forecast", """{"value":null,"target":30,"samples":40,"window":"in 5 min"}""", "Queue",
        "expected to take more calls than it has agents in 5 min, ASA target 30 s (40 arrived in the last hour)")]
    [InlineData("visit.late", """{"value":25.52,"target":24,"samples":3,"window":"now","visits":["v-7","v-9","v-12"]}""", "Queue",
        "3 visits unresolved past the 24 h deadline, the oldest (v-7) 25.5 h after creation")]
    [InlineData("visit.overdue", """{"value":49,"target":48,"samples":1,"window":"now","visits":["v-7"]}""", "Queue",
        "1 visit unresolved past the 48 h deadline, the oldest (v-7) 49 h after creation")]
    // A visit alert of an older release, about one visit, as escalations worded it then.
    [InlineData("visit.late", """{"value":25.52,"target":24,"samples":null,"window":"now"}""", "Queue", "unresolved 25.5 h after creation, deadline 24 h")]
    [InlineData("visits.share", """{"value":0.755,"target":0.8,"samples":40,"window":"7d"}""", "Queue",
        "visits resolved within 24 h over 7 days 75.5 %, target 80 % (40 due)")]
    [InlineData("visits.share", """{"target":0.8,"samples":0,"window":"7d"}""", "Queue",
        "visits resolved within 24 h over 7 days — %, target 80 % (0 due)")]
    [InlineData("queue.gone", """{"value":1.23456,"target":2}""", "Queue", "1.235 against 2")]
    public void An_escalation_says_each_kind_s_figure_in_its_words(string kind, string details, string about, string figure)
    {
        using var json = JsonDocument.Parse(details);
        var alert = new Alert(7, kind, "s-1", "q", AlertSeverity.Breach, AlertStates.Open, Now, null, null, null, null, Now.AddMinutes(10),
            json.RootElement.Clone());
        var text = EscalationEmails.Text(EscalationMessage.Of(alert, TimeSpan.FromMinutes(10)), TimeZoneInfo.Utc);

        Assert.Contains($"\n{about + ":",-11}s-1\n", text, StringComparison.Ordinal);
        Assert.Contains($"\nFigure:    {figure}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_escalation_of_the_visits_with_no_call_says_no_queue()
    {
        using var json = JsonDocument.Parse("""{"value":30,"target":24,"samples":2,"window":"now","visits":["v-1","v-2"]}""");
        var alert = new Alert(8, AlertKinds.VisitLate, AlertSubjects.NoQueue, null, AlertSeverity.Warning, AlertStates.Open, Now, null, null, null, null,
            Now.AddMinutes(10), json.RootElement.Clone());
        var message = EscalationMessage.Of(alert, TimeSpan.FromMinutes(10));
        var text = EscalationEmails.Text(message, TimeZoneInfo.Utc);

        Assert.Equal("[Queue] warning: visit.late no queue unacknowledged for 10 min", EscalationEmails.Subject(message));
        Assert.StartsWith("visit.late no queue has been open and unacknowledged for 10 min.", text, StringComparison.Ordinal);
        Assert.Contains("\nQueue:     no queue\n", text, StringComparison.Ordinal);
        Assert.Contains("\nFigure:    2 visits unresolved past the 24 h deadline, the oldest (v-1) 30 h after creation\n", text, StringComparison.Ordinal);
        Assert.Contains("<strong>visit.late no queue</strong>", EscalationEmails.Html(message, TimeZoneInfo.Utc), StringComparison.Ordinal);
    }

    static WindowCounts Window() => new(Now.AddHours(-1), Now, FigureCounts.Zero);

    [GeneratedRegex(@"^[a-z]+\.[a-z_]+$")]
    private static partial Regex KindName();
}
