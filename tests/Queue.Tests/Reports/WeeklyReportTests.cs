using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Reports;

/// <summary>
/// The weekly report over HTTP: an ISO week in center time, per queue and for the center, each figure equal to
/// /api/metrics over the same window; kept as made once the week is over; as JSON, CSV and HTML.
/// </summary>
public sealed class WeeklyReportTests(QueueApp app) : IClassFixture<QueueApp>
{
    // The fake clock starts on Monday 2026-11-23 10:00 in the center (week 48): week 47 is over, and within the lateness.
    static readonly TimeSpan Center = TimeSpan.FromHours(5);
    static DateTimeOffset Local(int day, int hour, int minute = 0, int second = 0) => new(2026, 11, day, hour, minute, second, Center);

    static readonly string[] Fields =
        ["answered", "abandoned", "shortAbandoned", "asaSeconds", "serviceLevel", "abandonmentRate", "completed", "resolvedRemotely",
         "remoteResolution", "due24", "resolvedBy24", "visit24", "overdue48"];

    int calls;

    JsonNode[] Call(string queue, DateTimeOffset at, int waitSeconds, bool answered = true, string? resolution = null, string? visit = null)
    {
        var id = $"rw-{calls++}";
        var events = new List<JsonNode>
        {
            Ev.Queued(id + "-q", at, id, queue),
            answered ? Ev.Answered(id + "-a", at.AddSeconds(waitSeconds), id, "ag-rw") : Ev.Abandoned(id + "-x", at.AddSeconds(waitSeconds), id),
        };
        if (resolution is not null) events.Add(Ev.Completed(id + "-c", at.AddSeconds(waitSeconds + 200), id, resolution, visit));
        return [.. events];
    }

    async Task SameAsMetricsAsync(HttpClient http, JsonElement figures, DateTimeOffset from, DateTimeOffset to, string? queue, string what)
    {
        var url = $"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}" + (queue is null ? "" : $"&queue={queue}");
        var metrics = await http.GetFromJsonAsync<JsonElement>(url);
        foreach (var field in Fields)
        {
            var expected = metrics.GetProperty(field);
            var actual = figures.GetProperty(field);
            if (expected.ValueKind == JsonValueKind.Number && actual.ValueKind == JsonValueKind.Number)
                Assert.True(Math.Abs(expected.GetDouble() - actual.GetDouble()) < 1e-6, $"{what} {field}: metrics {expected}, report {actual}");
            else
                Assert.True(expected.ToString() == actual.ToString(), $"{what} {field}: metrics {expected}, report {actual}");
        }
        Assert.Equal(metrics.GetProperty("answered").GetInt64() + metrics.GetProperty("abandoned").GetInt64() + metrics.GetProperty("shortAbandoned").GetInt64(),
            figures.GetProperty("offered").GetInt64());
    }

    [Fact]
    public async Task A_week_over_has_the_figures_of_metrics_per_queue_and_day_and_a_late_event_makes_a_version_that_says_what_changed()
    {
        using var http = app.Client();
        var events = new List<JsonNode>();
        // Tuesday to Sunday of week 47 in two queues, waits either side of 30 s, a short abandon, completions of each kind.
        for (var day = 17; day <= 22; day++)
        {
            events.AddRange(Call("rw-a", Local(day, 9), 12, resolution: "resolved"));
            events.AddRange(Call("rw-a", Local(day, 11), 45, resolution: day % 2 == 0 ? "field_visit" : "resolved"));
            events.AddRange(Call("rw-b", Local(day, 14), 31, resolution: "unresolved"));
            events.AddRange(Call("rw-b", Local(day, 15), day == 18 ? 3 : 20, answered: false));
        }
        // The week's edges in the center's time, sent with another offset: Sunday 23:59:59 is in it, Monday 00:00 is not.
        events.Add(Ev.Queued("rw-edge1-q", Local(22, 23, 59, 0), "rw-edge1", "rw-b"));
        events.Add(JsonNode.Parse("""{"id":"rw-edge1-a","type":"call.answered","at":"2026-11-22T18:59:59Z","callId":"rw-edge1","agentId":"ag-rw"}""")!);
        events.Add(Ev.Queued("rw-edge2-q", Local(22, 23, 59, 30), "rw-edge2", "rw-b"));
        events.Add(JsonNode.Parse("""{"id":"rw-edge2-a","type":"call.answered","at":"2026-11-22T19:00:00Z","callId":"rw-edge2","agentId":"ag-rw"}""")!);
        // Visits: one resolved in time, one late but within 48 h, one never resolved (a 48 h breach in the week), one cancelled.
        events.Add(Ev.VisitCreated("rw-v1-c", Local(16, 12), "rw-v1", region: "ural"));
        events.Add(Ev.VisitResolved("rw-v1-r", Local(17, 10), "rw-v1"));
        events.Add(Ev.VisitCreated("rw-v2-c", Local(17, 8), "rw-v2", region: "ural"));
        events.Add(Ev.VisitResolved("rw-v2-r", Local(18, 20), "rw-v2"));
        events.Add(Ev.VisitCreated("rw-v3-c", Local(18, 9), "rw-v3", region: "siberia"));
        events.Add(Ev.VisitCreated("rw-v4-c", Local(19, 9), "rw-v4"));
        events.Add(Ev.VisitCancelled("rw-v4-x", Local(19, 12), "rw-v4"));
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);
        // A queue with thresholds of its own: its 31 s answers are in time, its 3 s abandon still short.
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/targets/rw-b", new { serviceLevelThresholdSeconds = 32, shortAbandonSeconds = 4 })).StatusCode);

