using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// A visit counts in the queue of its call's last leg; a late event can take it out of that queue. Live state must
/// then take its figures back from the queue it left, whichever event moved it.
/// </summary>
public sealed class LiveVisitsTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task A_visit_whose_earlier_creation_names_no_call_leaves_the_queue_of_the_call_named_later()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("vl1-q", Now.AddHours(-3), "vl1-c", "vl-a"),
            Ev.Answered("vl1-a", Now.AddHours(-3).AddSeconds(10), "vl1-c", "ag-vl"),
            Ev.VisitCreated("vl1-v2", Now.AddHours(-1), "vl1-v", callId: "vl1-c"))).StatusCode);
        await app.LiveCaughtUpAsync();
        Assert.Equal(1, await OpenVisitsAsync(http, "vl-a"));

        // The visit's first creation, delivered late, names no call: the visit is the center's alone from now on.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.VisitCreated("vl1-v1", Now.AddHours(-2), "vl1-v", region: "ural"))).StatusCode);
        await app.LiveCaughtUpAsync();
        Assert.Equal(0, await OpenVisitsAsync(http, "vl-a"));
        await AssertEqualToPostgresAsync(http, "vl-a");
    }

    [Fact]
    public async Task A_visit_named_by_a_completion_that_a_later_completion_replaces_leaves_the_calls_queue()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("vl2-q", Now.AddHours(-3), "vl2-c", "vl-b"),
            Ev.Answered("vl2-a", Now.AddHours(-3).AddSeconds(10), "vl2-c", "ag-vl"),
            Ev.Completed("vl2-d1", Now.AddHours(-2), "vl2-c", "field_visit", visitId: "vl2-v1"),
            Ev.VisitCreated("vl2-v1c", Now.AddHours(-2), "vl2-v1"),
            Ev.VisitCreated("vl2-v2c", Now.AddHours(-2), "vl2-v2"))).StatusCode);
        await app.LiveCaughtUpAsync();
        Assert.Equal(1, await OpenVisitsAsync(http, "vl-b"));

        // A later completion of the same call names the other visit: the first is no call's any more.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Completed("vl2-d2", Now.AddHours(-1), "vl2-c", "field_visit", visitId: "vl2-v2"))).StatusCode);
        await app.LiveCaughtUpAsync();
        var detail = await DetailAsync(http, "vl-b");
        Assert.Equal(1, detail.GetProperty("visits").GetProperty("open").GetInt64());
        await AssertEqualToPostgresAsync(http, "vl-b");
    }

    [Fact]
    public async Task A_visit_named_by_a_resolution_told_later_moves_to_the_calls_queue_and_leaves_it_when_another_is_named()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("vl4-q", Now.AddHours(-3), "vl4-c", "vl-d"),
            Ev.Answered("vl4-a", Now.AddHours(-3).AddSeconds(10), "vl4-c", "ag-vl"),
            Ev.Completed("vl4-d", Now.AddHours(-2), "vl4-c", null),
            Ev.VisitCreated("vl4-v1c", Now.AddHours(-2), "vl4-v1"),
            Ev.VisitCreated("vl4-v2c", Now.AddHours(-2), "vl4-v2"))).StatusCode);
        await app.LiveCaughtUpAsync();
        Assert.Equal(0, await OpenVisitsAsync(http, "vl-d"));

        // The outcome told afterwards names a visit: it is the call's, in the call's queue, though no event of its own came.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Resolution("vl4-r1", Now.AddMinutes(-90), "vl4-c", "field_visit", visitId: "vl4-v1"))).StatusCode);
        await app.LiveCaughtUpAsync();
        Assert.Equal(1, await OpenVisitsAsync(http, "vl-d"));
        await AssertEqualToPostgresAsync(http, "vl-d");

        // Told again, naming the other visit: the first leaves the queue.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Resolution("vl4-r2", Now.AddMinutes(-60), "vl4-c", "field_visit", visitId: "vl4-v2"))).StatusCode);
        await app.LiveCaughtUpAsync();
        Assert.Equal(1, await OpenVisitsAsync(http, "vl-d"));
        await AssertEqualToPostgresAsync(http, "vl-d");
    }

    [Fact]
    public async Task A_rebuild_over_live_state_still_there_counts_nothing_twice()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("vl3-q", Now.AddHours(-3), "vl3-c", "vl-c"),
            Ev.Answered("vl3-a", Now.AddHours(-3).AddSeconds(10), "vl3-c", "ag-vl"),
            Ev.Completed("vl3-d", Now.AddMinutes(-30), "vl3-c", "field_visit", visitId: "vl3-v"),
            Ev.VisitCreated("vl3-vc", Now.AddMinutes(-30), "vl3-v"),
            Ev.Queued("vl3-q2", Now.AddMinutes(-2), "vl3-c2", "vl-c"))).StatusCode);
        await app.LiveCaughtUpAsync();
        await AssertEqualToPostgresAsync(http, "vl-c");
        var before = await DetailAsync(http, "vl-c");

        // Without its cursor, live state is rebuilt (as after a change of thresholds), over the parts still in Redis.
        await app.Redis.Db.KeyDeleteAsync($"{app.RedisPrefix}live:{{~}}:cursor");
        await app.LiveCaughtUpAsync();
        var after = await DetailAsync(http, "vl-c");
        foreach (var window in (string[])["m15", "m60", "today"])
        {
            var (was, now) = (before.GetProperty("windows").GetProperty(window).GetRawText(), after.GetProperty("windows").GetProperty(window).GetRawText());
            Assert.True(was == now, $"{window} before the rebuild: {was}\nafter: {now}");
        }
        Assert.Equal(1, after.GetProperty("callsWaiting").GetInt64());
        Assert.Equal(1, after.GetProperty("visits").GetProperty("open").GetInt64());
        await AssertEqualToPostgresAsync(http, "vl-c");
    }

    async Task AssertEqualToPostgresAsync(HttpClient http, string queue)
    {
        Assert.Empty(await LiveCheck.DifferencesAsync(http, app.Db, queue));
        Assert.Empty(await LiveCheck.DifferencesAsync(http, app.Db, null));
        await using var open = app.Db.CreateCommand("select count(*) from visits where resolved_at is null and cancelled_at is null");
        var center = (await http.GetFromJsonAsync<JsonElement>("/api/center")).GetProperty("visits").GetProperty("open").GetInt64();
        Assert.Equal((long)(await open.ExecuteScalarAsync())!, center);
    }

    static async Task<long> OpenVisitsAsync(HttpClient http, string queue) =>
        (await DetailAsync(http, queue)).GetProperty("visits").GetProperty("open").GetInt64();

    static async Task<JsonElement> DetailAsync(HttpClient http, string queue) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/queues/{queue}")).GetProperty("snapshot");
}
