using System.Net;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Figures;

/// <summary>The SPEC §3 figures on small hand-made histories, each in a queue of its own.</summary>
public sealed class MetricsTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset T0 => QueueApp.Start.AddHours(-3);

    [Fact]
    public async Task Waits_at_the_thresholds_count_as_the_spec_says()
    {
        const string q = "m-thresholds";
        using var client = app.Client();
        await PostOkAsync(client,
            // answered after exactly 30 s: within service level
            Ev.Queued("th-1", T0, "th-c1", q), Ev.Answered("th-2", T0.AddSeconds(30), "th-c1", "a1"),
            // answered after 30.000001 s: not within
            Ev.Queued("th-3", T0, "th-c2", q), Ev.Answered("th-4", T0.AddSeconds(30).AddTicks(10), "th-c2", "a1"),
            // abandoned after 4.999999 s: a short abandon; after exactly 5 s: an abandon
            Ev.Queued("th-5", T0, "th-c3", q), Ev.Abandoned("th-6", T0.AddSeconds(5).AddTicks(-10), "th-c3"),
            Ev.Queued("th-7", T0, "th-c4", q), Ev.Abandoned("th-8", T0.AddSeconds(5), "th-c4"));

        var m = await MetricsAsync(client, T0, T0.AddMinutes(5), q);

        Assert.Equal(2, m.GetProperty("answered").GetInt64());
        Assert.Equal(1, m.GetProperty("abandoned").GetInt64());
        Assert.Equal(1, m.GetProperty("shortAbandoned").GetInt64());
        Assert.Equal(30.0000005, m.GetProperty("asaSeconds").GetDouble(), 6);
        Assert.Equal(1.0 / 3, m.GetProperty("serviceLevel").GetDouble(), 9);
        Assert.Equal(1.0 / 3, m.GetProperty("abandonmentRate").GetDouble(), 9);
    }

    [Fact]
    public async Task A_completion_without_an_outcome_counts_apart_until_a_later_one_tells_it()
    {
        const string q = "m-told";
        using var client = app.Client();
        var calls = Enumerable.Range(0, 4).Select(i => $"told-c{i}").ToArray();
        // Four calls completed by a PBX, which knows no outcome; a missed offer and a reason change nothing of the figures.
        await PostOkAsync(client, [.. calls.SelectMany((c, i) => new[]
        {
            Ev.Queued($"told-q{i}", T0, c, q), Ev.Missed($"told-m{i}", T0.AddSeconds(5), c, "a9", 4.5),
            Ev.Answered($"told-a{i}", T0.AddSeconds(10), c, "a1"), Ev.Completed($"told-d{i}", T0.AddMinutes(2), c, null),
        })]);

        var before = await MetricsAsync(client, T0, T0.AddMinutes(5), q);
        Assert.Equal(4, before.GetProperty("completed").GetInt64());
        Assert.Equal(4, before.GetProperty("resolutionUnknown").GetInt64());
        Assert.Equal(0, before.GetProperty("resolvedRemotely").GetInt64());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("remoteResolution").ValueKind);
        Assert.Equal(10, before.GetProperty("asaSeconds").GetDouble(), 6);

        // The CRM tells three outcomes; for c0 twice, and the later one (by at) wins even though it is sent first.
        await PostOkAsync(client,
            Ev.Resolution("told-r0b", T0.AddMinutes(9), calls[0], "resolved"),
            Ev.Resolution("told-r0a", T0.AddMinutes(8), calls[0], "escalated"),
            Ev.Resolution("told-r1", T0.AddMinutes(8), calls[1], "unresolved"),
            Ev.Resolution("told-r2", T0.AddMinutes(1), calls[2], "resolved"));   // told before the completion: still the outcome

        var after = await MetricsAsync(client, T0, T0.AddMinutes(5), q);
        Assert.Equal(4, after.GetProperty("completed").GetInt64());
        Assert.Equal(1, after.GetProperty("resolutionUnknown").GetInt64());
        Assert.Equal(2, after.GetProperty("resolvedRemotely").GetInt64());
        Assert.Equal(2.0 / 3, after.GetProperty("remoteResolution").GetDouble(), 9);

        // The same tie (same instant) is broken by id: "told-r1z" sorts after "told-r1".
        await PostOkAsync(client, Ev.Resolution("told-r1z", T0.AddMinutes(8), calls[1], "resolved"));
        var tied = await MetricsAsync(client, T0, T0.AddMinutes(5), q);
        Assert.Equal(3, tied.GetProperty("resolvedRemotely").GetInt64());
    }

    [Fact]
    public async Task Windows_are_half_open_by_event_time()
    {
        const string q = "m-window";
        using var client = app.Client();
        var from = T0.AddMinutes(10);
        await PostOkAsync(client,
            Ev.Queued("w-1", from.AddSeconds(-10), "w-c1", q), Ev.Answered("w-2", from, "w-c1", "a1"),                 // at from: in
            Ev.Queued("w-3", from.AddMinutes(14), "w-c2", q), Ev.Answered("w-4", from.AddMinutes(15), "w-c2", "a1"));  // at to: out

        var m = await MetricsAsync(client, from, from.AddMinutes(15), q);

        Assert.Equal(1, m.GetProperty("answered").GetInt64());
        Assert.Equal(10, m.GetProperty("asaSeconds").GetDouble(), 6);
    }

    [Fact]
    public async Task Rates_without_samples_are_null_not_zero()
    {
        using var client = app.Client();
        var m = await MetricsAsync(client, T0, T0.AddMinutes(1), "m-empty");

        foreach (var rate in new[] { "asaSeconds", "serviceLevel", "abandonmentRate", "remoteResolution", "visit24" })
            Assert.Equal(JsonValueKind.Null, m.GetProperty(rate).ValueKind);
        Assert.Equal(0, m.GetProperty("answered").GetInt64());
    }

    [Fact]
    public async Task A_transferred_call_counts_per_leg_and_completes_in_its_last_queue()
    {
        using var client = app.Client();
        await PostOkAsync(client,
            Ev.Queued("tr-1", T0, "tr-c", "m-first"),
            Ev.Transferred("tr-2", T0.AddSeconds(20), "tr-c", "m-second"),
            Ev.Answered("tr-3", T0.AddSeconds(50), "tr-c", "a2"),
            Ev.Completed("tr-4", T0.AddMinutes(3), "tr-c", "resolved"));

        var first = await MetricsAsync(client, T0, T0.AddMinutes(5), "m-first");
        var second = await MetricsAsync(client, T0, T0.AddMinutes(5), "m-second");

        Assert.Equal(0, first.GetProperty("answered").GetInt64());
        Assert.Equal(0, first.GetProperty("completed").GetInt64());
        Assert.Equal(1, second.GetProperty("answered").GetInt64());
        Assert.Equal(30, second.GetProperty("asaSeconds").GetDouble(), 6); // waited from the transfer
        Assert.Equal(1, second.GetProperty("completed").GetInt64());
        Assert.Equal(1.0, second.GetProperty("remoteResolution").GetDouble());
    }

    [Fact]
    public async Task Visit_deadlines_count_once_passed_and_exactly_at_the_deadline_is_on_target()
    {
        const string q = "m-visits";
        using var client = app.Client();
        var created = app.Time.GetUtcNow().AddDays(-3);
        await PostOkAsync(client,
            Ev.Queued("v-q", created.AddMinutes(-10), "v-call", q), Ev.Answered("v-a", created.AddMinutes(-9), "v-call", "a1"),
            Ev.Completed("v-c", created.AddMinutes(-1), "v-call", "field_visit", visitId: "v-linked"),
            Ev.VisitCreated("v-1", created, "v-linked"),                                  // linked through call.completed
            Ev.VisitResolved("v-2", created.AddHours(24), "v-linked"),                    // exactly at 24 h: on target
            Ev.VisitCreated("v-3", created, "v-late", callId: "v-call"),
            Ev.VisitResolved("v-4", created.AddHours(30), "v-late"),                      // late for 24 h, in time for 48 h
            Ev.VisitCreated("v-5", created, "v-never", callId: "v-call"),                 // overdue
            Ev.VisitCreated("v-6", created, "v-cancelled", callId: "v-call"),
            Ev.VisitCancelled("v-7", created.AddHours(2), "v-cancelled"));                // cancelled before 24 h: not due

        var m = await MetricsAsync(client, created, created.AddDays(3), q);

        Assert.Equal(3, m.GetProperty("due24").GetInt64());
        Assert.Equal(1, m.GetProperty("resolvedBy24").GetInt64());
        Assert.Equal(1.0 / 3, m.GetProperty("visit24").GetDouble(), 9);
        Assert.Equal(1, m.GetProperty("overdue48").GetInt64());
    }

    [Fact]
    public async Task A_deadline_still_ahead_is_neither_met_nor_missed()
    {
        using var client = app.Client();
        var created = app.Time.GetUtcNow().AddHours(-1);
        await PostOkAsync(client, Ev.VisitCreated("ahead-1", created, "v-ahead", region: "r-ahead"));

        var m = await MetricsAsync(client, created, created.AddDays(3), null);
        var before = m.GetProperty("due24").GetInt64();
        app.Time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromSeconds(1)); // the clock only moves forward: other tests use times relative to it

        var after = await MetricsAsync(client, created, created.AddDays(3), null);
        Assert.Equal(before + 1, after.GetProperty("due24").GetInt64());
    }

    [Theory]
    [InlineData("", "from")]
    [InlineData("?from=2026-11-23T00:00:00Z", "to")]
    [InlineData("?from=2026-11-23T00:00:00&to=2026-11-24T00:00:00Z", "from")]
    [InlineData("?from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z", "to")]
    [InlineData("?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z&queue=a%20b", "queue")]
    public async Task A_bad_window_is_a_400_naming_the_parameter(string query, string field)
    {
        using var client = app.Client();
        var response = await client.GetAsync("/api/metrics" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("?from=2026-11-23T00:00:00+05:00&to=2026-11-24T00:00:00Z", "from")]
    [InlineData("?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00.5+05:00", "to")]
    public async Task An_unencoded_plus_in_the_offset_is_a_400_that_says_to_encode_it(string query, string field)
    {
        using var client = app.Client();
        var response = await client.GetAsync("/api/metrics" + query); // '+' in a query string decodes to a space

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await response.JsonAsync()).GetProperty("errors").GetProperty(field)[0].GetString();
        Assert.Contains("%2B", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timestamp_bad_in_another_way_gets_no_encoding_hint()
    {
        using var client = app.Client();
        var response = await client.GetAsync("/api/metrics?from=2026-11-23%2000:00:00Z&to=2026-11-24T00:00:00Z");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (await response.JsonAsync()).GetProperty("errors").GetProperty("from")[0].GetString();
        Assert.DoesNotContain("%2B", message, StringComparison.Ordinal);
    }

    static async Task PostOkAsync(HttpClient client, params System.Text.Json.Nodes.JsonNode[] events)
    {
        var response = await client.PostEventsAsync(events);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    static async Task<JsonElement> MetricsAsync(HttpClient client, DateTimeOffset from, DateTimeOffset to, string? queue)
    {
        var url = $"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}"
            + (queue is null ? "" : "&queue=" + queue);
        var response = await client.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }
}
