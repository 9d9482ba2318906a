using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Queue.Reports;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Reports;

/// <summary>
/// The weekly report's regions: each region's week in center time, as /api/metrics gives it with the region as a filter,
/// judged by the center's targets, in JSON, HTML, CSV and text; and a report kept from before regions still renders.
/// </summary>
public sealed class ReportRegionsTests(QueueApp app) : IClassFixture<QueueApp>
{
    // The fake clock starts on Monday 2026-11-23 10:00 in the center (week 48): week 47 is over, and within the lateness.
    static readonly TimeSpan Center = TimeSpan.FromHours(5);
    static DateTimeOffset Local(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, Center);
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    static readonly string[] Counted = ["answered", "abandoned", "shortAbandoned", "completed", "resolvedRemotely", "due24", "resolvedBy24", "due48", "overdue48"];
    static readonly string[] Rates = ["asaSeconds", "serviceLevel", "abandonmentRate", "remoteResolution", "visit24"];

    int calls;

    JsonNode[] Call(string queue, string? region, DateTimeOffset at, int wait, bool answered = true, string? resolution = null)
    {
        var id = $"rr-{calls++}";
        var events = new List<JsonNode>
        {
            Ev.Queued(id + "-q", at, id, queue, region: region),
            answered ? Ev.Answered(id + "-a", at.AddSeconds(wait), id, "ag-rr") : Ev.Abandoned(id + "-x", at.AddSeconds(wait), id),
        };
        if (resolution is not null) events.Add(Ev.Completed(id + "-c", at.AddSeconds(wait + 300), id, resolution));
        return [.. events];
    }

