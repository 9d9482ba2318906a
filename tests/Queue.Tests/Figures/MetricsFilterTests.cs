using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Figures;

/// <summary>
/// /api/metrics filtered by region, language and segment, and /api/metrics/breakdown, on small hand-made histories: what
/// a visit counts by, the rows and their states against the queue's targets, and refused parameters.
/// </summary>
public sealed class MetricsFilterTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset T0 => QueueApp.Start.AddHours(-4);

    static string Window(DateTimeOffset from, DateTimeOffset to) =>
        $"from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}";

    [Fact]
    public async Task A_visit_counts_in_its_own_region_and_in_the_language_and_segment_of_its_call()
    {
        using var http = app.Client();
        var created = app.Time.GetUtcNow().AddDays(-3);
        var queued = Ev.Queued("mf-1", created.AddMinutes(-10), "mf-c1", "mf-q", region: "mf-east");
        queued["language"] = "mf-tt";
        queued["segment"] = "mf-b2b";
        await http.PostEventsRetryingAsync(
            queued, Ev.Answered("mf-2", created.AddMinutes(-10).AddSeconds(12), "mf-c1", "a1"),
            Ev.Completed("mf-3", created.AddMinutes(-1), "mf-c1", "field_visit", visitId: "mf-v1"),
            Ev.VisitCreated("mf-4", created, "mf-v1", region: "mf-west"),        // linked by the call's completion; a region of its own
            Ev.VisitResolved("mf-5", created.AddHours(2), "mf-v1"),
            Ev.VisitCreated("mf-6", created, "mf-v2", region: "mf-east"));       // no call: no queue, language or segment; never resolved
        var window = Window(created.AddHours(-1), created.AddDays(3));

        var east = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?region=mf-east&{window}");
        Assert.Equal("mf-east", east.GetProperty("region").GetString());
        Assert.Equal((1, 1, 1, 0, 1), Counts(east)); // the call's leg and completion, and the visit with no call
        var west = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?region=mf-west&{window}");
        Assert.Equal((0, 0, 1, 1, 0), Counts(west)); // the call's visit, by its own region
        var language = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?language=mf-tt&{window}");
        Assert.Equal((1, 1, 1, 1, 0), Counts(language)); // the call, and its visit
        var segment = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?queue=mf-q&segment=mf-b2b&{window}");
        Assert.Equal((1, 1, 1, 1, 0), Counts(segment));
        var both = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?queue=mf-q&region=mf-east&language=mf-tt&{window}");
        Assert.Equal((1, 1, 0, 0, 0), Counts(both)); // the visit is in mf-west

        var byRegion = await http.GetFromJsonAsync<JsonElement>($"/api/metrics/breakdown?by=region&queue=mf-q&{window}");
        Assert.Equal(["mf-east", "mf-west"], byRegion.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("value").GetString()));
        var byLanguage = await http.GetFromJsonAsync<JsonElement>($"/api/metrics/breakdown?by=language&region=mf-east&{window}");
        var rows = byLanguage.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["mf-tt", null], rows.Select(r => r.GetProperty("value").GetString()));
        Assert.Equal((1, 1, 0, 0, 0), Counts(rows[0].GetProperty("figures")));
        Assert.Equal((0, 0, 1, 0, 1), Counts(rows[1].GetProperty("figures"))); // the visit with no call: no language
    }

    static (long Answered, long Completed, long Due24, long ResolvedBy24, long Overdue48) Counts(JsonElement f) =>
        (f.GetProperty("answered").GetInt64(), f.GetProperty("completed").GetInt64(), f.GetProperty("due24").GetInt64(),
         f.GetProperty("resolvedBy24").GetInt64(), f.GetProperty("overdue48").GetInt64());

    [Fact]
    public async Task Breakdown_rows_are_judged_by_the_queue_targets_with_calls_that_carry_none_last()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsJsonAsync("/api/targets/mf-s", new { waitSeconds = 20 })).StatusCode);
        var events = new List<System.Text.Json.Nodes.JsonNode>();
        void Call(string id, string? region, int wait)
        {
            events.Add(Ev.Queued(id + "-q", T0, id, "mf-s", region: region));
            events.Add(Ev.Answered(id + "-a", T0.AddSeconds(wait), id, "a1"));
        }
        for (var i = 0; i < 10; i++) Call($"mf-s-a{i}", "mf-a", 25); // over 20 s on 10 answers: a breach
        for (var i = 0; i < 2; i++) Call($"mf-s-b{i}", "mf-b", 25);  // over, on too few answers: a warning
        for (var i = 0; i < 3; i++) Call($"mf-s-n{i}", null, 5);     // no region: on target
        await http.PostEventsRetryingAsync([.. events]);

        var answer = await http.GetFromJsonAsync<JsonElement>($"/api/metrics/breakdown?by=region&queue=mf-s&{Window(T0, T0.AddMinutes(5))}");

        Assert.Equal("region", answer.GetProperty("by").GetString());
        Assert.Equal(20, answer.GetProperty("targets").GetProperty("waitSeconds").GetDouble());
        var rows = answer.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["mf-a", "mf-b", null], rows.Select(r => r.GetProperty("value").GetString()));
        Assert.Equal(["breach", "warning", "ok"], rows.Select(r => r.GetProperty("states").GetProperty("asa").GetString()));
        Assert.Equal([10L, 2L, 3L], rows.Select(r => r.GetProperty("figures").GetProperty("answered").GetInt64()));
        Assert.Equal(25, rows[0].GetProperty("figures").GetProperty("asaSeconds").GetDouble(), 6);
        Assert.Equal("none", rows[0].GetProperty("states").GetProperty("remoteResolution").GetString()); // nothing completed
        // A row is what /api/metrics gives with its value as a filter.
        var filtered = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?queue=mf-s&region=mf-b&{Window(T0, T0.AddMinutes(5))}");
        foreach (var figure in filtered.EnumerateObject().Where(p => p.Name is not ("region")))
            Assert.Equal(figure.Value.GetRawText(), rows[1].GetProperty("figures").GetProperty(figure.Name).GetRawText());
    }

    [Fact]
    public async Task Legs_written_before_legs_carried_their_call_fields_get_them_from_their_call_a_slice_at_a_time()
    {
        using var http = app.Client();
        var events = new List<System.Text.Json.Nodes.JsonNode>();
        for (var i = 0; i < 5; i++)
        {
            var queued = Ev.Queued($"mf-o{i}-q", T0.AddMinutes(20), $"mf-o{i}", "mf-old", region: "mf-north");
            queued["segment"] = "mf-vip";
            events.Add(queued);
            events.Add(Ev.Answered($"mf-o{i}-a", T0.AddMinutes(20).AddSeconds(10), $"mf-o{i}", "a1"));
        }
        events.Add(Ev.Queued("mf-o9-q", T0.AddMinutes(20), "mf-o9", "mf-old"));
        events.Add(Ev.Answered("mf-o9-a", T0.AddMinutes(20).AddSeconds(10), "mf-o9", "a1"));
        await http.PostEventsRetryingAsync([.. events]);
        // As legs were before migration 0020, but for one written since, which the backfill leaves as it is.
        await using (var old = app.Db.CreateCommand("""
            update legs set region = null, language = null, segment = null where queue = 'mf-old' and call_id <> 'mf-o3';
            update legs set region = 'mf-kept' where call_id = 'mf-o3';
            insert into leg_fields_backfill values ('');
            """))
            await old.ExecuteNonQueryAsync();
        var url = $"/api/metrics/breakdown?by=region&queue=mf-old&{Window(T0, T0.AddHours(1))}";
        Assert.Equal(["mf-kept", null], (await http.GetFromJsonAsync<JsonElement>(url)).GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("value").GetString()));

        var backfill = app.Factory.Services.GetRequiredService<Queue.Figures.LegFieldsBackfill>();
        backfill.SliceSize = 2;
        Assert.True(await backfill.RunAsync(CancellationToken.None));

        var rows = (await http.GetFromJsonAsync<JsonElement>(url)).GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["mf-kept", "mf-north", null], rows.Select(r => r.GetProperty("value").GetString()));
        Assert.Equal([1L, 4L, 1L], rows.Select(r => r.GetProperty("figures").GetProperty("answered").GetInt64()));
        var segment = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?segment=mf-vip&queue=mf-old&{Window(T0, T0.AddHours(1))}");
        Assert.Equal(5, segment.GetProperty("answered").GetInt64()); // mf-o3's segment stays as it was written
        await using var left = app.Db.CreateCommand("select count(*) from leg_fields_backfill");
        Assert.Equal(0L, await left.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_figures_and_their_breakdown_download_as_CSV_with_the_same_numbers_as_the_JSON()
    {
        using var http = app.Client();
        var events = new List<System.Text.Json.Nodes.JsonNode>();
        for (var i = 0; i < 7; i++)
        {
            events.Add(Ev.Queued($"mf-csv{i}-q", T0.AddSeconds(i), $"mf-csv{i}", "mf-csv", region: i % 3 == 0 ? null : $"mf-r{i % 2}"));
            events.Add(i % 4 == 3 ? Ev.Abandoned($"mf-csv{i}-x", T0.AddSeconds(i + 13), $"mf-csv{i}")
                : Ev.Answered($"mf-csv{i}-a", T0.AddSeconds(i * 7.25), $"mf-csv{i}", "a1"));
        }
        events.Add(Ev.Completed("mf-csv1-d", T0.AddSeconds(200), "mf-csv1", "resolved"));
        await http.PostEventsRetryingAsync([.. events]);
        var window = Window(T0, T0.AddMinutes(10));

        Assert.Empty(await CsvCheck.DifferencesAsync(http, $"/api/metrics?queue=mf-csv&{window}", $"/api/metrics.csv?queue=mf-csv&{window}", j => [j]));
        Assert.Empty(await CsvCheck.DifferencesAsync(http, $"/api/metrics?{window}", $"/api/metrics.csv?{window}", j => [j]));
        Assert.Empty(await CsvCheck.DifferencesAsync(http, $"/api/metrics/breakdown?by=region&queue=mf-csv&{window}",
            $"/api/metrics/breakdown.csv?by=region&queue=mf-csv&{window}", j => j.GetProperty("rows").EnumerateArray(), "figures"));

        var (header, rows) = CsvCheck.Read(await http.GetStringAsync($"/api/metrics/breakdown.csv?by=region&queue=mf-csv&{window}"));
        Assert.Equal(["value", "from", "to", "queue"], header.Take(4));
        Assert.Contains("states_asa", header);
        Assert.Equal(["mf-r0", "mf-r1", ""], rows.Select(r => r[0]));
        var asa = header.IndexOf("asa_seconds");
        Assert.Equal("18.75", rows[1][asa]); // mf-csv1 and mf-csv5 waited 7.25 − 1 and 36.25 − 5 s

        // A download needs a key as the JSON does.
        using var anonymous = app.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/metrics.csv?{window}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/metrics/breakdown.csv?by=region&{window}")).StatusCode);
        // Refused, a client that asked for CSV still learns why, as a problem document.
        using var asking = new HttpRequestMessage(HttpMethod.Get, $"/api/metrics?{window}");
        asking.Headers.Accept.ParseAdd("text/csv");
        using var refused = await anonymous.SendAsync(asking);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(401, (await refused.JsonAsync()).GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/api/metrics.csv?region=a%20b", "region")]
    [InlineData("/api/metrics/breakdown.csv?queue=q1", "by")]
    [InlineData("/api/metrics?region=a%20b", "region")]
    [InlineData("/api/metrics?language=ru%7Bx%7D", "language")]
    [InlineData("/api/metrics?segment=", "segment")]
    [InlineData("/api/metrics?queue=q1&region=r1&language=ru&segment=b2c%2Fx", "segment")]
    [InlineData("/api/metrics/breakdown?region=a%20b&by=segment", "region")]
    [InlineData("/api/metrics/breakdown?language={101}&by=region", "language")]
    [InlineData("/api/metrics/breakdown?queue=q1", "by")]
    [InlineData("/api/metrics/breakdown?by=queue", "by")]
    [InlineData("/api/metrics/breakdown?by=Region", "by")]
    public async Task A_bad_filter_or_breakdown_is_a_400_naming_the_parameter(string path, string field)
    {
        using var http = app.Client();
        var response = await http.GetAsync($"{path.Replace("{101}", new string('x', 101), StringComparison.Ordinal)}&{Window(T0, T0.AddHours(1))}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
    }
}
