using System.Net;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Ingest;

/// <summary>
/// History of any age: refused as too late for an <c>ingest</c> key, taken from an <c>import</c> key, stored in the
/// month it belongs to (a partition made on demand, before the months made ahead), counted by /api/metrics, and
/// reaching no live window and no open alert.
/// </summary>
public sealed class HistoryImportTests(QueueApp app) : IClassFixture<QueueApp>
{
    const string Queue = "hist";
    static readonly DateTimeOffset LastYear = QueueApp.Start.AddDays(-300);
    // The event log keeps raw events 400 days by default: history reaches back a day less.
    static readonly DateTimeOffset LongAgo = QueueApp.Start.AddDays(-398);

    static System.Text.Json.Nodes.JsonNode[] Day(string tag, DateTimeOffset at) =>
    [
        Ev.Queued($"{tag}-1", at, $"{tag}-c1", Queue), Ev.Answered($"{tag}-2", at.AddSeconds(20), $"{tag}-c1", "ag-h"),
        Ev.Completed($"{tag}-3", at.AddMinutes(4), $"{tag}-c1", "resolved"),
        Ev.Queued($"{tag}-4", at.AddMinutes(1), $"{tag}-c2", Queue), Ev.Abandoned($"{tag}-5", at.AddMinutes(1).AddSeconds(40), $"{tag}-c2"),
        // A leg whose end the history never told: a ghost, never a call waiting now.
        Ev.Queued($"{tag}-6", at.AddMinutes(2), $"{tag}-c3", Queue),
    ];

    [Fact]
    public async Task An_ingest_key_is_refused_events_past_the_lateness_and_stores_nothing()
    {
        using var ingest = app.Client(await app.KeyAsync("ingest"));
        var before = await app.CountAsync("events");

        var response = await ingest.PostEventsAsync(Day("late", LastYear));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Contains("role import", errors.GetProperty("[0].at")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await app.CountAsync("events"));
    }

    [Fact]
    public async Task An_import_key_loads_history_of_any_age_into_its_months_counted_by_metrics_and_not_live()
    {
        using var import = app.Client(await app.KeyAsync("import"));
        var response = await import.PostEventsAsync([.. Day("y1", LastYear), .. Day("y3", LongAgo)]);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(12, (await response.JsonAsync()).GetProperty("new").GetInt64());

        // Each event in the partition of its own month, made for it.
        await using (var command = app.Db.CreateCommand(
            "select count(*) from events e join pg_class c on c.oid = e.tableoid where e.id like 'y%' and c.relname <> 'events' " +
            "and c.relname like '%' || to_char(e.at at time zone 'UTC', 'YYYY_MM') || '%'"))
            Assert.Equal(12L, (long)(await command.ExecuteScalarAsync())!);

        foreach (var at in new[] { LastYear, LongAgo })
        {
            using var admin = app.Client();
            var m = await (await admin.GetAsync(MetricsUrl(at.AddHours(-1), at.AddHours(1)))).JsonAsync();
            Assert.Equal(1, m.GetProperty("answered").GetInt64());
            Assert.Equal(1, m.GetProperty("abandoned").GetInt64());
            Assert.Equal(20, m.GetProperty("asaSeconds").GetDouble(), 6);
            Assert.Equal(1.0, m.GetProperty("remoteResolution").GetDouble(), 9);
        }

        // The same history again: nothing new.
        var again = await (await import.PostEventsAsync([.. Day("y1", LastYear), .. Day("y3", LongAgo)])).JsonAsync();
        Assert.Equal(0, again.GetProperty("new").GetInt64());
        Assert.Equal(12, again.GetProperty("duplicates").GetInt64());

        // Live state: no call waits, no window counts it, and it equals a recomputation from PostgreSQL.
        await app.LiveCaughtUpAsync();
        using var reader = app.Client();
        var center = await (await reader.GetAsync("/api/center")).JsonAsync();
        Assert.Equal(0, center.GetProperty("callsWaiting").GetInt64());
        Assert.Equal(0, center.GetProperty("windows").GetProperty("today").GetProperty("answered").GetInt64());
        Assert.Empty(await LiveCheck.DifferencesAsync(reader, app.Db, null));
        var alerts = await (await reader.GetAsync($"/api/alerts?queue={Queue}")).JsonAsync();
        Assert.Equal(0, alerts.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task History_older_than_the_event_log_keeps_is_refused_as_it_would_be_stored_twice_after_retention()
    {
        using var import = app.Client(await app.KeyAsync("import"));
        var response = await import.PostEventsAsync(Ev.Queued("old-1", QueueApp.Start.AddDays(-400), "old-c", Queue));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Queue:Retention:RawEvents", (await response.JsonAsync()).GetProperty("errors").GetProperty("[0].at")[0].GetString(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Even_an_import_key_may_not_post_events_in_the_future()
    {
        using var import = app.Client(await app.KeyAsync("import"));
        var response = await import.PostEventsAsync(Ev.Queued("fut-1", QueueApp.Start.AddMinutes(6), "fut-c", Queue));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("[0].at", out _));
    }

    static string MetricsUrl(DateTimeOffset from, DateTimeOffset to) =>
        $"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}&queue={Queue}";
}
