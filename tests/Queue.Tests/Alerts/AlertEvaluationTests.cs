using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Queue.Alerts;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Alerts;

/// <summary>
/// SPEC §4 alerts raised and cleared by the service itself, on a fake clock: time-driven ones with no event arriving,
/// at the exact threshold; rates only on their minimum sample; every change pushed to the hub's clients.
/// </summary>
public sealed class AlertEvaluationTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    async Task<JsonElement> AlertsAsync(HttpClient http, string query) =>
        (await http.GetFromJsonAsync<JsonElement>("/api/alerts?" + query)).GetProperty("items");

    [Fact]
    public async Task A_call_waiting_past_the_target_raises_queue_wait_with_no_event_and_its_answer_clears_it()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await client.JoinQueuesAsync("aw");
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("aw-1", Now.AddSeconds(-29), "aw-c1", "aw"))).StatusCode);
        await app.LiveCaughtUpAsync();

        // 30.000 s: on target. The clock alone moves; no event arrives.
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await client.WaitForAsync("QueueUpdated", s => s.Queue == "aw" && s.CallsWaiting == 1);
        await Task.Delay(300);
        Assert.Empty(client.DrainAlerts());
        Assert.Equal(0, (await AlertsAsync(http, "queue=aw")).GetArrayLength());

        // 30.001 s: past it.
        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var raised = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.QueueWait && a.Subject == "aw");
        Assert.Equal(AlertStates.Open, raised.State);
        Assert.Equal(AlertSeverity.Warning, raised.Severity);
        Assert.Equal(Now, raised.RaisedAt);

        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Answered("aw-2", Now, "aw-c1", "ag-aw"))).StatusCode);
        var cleared = await client.WaitForAlertAsync(a => a.Id == raised.Id && a.State == AlertStates.Cleared);
        Assert.Equal(Now, cleared.ClearedAt);
        var listed = Assert.Single((await AlertsAsync(http, "queue=aw")).EnumerateArray());
        Assert.Equal("cleared", listed.GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_hourly_average_wait_raises_only_on_its_minimum_sample_and_clears_with_a_margin()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        await client.JoinQueuesAsync("asa");
        var n = 0;
        async Task AnswerAsync(int calls, int waitSeconds)
        {
            var events = new List<JsonNode>();
            for (var i = 0; i < calls; i++, n++)
            {
                var at = Now.AddMinutes(-30).AddSeconds(n);
                events.Add(Ev.Queued($"asa-q{n}", at, $"asa-c{n}", "asa"));
                events.Add(Ev.Answered($"asa-a{n}", at.AddSeconds(waitSeconds), $"asa-c{n}", "ag-asa"));
            }
            Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);
            await app.LiveCaughtUpAsync();
        }

        await AnswerAsync(9, 40); // ASA 40 s, but 9 answers: too few to mean anything
        await client.WaitForAsync("QueueUpdated", s => s.Queue == "asa" && s.Windows.M60.Answered == 9);
        await Task.Delay(300);
        Assert.DoesNotContain(client.DrainAlerts(), a => a.Kind == AlertKinds.QueueAsa);

        await AnswerAsync(1, 40); // the tenth
        var raised = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.QueueAsa && a.Subject == "asa");
        Assert.Equal(AlertSeverity.Breach, raised.Severity);
        Assert.Equal(40, raised.Details.GetProperty("value").GetDouble(), 6);

        await AnswerAsync(5, 10); // (400 + 50) / 15 = 30 s: on target again, but not back by the margin (27 s)
        await client.WaitForAsync("QueueUpdated", s => s.Queue == "asa" && s.Windows.M60.Answered == 15);
        await Task.Delay(300);
        var detail = await http.GetFromJsonAsync<JsonElement>($"/api/alerts/{raised.Id}");
        Assert.Equal("open", detail.GetProperty("alert").GetProperty("state").GetString());

        await AnswerAsync(10, 10); // (450 + 100) / 25 = 22 s: back by more than the margin
        var cleared = await client.WaitForAlertAsync(a => a.Id == raised.Id && a.State == AlertStates.Cleared);
        Assert.NotNull(cleared.ClearedAt);
    }

    static long Count(Alert a) => a.Details.GetProperty("samples").GetInt64();

    // The visits an alert lists, oldest first.
    static string Visits(Alert a) => string.Join(' ', a.Details.GetProperty("visits").EnumerateArray().Select(v => v.GetString()));

    // A visit of a call that waited in the queue: the visit belongs to it.
    static JsonNode[] VisitOfQueue(string visit, DateTimeOffset created, string queue) =>
        [Ev.Queued($"{visit}-q", created.AddMinutes(-5), $"{visit}-call", queue), Ev.Answered($"{visit}-a", created.AddMinutes(-4), $"{visit}-call", "ag-v"),
         Ev.VisitCreated($"{visit}-c", created, visit, $"{visit}-call", "ural")];

    [Fact]
    public async Task A_queue_s_late_visits_are_one_alert_counting_them_as_they_join_and_leave_which_clears_with_the_last()
    {
        using var http = app.Client();
        using var supervisor = app.Client(await app.KeyAsync("supervisor"));
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        await client.JoinCenterAsync();
        // Three visits of queue gv whose 24 h deadlines pass a second apart.
        var created = Now.AddHours(-24).AddMilliseconds(1);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            [.. VisitOfQueue("gv-1", created, "gv"), .. VisitOfQueue("gv-2", created.AddSeconds(1), "gv"), .. VisitOfQueue("gv-3", created.AddSeconds(2), "gv")])).StatusCode);
        await app.LiveCaughtUpAsync();

        app.Time.Advance(TimeSpan.FromMilliseconds(1)); // exactly 24 h: on time
        await Task.Delay(300);
        Assert.DoesNotContain(client.DrainAlerts(), a => a.Subject == "gv");

        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var raised = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.VisitLate && a.Subject == "gv");
        Assert.Equal(("gv", AlertStates.Open, AlertSeverity.Warning, Now), (raised.Queue, raised.State, raised.Severity, raised.RaisedAt));
        Assert.Equal((1, "gv-1"), (Count(raised), Visits(raised)));
        Assert.Equal(24, raised.Details.GetProperty("target").GetDouble());

        // Acknowledged, it stays so as visits join: the count is pushed, the supervisor is not asked again.
        Assert.Equal(HttpStatusCode.OK, (await supervisor.PostAsJsonAsync($"/api/alerts/{raised.Id}/ack", new { note = "crews told" })).StatusCode);
        await client.WaitForAlertAsync(a => a.Id == raised.Id && a.State == AlertStates.Acknowledged);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var two = await client.WaitForAlertAsync(a => a.Id == raised.Id && Count(a) == 2);
        Assert.Equal((AlertStates.Acknowledged, "gv-1 gv-2"), (two.State, Visits(two)));
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var three = await client.WaitForAlertAsync(a => a.Id == raised.Id && Count(a) == 3);
        Assert.Equal((AlertStates.Acknowledged, "gv-1 gv-2 gv-3"), (three.State, Visits(three)));
        Assert.Equal((Now - created).TotalHours, three.Details.GetProperty("value").GetDouble(), 6);

        // One resolved leaves it; the last ones resolved or cancelled clear it.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.VisitResolved("gv-2-r", Now, "gv-2"))).StatusCode);
        var left = await client.WaitForAlertAsync(a => a.Id == raised.Id && Count(a) == 2);
        Assert.Equal((AlertStates.Acknowledged, "gv-1 gv-3"), (left.State, Visits(left)));
        app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.VisitResolved("gv-1-r", Now, "gv-1"), Ev.VisitCancelled("gv-3-x", Now, "gv-3"))).StatusCode);
        var cleared = await client.WaitForAlertAsync(a => a.Id == raised.Id && a.State == AlertStates.Cleared);
        Assert.Equal(Now, cleared.ClearedAt);

        var listed = Assert.Single((await AlertsAsync(http, "queue=gv")).EnumerateArray());
        Assert.Equal(raised.Id, listed.GetProperty("id").GetInt64());
        var history = (await http.GetFromJsonAsync<JsonElement>($"/api/alerts/{raised.Id}")).GetProperty("history").EnumerateArray()
            .Select(h => $"{h.GetProperty("action").GetString()} {h.GetProperty("note").GetString()}".Trim()).ToArray();
        Assert.Equal(["raised", "joined gv-1", "acknowledged crews told", "joined gv-2", "joined gv-3", "left gv-2", "left gv-1", "left gv-3", "cleared"], history);
    }

    [Fact]
    public async Task Visits_with_no_call_are_late_past_24_hours_and_overdue_past_48_under_no_queue_and_their_resolution_clears_both()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        await client.JoinCenterAsync();
        var created = Now.AddHours(-24).AddMilliseconds(2);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.VisitCreated("av-1", created, "av-v1", region: "ural"))).StatusCode);
        await app.LiveCaughtUpAsync();

        app.Time.Advance(TimeSpan.FromMilliseconds(2)); // exactly 24 h: on time
        await Task.Delay(300);
        Assert.DoesNotContain(client.DrainAlerts(), a => a.Subject == AlertSubjects.NoQueue);

        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var late = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.VisitLate && a.Subject == AlertSubjects.NoQueue);
        Assert.Equal(("~", null, AlertSeverity.Warning, "av-v1"), (late.Subject, late.Queue, late.Severity, Visits(late)));

        app.Time.Advance(TimeSpan.FromHours(24));
        var overdue = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.VisitOverdue && a.Subject == AlertSubjects.NoQueue);
        Assert.Equal((null, AlertSeverity.Breach, "av-v1", 48.0), (overdue.Queue, overdue.Severity, Visits(overdue), overdue.Details.GetProperty("target").GetDouble()));

        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.VisitResolved("av-2", Now, "av-v1"))).StatusCode);
        var clears = new[]
        {
            await client.WaitForAlertAsync(a => a.Subject == AlertSubjects.NoQueue && a.State == AlertStates.Cleared),
            await client.WaitForAlertAsync(a => a.Subject == AlertSubjects.NoQueue && a.State == AlertStates.Cleared),
        };
        Assert.Equal([late.Id, overdue.Id], clears.Select(a => a.Id).Order().ToArray());
    }

    [Fact]
    public async Task History_loaded_past_the_lateness_joins_no_alert_for_deadlines_it_passed_back_then()
    {
        using var http = app.Client(await app.KeyAsync("import"));
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        await client.JoinCenterAsync();
        var now = app.Time.GetUtcNow();
        // Never resolved as far as the history tells, 30 days ago; and one created 30 hours ago, late now.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. VisitOfQueue("hv-old", now.AddDays(-30), "hv"), .. VisitOfQueue("hv-new", now.AddHours(-30), "hv")])).StatusCode);
        await app.LiveCaughtUpAsync();

        var raised = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.VisitLate && a.Subject == "hv");
        Assert.Equal("hv-new", Visits(raised));
        // The same pass that raised it saw the old one; a later pass adds nothing either.
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(300);
        Assert.DoesNotContain(client.DrainAlerts(), a => a.Subject == "hv");
        using var reader = app.Client();
        var listed = Assert.Single((await AlertsAsync(reader, "queue=hv")).EnumerateArray());
        Assert.Equal(["hv-new"], listed.GetProperty("details").GetProperty("visits").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Service_level_and_abandonment_alert_once_the_queue_sets_their_targets_and_clear_when_they_go()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        await client.JoinQueuesAsync("asl");
        // The last hour: 7 answered within 30 s, 3 after 45 s, 2 abandoned after 20 s. Service level 7/12, abandonment 2/12.
        var events = new List<JsonNode>();
        for (var i = 0; i < 12; i++)
        {
            var at = Now.AddMinutes(-40 + i);
            events.Add(Ev.Queued($"asl-q{i}", at, $"asl-c{i}", "asl"));
            events.Add(i < 10 ? Ev.Answered($"asl-a{i}", at.AddSeconds(i < 7 ? 10 : 45), $"asl-c{i}", "ag-asl")
                : Ev.Abandoned($"asl-x{i}", at.AddSeconds(20), $"asl-c{i}"));
        }
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);
        await app.LiveCaughtUpAsync();
        await client.WaitForAsync("QueueUpdated", s => s.Queue == "asl" && s.Windows.M60.Answered == 10 && s.Windows.M60.Abandoned == 2);

        // No target by default: shown, not judged.
        await Task.Delay(300);
        Assert.DoesNotContain(client.DrainAlerts(), a => a.Subject == "asl");

        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/targets/asl", new { serviceLevel = 0.8, abandonment = 0.1 })).StatusCode);
        var level = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.QueueServiceLevel && a.Subject == "asl");
        var abandonment = await client.WaitForAlertAsync(a => a.Kind == AlertKinds.QueueAbandonment && a.Subject == "asl");
        Assert.Equal((AlertSeverity.Breach, AlertSeverity.Warning), (level.Severity, abandonment.Severity));
        Assert.Equal(7.0 / 12, level.Details.GetProperty("value").GetDouble(), 9);
        Assert.Equal((0.8, 12), (level.Details.GetProperty("target").GetDouble(), level.Details.GetProperty("samples").GetInt32()));
        Assert.Equal(2.0 / 12, abandonment.Details.GetProperty("value").GetDouble(), 9);
        Assert.Equal(0.1, abandonment.Details.GetProperty("target").GetDouble());
        Assert.Equal(("breach", "breach"), await StatesAsync());
        var open = await AlertsAsync(http, "queue=asl&state=open");
        Assert.Equal([AlertKinds.QueueAbandonment, AlertKinds.QueueServiceLevel],
            open.EnumerateArray().Select(a => a.GetProperty("kind").GetString()!).Order(StringComparer.Ordinal));

        // A limit the queue meets clears its alert; the targets taken away clear the other.
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/targets/asl", new { serviceLevel = 0.8, abandonment = 0.2 })).StatusCode);
        await client.WaitForAlertAsync(a => a.Id == abandonment.Id && a.State == AlertStates.Cleared);
        Assert.Equal(("breach", "warning"), await StatesAsync()); // 16.7 % is within a fifth of the 20 % limit
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/api/targets/asl")).StatusCode);
        await client.WaitForAlertAsync(a => a.Id == level.Id && a.State == AlertStates.Cleared);
        Assert.Equal(0, (await AlertsAsync(http, "queue=asl&state=open")).GetArrayLength());
        Assert.Equal(("none", "none"), await StatesAsync());

        async Task<(string, string)> StatesAsync()
        {
            var states = (await http.GetFromJsonAsync<JsonElement>("/api/queues/asl")).GetProperty("snapshot")
                .GetProperty("windows").GetProperty("m60").GetProperty("states");
            return (states.GetProperty("serviceLevel").GetString()!, states.GetProperty("abandonmentRate").GetString()!);
        }
    }

    [Fact]
    public async Task An_acknowledgement_is_pushed_to_every_console()
    {
        using var http = app.Client();
        await using var console = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        await console.JoinCenterAsync();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("ak-1", Now.AddMinutes(-2), "ak-c1", "ak"))).StatusCode);
        var raised = await console.WaitForAlertAsync(a => a.Kind == AlertKinds.QueueWait && a.Subject == "ak");

        using var supervisor = app.Client(await app.KeyAsync("supervisor"));
        Assert.Equal(HttpStatusCode.OK, (await supervisor.PostAsJsonAsync($"/api/alerts/{raised.Id}/ack", new { note = "two more on the phones" })).StatusCode);
        var acked = await console.WaitForAlertAsync(a => a.Id == raised.Id && a.State == AlertStates.Acknowledged);
        Assert.Equal("two more on the phones", acked.AckNote);
    }
}
