using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Figures;

/// <summary>A day quarter hour by quarter hour in center time: each quarter's figures are /api/metrics over that quarter.</summary>
public sealed class TrendTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task Every_quarter_since_local_midnight_has_the_figures_of_metrics_over_it()
    {
        using var http = app.Client();
        // Now is 10:00 in the center: 40 quarters since midnight. Calls in the 08:00 and 08:15 quarters, one at 23:50 the
        // day before (not today's), one waiting since 09:59.
        var q8 = Now.AddHours(-2);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("tr-1", q8.AddMinutes(1), "tr-c1", "tr"), Ev.Answered("tr-2", q8.AddMinutes(1).AddSeconds(10), "tr-c1", "ag"),
            Ev.Queued("tr-3", q8.AddMinutes(2), "tr-c2", "tr"), Ev.Answered("tr-4", q8.AddMinutes(2).AddSeconds(40), "tr-c2", "ag"),
            Ev.Queued("tr-5", q8.AddMinutes(3), "tr-c3", "tr"), Ev.Abandoned("tr-6", q8.AddMinutes(3).AddSeconds(8), "tr-c3"),
            Ev.Queued("tr-7", q8.AddMinutes(14).AddSeconds(50), "tr-c4", "tr"), Ev.Answered("tr-8", q8.AddMinutes(15).AddSeconds(10), "tr-c4", "ag"),
            Ev.Queued("tr-9", Now.AddHours(-10).AddMinutes(-10), "tr-c5", "tr"), Ev.Answered("tr-10", Now.AddHours(-10).AddMinutes(-9), "tr-c5", "ag"),
            Ev.Queued("tr-11", Now.AddMinutes(-1), "tr-c6", "other"))).StatusCode);

        var trend = await http.GetFromJsonAsync<JsonElement>("/api/queues/tr/trend");
        Assert.Equal("Asia/Yekaterinburg", trend.GetProperty("timeZone").GetString());
        Assert.Equal("2026-11-23", trend.GetProperty("day").GetString());
        var buckets = trend.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(40, buckets.Count);
        Assert.Equal("2026-11-23T00:00:00+05:00", buckets[0].GetProperty("from").GetString());
        Assert.Equal("2026-11-23T10:00:00+05:00", buckets[^1].GetProperty("to").GetString());

        var at8 = buckets[32];
        Assert.Equal("2026-11-23T08:00:00+05:00", at8.GetProperty("from").GetString());
        Assert.Equal(3, at8.GetProperty("offered").GetInt64()); // answered or abandoned in it (the 08:14:50 call was answered at 08:15:10)
        Assert.Equal(2, at8.GetProperty("answered").GetInt64());
        Assert.Equal(1, at8.GetProperty("abandoned").GetInt64());
        Assert.Equal(25, at8.GetProperty("asaSeconds").GetDouble(), 9);
        Assert.Equal(1.0 / 3, at8.GetProperty("serviceLevel").GetDouble(), 9);
        Assert.Equal(1, buckets[33].GetProperty("answered").GetInt64());
        Assert.Equal(4, buckets.Sum(b => b.GetProperty("offered").GetInt64()));

        foreach (var b in buckets)
        {
            var from = Uri.EscapeDataString(b.GetProperty("from").GetString()!);
            var to = Uri.EscapeDataString(b.GetProperty("to").GetString()!);
            var metrics = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?from={from}&to={to}&queue=tr");
            foreach (var field in (string[])["answered", "abandoned", "asaSeconds", "serviceLevel"])
                Assert.Equal(metrics.GetProperty(field).ToString(), b.GetProperty(field).ToString());
        }

        var center = await http.GetFromJsonAsync<JsonElement>("/api/center/trend");
        Assert.Equal(JsonValueKind.Null, center.GetProperty("queue").ValueKind);
        Assert.Equal(4, center.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("offered").GetInt64())); // the call still waiting is not
    }

    [Fact]
    public async Task A_past_day_is_whole_and_a_day_to_come_or_a_bad_date_is_a_400()
    {
        using var http = app.Client(await app.KeyAsync("wallboard"));
        var yesterday = await http.GetFromJsonAsync<JsonElement>("/api/center/trend?day=2026-11-22");
        Assert.Equal(96, yesterday.GetProperty("buckets").GetArrayLength());
        foreach (var day in (string[])["2026-11-24", "22.11.2026", "2024-01-01"])
        {
            var response = await http.GetAsync($"/api/queues/tr/trend?day={day}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("day", out _));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/queues/bad%20queue/trend")).StatusCode);
    }

    [Fact]
    public async Task A_key_says_who_it_is_and_the_center_s_zone_and_a_bad_key_is_a_401()
    {
        using var wallboard = app.Client(await app.KeyAsync("wallboard"));
        var me = await wallboard.GetFromJsonAsync<JsonElement>("/api/me");
        Assert.Equal("wallboard", me.GetProperty("role").GetString());
        Assert.Equal("Asia/Yekaterinburg", me.GetProperty("timeZone").GetString());
        Assert.False(string.IsNullOrEmpty(me.GetProperty("name").GetString()));
        using var ingest = app.Client(await app.KeyAsync("ingest"));
        Assert.Equal("ingest", (await ingest.GetFromJsonAsync<JsonElement>("/api/me")).GetProperty("role").GetString());
        using var bad = app.Client("not-a-key-0123456789");
        Assert.Equal(HttpStatusCode.Unauthorized, (await bad.GetAsync("/api/me")).StatusCode);
    }
}
