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
        // At most one push per interval (plus the first at once): never one per event.
        var interval = new LiveOptions().PublishInterval.TotalMilliseconds;
        Assert.True(before.Count + 1 <= took.TotalMilliseconds / interval + 2, $"{before.Count + 1} pushes in {took.TotalMilliseconds:F0} ms");
        Assert.True(before.Count + 1 < Calls, $"{before.Count + 1} pushes for {Calls} events");
        Assert.All(before, s => Assert.True(s.Seq < last.Seq));
    }

    [Fact]
    public async Task A_queue_whose_figures_do_not_change_is_not_pushed_while_the_clock_moves()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard"));
        await client.JoinQueuesAsync("still");
        // Something in every part of the snapshot: a call waiting (its longest wait grows), one answered and completed,
        // an agent, a visit open.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.AgentStatus("still-0", Now.AddMinutes(-30), "ag-still", "available", "still"),
            Ev.Queued("still-1", Now.AddMinutes(-3), "still-c1", "still"), Ev.Answered("still-2", Now.AddMinutes(-2), "still-c1", "ag-still"),
            Ev.Completed("still-3", Now.AddMinutes(-1), "still-c1", "field_visit", "still-v1"), Ev.VisitCreated("still-4", Now.AddMinutes(-1), "still-v1", "still-c1", "north"),
            Ev.Queued("still-5", Now.AddSeconds(-2), "still-c2", "still"))).StatusCode);
        await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "still" && s.CallsWaiting == 1 && s.Visits.Open == 1);
        await Task.Delay(600); // any push of the events still on its way
        client.Drain(nameof(ILiveClient.QueueUpdated));

        // Ten seconds of the clock, each looked at (the publisher looks at every queue every second): the waiting call's
        // wait grows from 2 s to 12 s, under its 30 s target, and no figure changes: nothing is sent.
        for (var i = 0; i < 10; i++)
        {
            app.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(300);
        }
        Assert.DoesNotContain(client.Drain(nameof(ILiveClient.QueueUpdated)), s => s.Queue == "still");

        // The wait crossing its target changes a figure's state: that goes out, with the instant screens tick it from.
        app.Time.Advance(TimeSpan.FromSeconds(20));
        var (late, _, _) = await client.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "still" && s.States.LongestWait == Queue.Targets.FigureState.Breach);
        Assert.Equal(Now.AddSeconds(-32), late.OldestWaitingSince);
    }

    [Fact]
    public async Task A_MessagePack_client_gets_what_a_JSON_client_gets_with_the_same_names_and_instants()
    {
        using var http = app.Client();
        var key = await app.KeyAsync("wallboard");
        await using var json = await LiveClient.ConnectAsync(app.Factory.Server, key);
        await using var binary = await LiveClient.ConnectAsync(app.Factory.Server, key, messagePack: true);
        var joinedJson = Assert.Single(await json.JoinQueuesAsync("mp"));
        var joinedBinary = Assert.Single(await binary.JoinQueuesAsync("mp"));
        Assert.Equal(Wire(joinedJson with { AsOf = default, LongestWaitSeconds = null }), Wire(joinedBinary with { AsOf = default, LongestWaitSeconds = null }));

        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.AgentStatus("mp-0", Now.AddMinutes(-5), "ag-mp", "break", "mp"), Ev.Queued("mp-1", Now.AddSeconds(-7), "mp-c1", "mp"))).StatusCode);
        var (a, _, _) = await json.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "mp" && s.CallsWaiting == 1 && s.Agents["break"] == 1);
        var (b, _, _) = await binary.WaitForAsync(nameof(ILiveClient.QueueUpdated), s => s.Queue == "mp" && s.Seq == a.Seq);
        Assert.Equal(Wire(a), Wire(b));
        Assert.Equal(Now.AddSeconds(-7), b.OldestWaitingSince);

        // On the wire: the JSON message's names, nesting, instants as ISO 8601 text and nulls, only smaller.
        var packed = MessagePack.MessagePackSerializer.Serialize(b, LiveMessagePack.Options);
        Assert.True(JsonElement.DeepEquals(
            JsonSerializer.SerializeToElement(b, JsonSerializerOptions.Web), JsonDocument.Parse(MessagePack.MessagePackSerializer.ConvertToJson(packed)).RootElement));
        Assert.True(packed.Length < Wire(b).Length * 0.9, $"{packed.Length} bytes of MessagePack against {Wire(b).Length} of JSON");
    }

    static string Wire(QueueSnapshot s) => JsonSerializer.Serialize(s, JsonSerializerOptions.Web);

    [Fact]
    public async Task A_watched_queue_s_detail_comes_as_its_calls_and_agents_change_and_stops_once_left()
    {
        using var http = app.Client();
        await using var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        var shown = await client.JoinDetailAsync("watch");
        Assert.Equal("watch", shown.Snapshot.Queue);
        Assert.Empty(shown.Waiting);

        // A call waits: the drill-down gets it, with its wait; an agent logs in: it gets the agent.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("watch-1", Now.AddSeconds(-4), "watch-c1", "watch"))).StatusCode);
        var waiting = await client.WaitForDetailAsync(d => d.Waiting.Count == 1);
        Assert.Equal("watch-c1", waiting.Waiting[0].CallId);
        Assert.Equal(4, waiting.Waiting[0].WaitSeconds, 3);
        Assert.Equal(1, waiting.Snapshot.CallsWaiting);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.AgentStatus("watch-2", Now.AddSeconds(-1), "ag-watch", "break", "watch"))).StatusCode);
        var agent = Assert.Single((await client.WaitForDetailAsync(d => d.AgentList.Count == 1)).AgentList);
        Assert.Equal(("ag-watch", "break"), (agent.AgentId, agent.Status));

        // Time alone (the wait and the time on break growing) sends nothing: screens tick those.
        await Task.Delay(600);
        client.DrainDetails();
        for (var i = 0; i < 5; i++)
        {
            app.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(300);
        }
        Assert.Empty(client.DrainDetails());

        // Left, it comes no more; a queue outside the key's sight or no queue at all is refused.
        await client.LeaveDetailAsync("watch");
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("watch-3", Now, "watch-c2", "watch"))).StatusCode);
        await app.LiveCaughtUpAsync();
        await Task.Delay(1_000);
        Assert.Empty(client.DrainDetails());
        var bad = await Assert.ThrowsAsync<HubException>(() => client.JoinDetailAsync("no queue!"));
        Assert.Contains("is not a queue name", bad.Message, StringComparison.Ordinal);
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
        // Not the caller in any form (a number such as the snapshot's seq may hold its digits by chance).
        foreach (var part in (string[])["912 000", "000-11-22", "79120001122", "9120001122"]) Assert.DoesNotContain(part, body, StringComparison.Ordinal);
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