    [Fact]
    public async Task Each_region_has_its_week_in_center_time_as_metrics_gives_it_and_a_report_kept_without_regions_still_renders()
    {
        using var http = app.Client();
        var events = new List<JsonNode>();
        events.AddRange(Call("rr-a", "ural", Local(17, 9), 12, resolution: "resolved"));
        events.AddRange(Call("rr-a", "ural", Local(18, 9), 45, resolution: "field_visit"));
        events.AddRange(Call("rr-b", "siberia", Local(18, 10), 20, answered: false));
        events.AddRange(Call("rr-b", "siberia", Local(19, 10), 31, resolution: "resolved"));
        events.AddRange(Call("rr-a", null, Local(20, 10), 10, resolution: "unresolved"));
        // Kamchatka is seven hours ahead of the center: its Monday 06:29 is the center's Sunday 23:29, in week 47;
        // its Monday 07:30 is the center's Monday 00:30, in week 48.
        events.Add(JsonNode.Parse("""{"id":"rr-k1-q","type":"call.queued","at":"2026-11-23T06:29:00+12:00","callId":"rr-k1","queue":"rr-b","region":"kamchatka"}""")!);
        events.Add(JsonNode.Parse("""{"id":"rr-k1-a","type":"call.answered","at":"2026-11-23T06:29:30+12:00","callId":"rr-k1","agentId":"ag-rr"}""")!);
        events.Add(JsonNode.Parse("""{"id":"rr-k2-q","type":"call.queued","at":"2026-11-23T07:30:00+12:00","callId":"rr-k2","queue":"rr-b","region":"kamchatka"}""")!);
        events.Add(JsonNode.Parse("""{"id":"rr-k2-a","type":"call.answered","at":"2026-11-23T07:30:05+12:00","callId":"rr-k2","agentId":"ag-rr"}""")!);
        // Visits by their own region: one in time, one never resolved (a 48 h breach), one with no region.
        events.Add(Ev.VisitCreated("rr-v1-c", Local(17, 9), "rr-v1", region: "ural"));
        events.Add(Ev.VisitResolved("rr-v1-r", Local(18, 8), "rr-v1"));
        events.Add(Ev.VisitCreated("rr-v2-c", Local(17, 12), "rr-v2", region: "siberia"));
        events.Add(Ev.VisitCreated("rr-v3-c", Local(18, 12), "rr-v3"));
        await http.PostEventsRetryingAsync([.. events]);

        var report = await http.GetFromJsonAsync<JsonElement>("/api/reports/weekly/2026-W47.json");
        var regions = report.GetProperty("regions").EnumerateArray().ToList();
        Assert.Equal(["kamchatka", "siberia", "ural", null], regions.Select(r => r.GetProperty("region").GetString()));
        var window = $"from={Uri.EscapeDataString(Ev.At(Local(16, 0)))}&to={Uri.EscapeDataString(Ev.At(Local(23, 0)))}";
        foreach (var region in regions.Where(r => r.GetProperty("region").GetString() is not null))
        {
            var name = region.GetProperty("region").GetString();
            var metrics = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?region={name}&{window}");
            var week = region.GetProperty("week");
            foreach (var field in Counted.Concat(Rates))
                Assert.True(Same(metrics.GetProperty(field), week.GetProperty(field)), $"{name} {field}: metrics {metrics.GetProperty(field)}, report {week.GetProperty(field)}");
        }
        Assert.Equal(1, regions[0].GetProperty("week").GetProperty("answered").GetInt64()); // Sunday 23:29 in the center, not Monday 00:30
        Assert.True(regions[2].GetProperty("met").GetProperty("wait").GetBoolean());         // ural: (12 + 45) / 2 s against the center's 30 s
        Assert.False(regions[1].GetProperty("met").GetProperty("wait").GetBoolean());        // siberia: 31 s
        Assert.False(regions[1].GetProperty("met").GetProperty("visit48").GetBoolean());
        // The row of calls and visits with no region holds what the others leave of the center.
        var center = report.GetProperty("center").GetProperty("week");
        foreach (var field in Counted)
            Assert.Equal(center.GetProperty(field).GetInt64(), regions.Sum(r => r.GetProperty("week").GetProperty(field).GetInt64()));
        Assert.Equal(1, regions[3].GetProperty("week").GetProperty("answered").GetInt64());
        Assert.Equal(1, regions[3].GetProperty("week").GetProperty("due24").GetInt64());

        var html = await http.GetStringAsync("/api/reports/weekly/2026-W47.html");
        Assert.Contains(">Regions</h2>", html, StringComparison.Ordinal);
        Assert.Contains("The week in center time (Asia/Yekaterinburg)", html, StringComparison.Ordinal);
        Assert.Contains(">kamchatka</td>", html, StringComparison.Ordinal);
        Assert.Contains(">unknown</td>", html, StringComparison.Ordinal);
        var csv = Csv(await http.GetStringAsync("/api/reports/weekly/2026-W47.csv"));
        var header = csv[0];
        var regionColumn = Array.IndexOf(header, "region");
        Assert.Equal(23, regionColumn); // the columns before it where they always were; those added since come after it
        Assert.Equal("section", header[0]);
        Assert.Equal("resolution_unknown", header[regionColumn + 1]);
        var regionRows = csv.Where(r => r[0] == "region").ToList();
        Assert.Equal(["kamchatka", "siberia", "ural", ""], regionRows.Select(r => r[regionColumn]));
        Assert.Equal("1", regionRows[0][Array.IndexOf(header, "answered")]);
        Assert.Equal("missed", regionRows[1][Array.IndexOf(header, "wait_met")]);
        Assert.All(csv.Where(r => r[0] != "region").Skip(1), r => Assert.Equal("", r[regionColumn]));
        var text = ReportText.Write(JsonSerializer.Deserialize<WeeklyReport>(await http.GetStringAsync("/api/reports/weekly/2026-W47.json"), Json)!);
        Assert.Contains("Regions (the week in center time, Asia/Yekaterinburg; center targets)", text, StringComparison.Ordinal);
        Assert.Contains("  siberia: offered 2, answered 1, ASA 31.0 s (MISSED)", text, StringComparison.Ordinal);

        // A report kept before regions were reported: read as it was kept, it renders in every format without them.
        await using (var strip = app.Db.CreateCommand("update weekly_reports set report = report - 'regions' where week = '2026-W47'"))
            Assert.Equal(1, await strip.ExecuteNonQueryAsync());
        var old = await http.GetAsync("/api/reports/weekly/2026-W47.json");
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        var kept = JsonSerializer.Deserialize<WeeklyReport>(await old.Content.ReadAsStringAsync(), Json)!;
        Assert.Null(kept.Regions);
        Assert.Equal(center.GetProperty("answered").GetInt64(), kept.Center.Week.Answered);
        var oldHtml = await http.GetStringAsync("/api/reports/weekly/2026-W47.html");
        Assert.Contains("Weekly SLA report · 2026-W47", oldHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(">Regions</h2>", oldHtml, StringComparison.Ordinal);
        var oldCsv = Csv(await http.GetStringAsync("/api/reports/weekly/2026-W47.csv"));
        Assert.DoesNotContain(oldCsv, r => r[0] == "region");
        Assert.Equal(csv.Count - regionRows.Count, oldCsv.Count);
        Assert.DoesNotContain("Regions", ReportText.Write(kept), StringComparison.Ordinal);
    }

    static List<string[]> Csv(string text) =>
        [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split(','))];

    static bool Same(JsonElement a, JsonElement b) =>
        a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number
            ? Math.Abs(a.GetDouble() - b.GetDouble()) < 1e-6
            : a.ToString() == b.ToString();
}