        var report = await http.GetFromJsonAsync<JsonElement>("/api/reports/weekly/2026-W47.json");
        Assert.Equal("2026-W47", report.GetProperty("week").GetString());
        Assert.False(report.GetProperty("partial").GetBoolean());
        Assert.Equal(Local(16, 0), report.GetProperty("from").GetDateTimeOffset());
        Assert.Equal(Local(23, 0), report.GetProperty("to").GetDateTimeOffset());

        var center = report.GetProperty("center");
        await SameAsMetricsAsync(http, center.GetProperty("week"), Local(16, 0), Local(23, 0), null, "center week");
        await SameAsMetricsAsync(http, center.GetProperty("previousWeek"), Local(9, 0), Local(16, 0), null, "center previous week");
        var queues = report.GetProperty("queues").EnumerateArray().ToList();
        Assert.Equal(["rw-a", "rw-b"], queues.Select(q => q.GetProperty("queue").GetString()));
        foreach (var q in queues)
        {
            var name = q.GetProperty("queue").GetString()!;
            await SameAsMetricsAsync(http, q.GetProperty("week"), Local(16, 0), Local(23, 0), name, name);
            var days = q.GetProperty("days").EnumerateArray().ToList();
            Assert.Equal(7, days.Count);
            for (var i = 0; i < 7; i++)
                await SameAsMetricsAsync(http, days[i].GetProperty("figures"), Local(16 + i, 0), Local(17 + i, 0), name, $"{name} day {i}");
        }
        Assert.Equal(0.5, queues[1].GetProperty("days")[1].GetProperty("figures").GetProperty("serviceLevel").GetDouble()); // 31 s in time, 20 s abandon
        var sunday = queues[1].GetProperty("days")[6].GetProperty("figures");
        Assert.Equal(2, sunday.GetProperty("answered").GetInt64()); // 14:00's, and the one answered at 23:59:59 local, sent in UTC
        Assert.Equal(1, center.GetProperty("week").GetProperty("overdue48").GetInt64());
        Assert.False(center.GetProperty("met").GetProperty("visit48").GetBoolean());
        var breach = Assert.Single(report.GetProperty("breaches48").EnumerateArray());
        Assert.Equal("rw-v3", breach.GetProperty("visitId").GetString());
        Assert.Equal("siberia", breach.GetProperty("region").GetString());
        Assert.Equal(Local(20, 9), breach.GetProperty("deadline").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, breach.GetProperty("resolvedAt").ValueKind);

        // A week within its lateness is provisional, and says until when.
        Assert.True(report.GetProperty("provisional").GetBoolean());
        Assert.Equal(Local(30, 0), report.GetProperty("finalFrom").GetDateTimeOffset());
        Assert.Equal(1, report.GetProperty("version").GetInt32());

