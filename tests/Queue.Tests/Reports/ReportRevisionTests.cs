using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Reports;

/// <summary>
/// A weekly report is never silently different from /api/metrics over its week: an outcome told later, or history
/// loaded with an import key, makes a new version that says what changed, and the versions before stay on record.
/// </summary>
public sealed class ReportRevisionTests(QueueApp app) : IClassFixture<QueueApp>
{
    // The fake clock starts on Monday 2026-11-23 10:00 in the center (week 48): week 47 is over, within the lateness.
    static readonly TimeSpan Center = TimeSpan.FromHours(5);

    static DateTimeOffset Local(int year, int month, int day, int hour) => new(year, month, day, hour, 0, 0, Center);

    [Fact]
    public async Task An_outcome_told_this_week_of_a_call_of_last_week_revises_that_week_and_the_sent_version_stays_on_record()
    {
        using var http = app.Client();
        var at = Local(2026, 11, 18, 10);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("rv-1", at, "rv-c1", "rv"), Ev.Answered("rv-2", at.AddSeconds(10), "rv-c1", "ag"), Ev.Completed("rv-3", at.AddMinutes(3), "rv-c1", null),
            Ev.Queued("rv-4", at, "rv-c2", "rv"), Ev.Answered("rv-5", at.AddSeconds(10), "rv-c2", "ag"), Ev.Completed("rv-6", at.AddMinutes(3), "rv-c2", "escalated"))).StatusCode);

        var first = await WeekAsync(http, "2026-W47");
        Assert.Equal(1, first.GetProperty("version").GetInt32());
        Assert.Equal(1, Center47(first).GetProperty("resolutionUnknown").GetInt64());
        Assert.Equal(0.0, Center47(first).GetProperty("remoteResolution").GetDouble());

        // The CRM tells rv-c1's outcome this week (at is now): the completion it belongs to is last week's.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Resolution("rv-7", QueueApp.Start, "rv-c1", "resolved"))).StatusCode);
        var second = await WeekAsync(http, "2026-W47");
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.Equal(0, Center47(second).GetProperty("resolutionUnknown").GetInt64());
        Assert.Equal(0.5, Center47(second).GetProperty("remoteResolution").GetDouble());
        var changes = second.GetProperty("revision").GetProperty("changes").EnumerateArray().ToDictionary(
            c => c.GetProperty("figure").GetString()!, c => (c.GetProperty("before").GetString(), c.GetProperty("after").GetString()));
        Assert.Equal(("0", "0.5"), changes["center.week.remoteResolution"]);
        Assert.Equal(("1", "0"), changes["queue rv.week.resolutionUnknown"]);
        Assert.Contains("Revised: version 2", await http.GetStringAsync("/api/reports/weekly/2026-W47.html"), StringComparison.Ordinal);

        // Version 1 as it was, and a read with nothing new changes nothing.
        Assert.Equal(1, Center47(await WeekAsync(http, "2026-W47?version=1")).GetProperty("resolutionUnknown").GetInt64());
        Assert.Equal(2, (await WeekAsync(http, "2026-W47")).GetProperty("version").GetInt32());
        Assert.Equal(2L, await app.CountAsync("weekly_report_versions where week = '2026-W47'"));

        // The week after the one changed shows it as its week before: week 48 is under way, so nothing is kept for it.
        Assert.Equal(0L, await app.CountAsync("weekly_report_versions where week = '2026-W48'"));
    }

    [Fact]
    public async Task History_loaded_into_a_past_week_revises_its_report_and_a_week_past_its_lateness_is_final()
    {
        using var http = app.Client();
        using var import = app.Client(await app.KeyAsync("import"));
        var at = Local(2026, 1, 7, 12); // a Wednesday of 2026-W02, past its lateness
        Assert.Equal(HttpStatusCode.OK, (await import.PostEventsAsync(
            Ev.Queued("hv-1", at, "hv-c1", "hv"), Ev.Answered("hv-2", at.AddSeconds(40), "hv-c1", "ag"))).StatusCode);
        var first = await WeekAsync(http, "2026-W02");
        Assert.False(first.GetProperty("provisional").GetBoolean());
        Assert.Equal(1, first.GetProperty("center").GetProperty("week").GetProperty("answered").GetInt64());

        // More of that week's history: a new version; the week after it (2026-W03) shows it as its week before.
        var w11 = await WeekAsync(http, "2026-W03");
        Assert.Equal(HttpStatusCode.OK, (await import.PostEventsAsync(
            Ev.Queued("hv-3", at.AddHours(1), "hv-c2", "hv"), Ev.Answered("hv-4", at.AddHours(1).AddSeconds(20), "hv-c2", "ag"))).StatusCode);
        var second = await WeekAsync(http, "2026-W02");
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.Equal(2, second.GetProperty("center").GetProperty("week").GetProperty("answered").GetInt64());
        Assert.Equal(30, second.GetProperty("center").GetProperty("week").GetProperty("asaSeconds").GetDouble(), 6);
        Assert.Equal(1, w11.GetProperty("center").GetProperty("previousWeek").GetProperty("answered").GetInt64());
        var w11Again = await WeekAsync(http, "2026-W03");
        Assert.Equal(2, w11Again.GetProperty("version").GetInt32());
        Assert.Equal(2, w11Again.GetProperty("center").GetProperty("previousWeek").GetProperty("answered").GetInt64());
    }

    static JsonElement Center47(JsonElement report) => report.GetProperty("center").GetProperty("week");

    static async Task<JsonElement> WeekAsync(HttpClient http, string week)
    {
        var query = week.Split('?');
        var response = await http.GetAsync($"/api/reports/weekly/{query[0]}.json{(query.Length > 1 ? "?" + query[1] : "")}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
