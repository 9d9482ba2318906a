using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Queue.Live;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>The live hub and the live API on one node: snapshots at once, pushes coalesced, windows that move with the clock.</summary>
public sealed class LiveHubTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task A_client_gets_a_snapshot_at_once_then_the_change_an_event_makes()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("snap-1", Now.AddSeconds(-20), "snap-c1", "snap"))).StatusCode);
        await app.LiveCaughtUpAsync();

        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        var joined = Assert.Single(await client.JoinQueuesAsync("snap"));
        Assert.Equal("snap", joined.Queue);
        Assert.Equal(1, joined.CallsWaiting);
        Assert.Equal(20, joined.LongestWaitSeconds!.Value, 3);

        // Windows are half-open, [now − 15 min, now): an answer a second ago is in, one at this very instant not yet.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Answered("snap-2", Now.AddSeconds(-1), "snap-c1", "ag-snap"))).StatusCode);
        var (pushed, _, _) = await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "snap" && s.CallsWaiting == 0);
        Assert.Equal(1, pushed.Windows.M15.Answered);
        Assert.Equal(19, pushed.Windows.M15.AsaSeconds!.Value, 6);
        Assert.True(pushed.Seq > joined.Seq, $"pushed seq {pushed.Seq} after joined seq {joined.Seq}");
    }

    [Fact]
    public async Task The_center_gets_its_totals_and_every_queue()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        var before = await client.JoinCenterAsync();
        Assert.Null(before.Center.Queue);

        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("ctr-1", Now.AddSeconds(-9), "ctr-c1", "ctr-a"), Ev.Queued("ctr-2", Now.AddSeconds(-4), "ctr-c2", "ctr-b"))).StatusCode);
        var (center, _, _) = await client.WaitForAsync(nameof(ILiveClient.CenterUpdated), s => s.CallsWaiting == before.Center.CallsWaiting + 2);
        Assert.Null(center.Queue);
        await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "ctr-a" && s.CallsWaiting == 1);

        using var list = await http.GetAsync("/api/queues");
        var queues = await list.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(queues.EnumerateArray(), q => q.GetProperty("queue").GetString() == "ctr-b" && q.GetProperty("callsWaiting").GetInt64() == 1);
    }

    [Fact]
    public async Task Pushes_are_coalesced_and_the_last_state_always_arrives()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await client.JoinQueuesAsync("burst");
        var started = DateTime.UtcNow;
        const int Calls = 40;
        for (var i = 0; i < Calls; i++)
            Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued($"burst-{i}", Now.AddSeconds(-1), $"burst-c{i}", "burst"))).StatusCode);
        var (last, received, before) = await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "burst" && s.CallsWaiting == Calls);
        var took = received - started;
        // At most one push per 200 ms interval (plus the first at once): never one per event.
        Assert.True(before.Count + 1 <= took.TotalMilliseconds / 200 + 2, $"{before.Count + 1} pushes in {took.TotalMilliseconds:F0} ms");
        Assert.True(before.Count + 1 < Calls, $"{before.Count + 1} pushes for {Calls} events");
        Assert.All(before, s => Assert.True(s.Seq < last.Seq));
    }

    [Fact]
    public async Task Windows_move_with_the_clock_alone()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await client.JoinQueuesAsync("age");
        var answeredAt = Now.AddMinutes(-1);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("age-1", answeredAt.AddSeconds(-12), "age-c1", "age"), Ev.Answered("age-2", answeredAt, "age-c1", "ag-age"))).StatusCode);
        await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "age" && s.Windows.M15.Answered == 1);

        // Fourteen minutes on it is still in the 15-minute window; one more minute and it leaves it, with no event.
        app.Time.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(1, (await SnapshotAsync(http, "age")).GetProperty("windows").GetProperty("m15").GetProperty("answered").GetInt64());
        app.Time.Advance(TimeSpan.FromMinutes(1));
        var moved = await SnapshotAsync(http, "age");
        Assert.Equal(0, moved.GetProperty("windows").GetProperty("m15").GetProperty("answered").GetInt64());
        Assert.Equal(JsonValueKind.Null, moved.GetProperty("windows").GetProperty("m15").GetProperty("asaSeconds").ValueKind);
        Assert.Equal(1, moved.GetProperty("windows").GetProperty("m60").GetProperty("answered").GetInt64());

        // …and a connected screen is told, though nothing happened but time.
        var (pushed, _, _) = await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "age" && s.Windows.M15.Answered == 0);
        Assert.Equal(1, pushed.Windows.M60.Answered);
    }

    [Fact]
    public async Task A_waiting_call_is_listed_without_its_caller_and_an_agent_with_todays_counts()
    {
        using var http = app.Client();
        const string Caller = "+7 912 000-11-22";
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("det-1", Now.AddSeconds(-30), "det-c1", "det", caller: Caller, region: "ural"),
            Ev.Queued("det-2", Now.AddSeconds(-50), "det-c2", "det"),
            Ev.Answered("det-3", Now.AddSeconds(-20), "det-c2", "ag-det"),
            Ev.Completed("det-4", Now.AddSeconds(-5), "det-c2", "resolved"),
            new System.Text.Json.Nodes.JsonObject
            {
                ["id"] = "det-5", ["type"] = "agent.status", ["at"] = Ev.At(Now.AddSeconds(-5)), ["agentId"] = "ag-det",
                ["status"] = "wrap_up", ["queues"] = new System.Text.Json.Nodes.JsonArray("det"),
            })).StatusCode);
        await app.LiveCaughtUpAsync();

        using var response = await http.GetAsync("/api/queues/det");
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("912", body, StringComparison.Ordinal);
        var detail = JsonDocument.Parse(body).RootElement;
        var waiting = Assert.Single(detail.GetProperty("waiting").EnumerateArray());
        Assert.Equal("det-c1", waiting.GetProperty("callId").GetString());
        Assert.Equal("ural", waiting.GetProperty("region").GetString());
        Assert.Equal(30, waiting.GetProperty("waitSeconds").GetDouble(), 3);
        var agent = Assert.Single(detail.GetProperty("agentList").EnumerateArray());
        Assert.Equal("wrap_up", agent.GetProperty("status").GetString());
        Assert.Equal(1, agent.GetProperty("answeredToday").GetInt64());
        Assert.Equal(15, agent.GetProperty("averageHandleSeconds").GetDouble(), 6);
        Assert.Equal(1, detail.GetProperty("snapshot").GetProperty("agents").GetProperty("wrap_up").GetInt64());
    }

    [Fact]
    public async Task A_queue_with_nothing_live_answers_zeros_and_a_bad_name_is_a_400()
    {
        using var http = app.Client();
        var empty = await SnapshotAsync(http, "nobody-here");
        Assert.Equal(0, empty.GetProperty("callsWaiting").GetInt64());
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("windows").GetProperty("today").GetProperty("asaSeconds").ValueKind);
        Assert.Equal("none", empty.GetProperty("windows").GetProperty("today").GetProperty("states").GetProperty("asa").GetString());

        using var bad = await http.GetAsync("/api/queues/bad%20name");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Hub_refuses_a_missing_or_too_weak_key_and_a_bad_queue_name()
    {
        var none = await Assert.ThrowsAsync<HttpRequestException>(() => LiveClient.ConnectAsync(app.Factory.Server, null));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        var wrong = await Assert.ThrowsAsync<HttpRequestException>(() => LiveClient.ConnectAsync(app.Factory.Server, "not-a-real-key-0123456789"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var ingest = await Assert.ThrowsAsync<HttpRequestException>(async () => await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("ingest")));
        Assert.Equal(HttpStatusCode.Forbidden, ingest.StatusCode);

        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        var refused = await Assert.ThrowsAsync<HubException>(() => client.JoinQueuesAsync("no spaces"));
        Assert.Contains("not a queue name", refused.Message, StringComparison.Ordinal);
    }

    static async Task<JsonElement> SnapshotAsync(HttpClient http, string queue)
    {
        using var response = await http.GetAsync($"/api/queues/{queue}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("snapshot");
    }
}

/// <summary>Every log category at Debug, ASP.NET Core's own included: the hub key in a query string must still not show.</summary>
public sealed class VerboseQueueApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
    };
}

public sealed class HubKeyLoggingTests(VerboseQueueApp app) : IClassFixture<VerboseQueueApp>
{
    [Fact]
    public async Task A_key_in_the_query_string_connects_and_never_reaches_the_logs()
    {
        var key = await app.KeyAsync("wallboard");
        await using (var client = await LiveClient.ConnectAsync(app.Factory.Server, key, keyInQuery: true))
            Assert.NotNull(await client.JoinCenterAsync());
        Assert.Contains(app.Logs, line => line.Contains("/hubs/live", StringComparison.Ordinal)); // the requests were logged…
        Assert.DoesNotContain(app.Logs, line => line.Contains(key, StringComparison.Ordinal));  // …never with the key
    }
}