        // A late event for that week makes a new version, which says what changed; the version as made stays on record.
        var before = await http.GetStringAsync("/api/reports/weekly/2026-W47.json");
        Assert.Equal(before, await http.GetStringAsync("/api/reports/weekly/2026-W47.json")); // nothing new: the same document
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Call("rw-a", Local(20, 10), 100))).StatusCode);
        var revised = await http.GetFromJsonAsync<JsonElement>("/api/reports/weekly/2026-W47");
        Assert.Equal(2, revised.GetProperty("version").GetInt32());
        var revision = revised.GetProperty("revision");
        Assert.Equal(1, revision.GetProperty("revises").GetInt32());
        Assert.Contains(revision.GetProperty("changes").EnumerateArray(),
            c => c.GetProperty("figure").GetString() == "queue rw-a.week.answered"
                && c.GetProperty("after").GetString() == (queues[0].GetProperty("week").GetProperty("answered").GetInt64() + 1).ToString(CultureInfo.InvariantCulture));
        await SameAsMetricsAsync(http, revised.GetProperty("center").GetProperty("week"), Local(16, 0), Local(23, 0), null, "center, revised");
        Assert.Equal(before, await http.GetStringAsync("/api/reports/weekly/2026-W47.json?version=1"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/reports/weekly/2026-W47.json?version=3")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/reports/weekly/2026-W47.json?version=0")).StatusCode);

        // The CSV carries the same figures, a row per section and period.
        var csv = (await http.GetStringAsync("/api/reports/weekly/2026-W47.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.TrimEnd('\r').Split(',')).ToList();
        Assert.Equal("section", csv[0][0]);
        Assert.Equal(1 + 3 * 9, csv.Count(r => r[0] != "region")); // then a row per region
        var header = csv[0].ToList();
        var week = csv.Single(r => r[0] == "rw-b" && r[1] == "week");
        var json = queues[1].GetProperty("week");
        Assert.Equal(json.GetProperty("answered").GetInt64().ToString(CultureInfo.InvariantCulture), week[header.IndexOf("answered")]);
        Assert.Equal(json.GetProperty("asaSeconds").GetDouble(), double.Parse(week[header.IndexOf("asa_seconds")], CultureInfo.InvariantCulture));
        Assert.Equal(json.GetProperty("serviceLevel").GetDouble(), double.Parse(week[header.IndexOf("service_level")], CultureInfo.InvariantCulture));
        Assert.Equal(queues[1].GetProperty("met").GetProperty("wait").GetBoolean() ? "met" : "missed", week[header.IndexOf("wait_met")]);

        var html = await http.GetAsync("/api/reports/weekly/2026-W47.html");
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        var page = await html.Content.ReadAsStringAsync();
        Assert.Contains("Weekly SLA report · 2026-W47", page, StringComparison.Ordinal);
        Assert.Contains("rw-v3", page, StringComparison.Ordinal);
        Assert.Contains("still open", page, StringComparison.Ordinal);
        Assert.Contains("✘ missed", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_week_under_way_is_partial_an_empty_week_is_zeros_and_dashes_and_a_week_to_come_is_a_400()
    {
        using var http = app.Client(await app.KeyAsync("wallboard"));
        var current = await http.GetFromJsonAsync<JsonElement>("/api/reports/weekly/2026-W48");
        Assert.True(current.GetProperty("partial").GetBoolean());

        var empty = await http.GetFromJsonAsync<JsonElement>("/api/reports/weekly/2026-W10.json");
        var figures = empty.GetProperty("center").GetProperty("week");
        Assert.Equal(0, figures.GetProperty("offered").GetInt64());
        Assert.Equal(JsonValueKind.Null, figures.GetProperty("asaSeconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("center").GetProperty("met").GetProperty("wait").ValueKind);
        Assert.Empty(empty.GetProperty("queues").EnumerateArray());
        var page = await http.GetStringAsync("/api/reports/weekly/2026-W10.html");
        Assert.Contains("—", page, StringComparison.Ordinal);
        Assert.Contains("No calls this week.", page, StringComparison.Ordinal);

        foreach (var name in (string[])["2026-W49", "2026-W54", "2026-48", "2026-W48.pdf", "1999-W01"])
        {
            var response = await http.GetAsync($"/api/reports/weekly/{name}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("week", out _), name);
        }
        using var ingest = app.Client(await app.KeyAsync("ingest"));
        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.GetAsync("/api/reports/weekly/2026-W47")).StatusCode);
    }
}
