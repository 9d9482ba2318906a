using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Queue.Alerts;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Alerts;

/// <summary>SPEC §4: one open alert per (kind, subject), acknowledged with a note, kept with its history, listed by filters.</summary>
public sealed class AlertsApiTests(QueueApp app) : IClassFixture<QueueApp>
{
    AlertStore Store => app.Factory.Services.GetRequiredService<AlertStore>();
    DateTimeOffset Now => app.Time.GetUtcNow();

    Task<Alert?> RaiseAsync(string kind, string subject, string? queue, DateTimeOffset at) =>
        Store.RaiseAsync(kind, subject, queue, at, new { value = 42.0, target = 30.0 }, "node-test", CancellationToken.None);

    [Fact]
    public async Task Nodes_raising_the_same_alert_at_once_open_it_once_and_after_it_clears_it_can_open_again()
    {
        var raised = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RaiseAsync(AlertKinds.QueueAsa, "race", "race", Now)));
        var alert = Assert.Single(raised, a => a is not null)!;
        Assert.Equal(AlertSeverity.Breach, alert.Severity);
        Assert.Equal(42.0, alert.Details.GetProperty("value").GetDouble());

        var cleared = await Store.ClearAsync(AlertKinds.QueueAsa, "race", Now.AddMinutes(5), "node-test", CancellationToken.None);
        Assert.Equal(alert.Id, cleared!.Id);
        Assert.Null(await Store.ClearAsync(AlertKinds.QueueAsa, "race", Now.AddMinutes(6), "node-test", CancellationToken.None));

        var again = await RaiseAsync(AlertKinds.QueueAsa, "race", "race", Now.AddMinutes(10));
        Assert.NotNull(again);
        Assert.NotEqual(alert.Id, again.Id);

        using var http = app.Client(await app.KeyAsync("wallboard"));
        var detail = await http.GetFromJsonAsync<JsonElement>($"/api/alerts/{alert.Id}");
        Assert.Equal(["raised", "cleared"], detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()).ToArray());
        Assert.Equal("cleared", detail.GetProperty("alert").GetProperty("state").GetString());
    }

    [Fact]
    public async Task PostgreSQL_itself_refuses_a_second_open_alert_of_one_kind_and_subject()
    {
        await RaiseAsync(AlertKinds.QueueWait, "unique", "unique", Now);
        await using var insert = app.Db.CreateCommand(
            "insert into alerts (kind, subject, severity, state, raised_at) values ('queue.wait', 'unique', 'warning', 'acknowledged', now())");
        var refused = await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
    }

    [Fact]
    public async Task A_supervisor_acknowledges_with_a_note_once_and_the_history_says_who_and_when()
    {
        // A queue that has no live state: no node judges it meanwhile.
        var alert = (await RaiseAsync(AlertKinds.QueueRemote, "ack", "ack", Now.AddMinutes(-3)))!;
        using var supervisor = app.Client(await app.KeyAsync("supervisor"));

        var noNote = await supervisor.PostAsJsonAsync($"/api/alerts/{alert.Id}/ack", new { note = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, noNote.StatusCode);
        Assert.Contains("note", (await noNote.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        Assert.Equal(HttpStatusCode.BadRequest, (await supervisor.PostAsync($"/api/alerts/{alert.Id}/ack", JsonContent.Create(new { note = "x", extra = 1 }))).StatusCode);

        var acked = await supervisor.PostAsJsonAsync($"/api/alerts/{alert.Id}/ack", new { note = "technician rebooked for 14:00" });
        Assert.Equal(HttpStatusCode.OK, acked.StatusCode);
        var body = await acked.JsonAsync();
        Assert.Equal("acknowledged", body.GetProperty("state").GetString());
        Assert.Equal("test supervisor", body.GetProperty("acknowledgedBy").GetString());

        var twice = await supervisor.PostAsJsonAsync($"/api/alerts/{alert.Id}/ack", new { note = "again" });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal("urn:queue:problem:alert-not-open", (await twice.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await supervisor.PostAsJsonAsync("/api/alerts/999999999/ack", new { note = "n" })).StatusCode);

        using var wallboard = app.Client(await app.KeyAsync("wallboard"));
        var other = (await RaiseAsync(AlertKinds.QueueRemote, "ack-2", "ack-2", Now))!;
        Assert.Equal(HttpStatusCode.Forbidden, (await wallboard.PostAsJsonAsync($"/api/alerts/{other.Id}/ack", new { note = "n" })).StatusCode);
        Assert.Equal("open", (await wallboard.GetFromJsonAsync<JsonElement>($"/api/alerts/{other.Id}")).GetProperty("alert").GetProperty("state").GetString());

        var history = (await supervisor.GetFromJsonAsync<JsonElement>($"/api/alerts/{alert.Id}")).GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["raised", "acknowledged"], history.Select(h => h.GetProperty("action").GetString()).ToArray());
        Assert.Equal("technician rebooked for 14:00", history[1].GetProperty("note").GetString());
        Assert.Equal(Now, history[1].GetProperty("at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Alerts_are_listed_by_time_range_kind_queue_and_state_a_page_at_a_time()
    {
        var t0 = Now.AddDays(-2);
        for (var i = 0; i < 7; i++) await RaiseAsync(AlertKinds.QueueRemote, $"list-{i}", "list-a", t0.AddHours(i));
        await RaiseAsync(AlertKinds.QueueWait, "list-w", "list-b", t0.AddHours(3));
        await Store.ClearAsync(AlertKinds.QueueRemote, "list-0", t0.AddMinutes(30), "node-test", CancellationToken.None);
        using var http = app.Client(await app.KeyAsync("wallboard"));

        var seen = new List<string>();
        string? next = $"/api/alerts?queue=list-a&kind=queue.remote&limit=3&from={Uri.EscapeDataString(t0.ToString("O"))}";
        while (next is not null)
        {
            var page = await http.GetFromJsonAsync<JsonElement>(next);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 3);
            seen.AddRange(items.Select(a => a.GetProperty("subject").GetString()!));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"list-{i}"), seen);

        // Active in [t0 + 1 h, t0 + 3 h): list-0 cleared before it, list-3 and later raised at or after its end.
        var range = await http.GetFromJsonAsync<JsonElement>(
            $"/api/alerts?queue=list-a&from={Uri.EscapeDataString(t0.AddHours(1).ToString("O"))}&to={Uri.EscapeDataString(t0.AddHours(3).ToString("O"))}");
        Assert.Equal(["list-2", "list-1"], range.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("subject").GetString()).ToArray());

        var cleared = await http.GetFromJsonAsync<JsonElement>("/api/alerts?queue=list-a&state=cleared");
        Assert.Equal("list-0", Assert.Single(cleared.GetProperty("items").EnumerateArray()).GetProperty("subject").GetString());
    }

    [Fact]
    public async Task The_history_downloads_as_CSV_with_each_alert_s_figure_and_visits_in_columns_of_their_own()
    {
        var t0 = Now.AddDays(-1);
        await RaiseAsync(AlertKinds.QueueAsa, "csv-a", "csv-q", t0);
        await Store.RaiseAsync(AlertKinds.VisitLate, "csv-q", "csv-q", t0.AddMinutes(5),
            new { value = 25.5, target = 24.0, samples = 2, window = "now", visits = new[] { "v-1", "v-2" } }, "node-test", CancellationToken.None);
        await Store.ClearAsync(AlertKinds.QueueAsa, "csv-a", t0.AddMinutes(30), "node-test", CancellationToken.None);
        // Cleared, so that no evaluation changes them between the two reads (no visit of csv-q is really late).
        await Store.ClearAsync(AlertKinds.VisitLate, "csv-q", t0.AddMinutes(40), "node-test", CancellationToken.None);
        using var http = app.Client(await app.KeyAsync("wallboard"));

        Assert.Empty(await CsvCheck.DifferencesAsync(http, "/api/alerts?queue=csv-q&limit=500", "/api/alerts.csv?queue=csv-q",
            j => j.GetProperty("items").EnumerateArray(), "details"));
        var (header, rows) = CsvCheck.Read(await http.GetStringAsync("/api/alerts.csv?queue=csv-q"));
        Assert.Equal(["visit.late", "queue.asa"], rows.Select(r => r[header.IndexOf("kind")]));
        Assert.Equal(["v-1;v-2", ""], rows.Select(r => r[header.IndexOf("visits")]));
        Assert.Equal(["25.5", "42"], rows.Select(r => r[header.IndexOf("value")]));
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/alerts.csv?limit=10001")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/alerts.csv?limit=10000")).StatusCode);
    }

    [Fact]
    public async Task A_bad_filter_is_a_400_naming_each_parameter()
    {
        using var http = app.Client(await app.KeyAsync("wallboard"));
        var response = await http.GetAsync("/api/alerts?from=yesterday&kind=queue.nope&state=closed&limit=0&queue=a%20b&before=-3");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToArray();
        Assert.Equal(["before", "from", "kind", "limit", "queue", "state"], errors);
    }

    [Fact]
    public async Task The_kinds_are_served_to_the_pages_as_the_registry_has_them_less_the_escalation_words()
    {
        using var http = app.Client(await app.KeyAsync("wallboard"));
        var kinds = await http.GetFromJsonAsync<JsonElement>("/api/alerts/kinds");

        Assert.Equal(AlertKinds.All.Select(k => (k.Name, k.Severity, k.Subject, k.Unit, k.Label, k.ListsVisits)),
            kinds.EnumerateArray().Select(k => (S(k, "name"), S(k, "severity"), S(k, "subject"), S(k, "unit"), S(k, "label"), k.GetProperty("listsVisits").GetBoolean())));
        Assert.All(kinds.EnumerateArray(), k => Assert.Equal(6, k.EnumerateObject().Count()));
        Assert.Equal([AlertKinds.VisitLate, AlertKinds.VisitOverdue], kinds.EnumerateArray().Where(k => k.GetProperty("listsVisits").GetBoolean()).Select(k => S(k, "name")));
        static string S(JsonElement e, string name) => e.GetProperty(name).GetString()!;
    }

    [Fact]
    public async Task The_kind_filter_is_documented_with_the_registry_s_kinds()
    {
        using var anonymous = app.Client(key: null);
        using var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"));
        var kind = doc.RootElement.GetProperty("paths").GetProperty("/api/alerts").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "kind");

        Assert.Equal(AlertKinds.Names, kind.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        var description = kind.GetProperty("description").GetString()!;
        Assert.All(AlertKinds.Names, n => Assert.Contains(n, description, StringComparison.Ordinal));
    }
}
