using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Live;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>A queue's snapshot carries its staffing, from what live state counted of the last 15 and 60 minutes.</summary>
public sealed class LiveStaffingApiTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task The_snapshot_counts_arrivals_talk_time_and_patience_and_the_agents_serving_the_queue()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.AgentStatus("st-s1", Now.AddHours(-2), "st-a", "available", "st"),
            Ev.AgentStatus("st-s2", Now.AddHours(-2), "st-b", "busy", "st"),
            Ev.AgentStatus("st-s3", Now.AddHours(-2), "st-c", "wrap_up", "st"),
            Ev.AgentStatus("st-s4", Now.AddHours(-2), "st-d", "break", "st"),
            Ev.AgentStatus("st-s5", Now.AddHours(-2), "st-e", "available", "other"),
            // Arrived 50 min ago: waited 60 s, talked 240 s.
            Ev.Queued("st-1q", Now.AddMinutes(-50), "st-1", "st"),
            Ev.Answered("st-1a", Now.AddMinutes(-49), "st-1", "st-b"),
            Ev.Completed("st-1c", Now.AddMinutes(-45), "st-1", "resolved"),
            // 10 min ago: waited 30 s, talked 270 s.
            Ev.Queued("st-2q", Now.AddMinutes(-10), "st-2", "st"),
            Ev.Answered("st-2a", Now.AddMinutes(-10).AddSeconds(30), "st-2", "st-b"),
            Ev.Completed("st-2c", Now.AddMinutes(-5), "st-2", "resolved"),
            // 5 min ago: gave up after 60 s. And one waiting now.
            Ev.Queued("st-3q", Now.AddMinutes(-5), "st-3", "st"),
            Ev.Abandoned("st-3x", Now.AddMinutes(-4), "st-3"),
            Ev.Queued("st-4q", Now.AddMinutes(-1), "st-4", "st"),
            // Two hours ago: outside both windows.
            Ev.Queued("st-0q", Now.AddHours(-2), "st-0", "st"),
            Ev.Answered("st-0a", Now.AddHours(-2).AddSeconds(5), "st-0", "st-b"),
            Ev.Completed("st-0c", Now.AddHours(-2).AddMinutes(10), "st-0", "resolved"))).StatusCode);
        await app.LiveCaughtUpAsync();

        var staffing = (await GetAsync(http, "/api/queues/st")).GetProperty("snapshot").GetProperty("staffing");
        var inputs = staffing.GetProperty("inputs");
        Assert.Equal(3, inputs.GetProperty("arrived15").GetInt64());
        Assert.Equal(4, inputs.GetProperty("arrived60").GetInt64());
        Assert.Equal(2.0 / 3 * 12 + 1.0 / 3 * 4, inputs.GetProperty("callsPerHour").GetDouble(), 9);
        Assert.Equal(2, inputs.GetProperty("handled60").GetInt64());
        Assert.Equal(255, inputs.GetProperty("talkSeconds").GetDouble(), 6);
        // st-c has been in wrap-up for two hours: an episode under way times nothing yet.
        Assert.Equal(0, inputs.GetProperty("wrapUps60").GetInt64());
        Assert.Equal(JsonValueKind.Null, inputs.GetProperty("wrapUpSeconds").ValueKind);
        Assert.Equal(255, inputs.GetProperty("handleSeconds").GetDouble(), 6);
        Assert.Equal(1, inputs.GetProperty("abandoned60").GetInt64());
        Assert.Equal(150, inputs.GetProperty("patienceSeconds").GetDouble(), 6);
        Assert.Equal(30, inputs.GetProperty("asaTargetSeconds").GetDouble());
        Assert.Equal(3, staffing.GetProperty("has").GetInt32());
        Assert.Equal("erlang-a", staffing.GetProperty("model").GetString());
        Assert.Equal((2.0 / 3 * 12 + 1.0 / 3 * 4) / 3600 * 255, staffing.GetProperty("erlangs").GetDouble(), 9);
        Assert.True(staffing.GetProperty("needed").GetInt32() >= 2);
        Assert.Equal(JsonValueKind.Number, staffing.GetProperty("expectedAsaSeconds").ValueKind);

        // The center pools queues whose agents differ: it has no staffing figure.
        Assert.Equal(JsonValueKind.Null, (await GetAsync(http, "/api/center")).GetProperty("staffing").ValueKind);
    }

    [Fact]
    public async Task The_handle_time_adds_the_mean_wrap_up_episode_of_the_queues_agents_whatever_the_delivery_and_after_a_rebuild()
    {
        using var http = app.Client();
        // Talk: 180 s and 200 s, so 190 s a call.
        var calls = new[]
        {
            Ev.Queued("wu-1q", Now.AddMinutes(-40), "wu-1", "wu"),
            Ev.Answered("wu-1a", Now.AddMinutes(-39), "wu-1", "wu-a"),
            Ev.Completed("wu-1c", Now.AddMinutes(-36), "wu-1", "resolved"),
            Ev.Queued("wu-2q", Now.AddMinutes(-20), "wu-2", "wu"),
            Ev.Answered("wu-2a", Now.AddMinutes(-20).AddSeconds(10), "wu-2", "wu-b"),
            Ev.Completed("wu-2c", Now.AddMinutes(-16).AddSeconds(-30), "wu-2", "resolved"),
        };
        // Delivered first: wu-a's status events without the end of its wrap-up 36 min ago, wu-b's without the start of
        // the one it ended 59 min ago, and an agent of another queue.
        var first = new[]
        {
            Ev.AgentStatus("wu-a1", Now.AddMinutes(-39), "wu-a", "busy", "wu"),
            Ev.AgentStatus("wu-a2", Now.AddMinutes(-36), "wu-a", "wrap_up"),
            Ev.AgentStatus("wu-a4", Now.AddMinutes(-1), "wu-a", "wrap_up"), // under way: not ended, not counted
            Ev.AgentStatus("wu-b2", Now.AddMinutes(-59), "wu-b", "available", "wu", "wu2"),
            Ev.AgentStatus("wu-b3", Now.AddMinutes(-20).AddSeconds(10), "wu-b", "busy"),
            Ev.AgentStatus("wu-b4", Now.AddMinutes(-16).AddSeconds(-30), "wu-b", "wrap_up"),
            Ev.AgentStatus("wu-b5", Now.AddMinutes(-15), "wu-b", "break"),
            Ev.AgentStatus("wu-c1", Now.AddMinutes(-10), "wu-c", "wrap_up", "wu-other"),
            Ev.AgentStatus("wu-c2", Now.AddMinutes(-9), "wu-c", "available"),
        };
        // Late: the end of wu-a's wrap-up (35 min ago), the start of wu-b's (70 min ago: before the hour, ended in it), and
        // an episode two hours ago (ended outside the hour).
        var late = new[]
        {
            Ev.AgentStatus("wu-a3", Now.AddMinutes(-35), "wu-a", "available"),
            Ev.AgentStatus("wu-b1", Now.AddMinutes(-70), "wu-b", "wrap_up", "wu", "wu2"),
            Ev.AgentStatus("wu-a0", Now.AddHours(-2), "wu-a", "wrap_up", "wu"),
            Ev.AgentStatus("wu-a0e", Now.AddHours(-2).AddSeconds(30), "wu-a", "available"),
        };
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. calls.Reverse(), .. first.Reverse()])).StatusCode);
        await app.LiveCaughtUpAsync();
        // So far wu-a wrapped up from 36 min ago to 1 min ago (2,100 s) and wu-b for 90 s: 1,095 s on average.
        await AssertHandleAsync(http, wrapUps: 2, wrapUpSeconds: 1_095, "before the late events");

        // The late events, each batch with duplicates of what came before.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(late[0], first[1], calls[2])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(late[3], late[1], late[2], late[0], first[4])).StatusCode);
        await app.LiveCaughtUpAsync();
        // wu-a 60 s (36 → 35 min ago), wu-b 660 s (70 → 59 min ago) and 90 s: 810 s over 3 episodes, 270 s a call.
        await AssertHandleAsync(http, wrapUps: 3, wrapUpSeconds: 270, "in any order and twice");

        await app.LiveRebuiltAsync();
        await AssertHandleAsync(http, wrapUps: 3, wrapUpSeconds: 270, "after a rebuild");
        // The other queue's agent wrapped up in its own queue only.
        var other = (await GetAsync(http, "/api/queues/wu-other")).GetProperty("snapshot").GetProperty("staffing").GetProperty("inputs");
        Assert.Equal(1, other.GetProperty("wrapUps60").GetInt64());
        Assert.Equal(60, other.GetProperty("wrapUpSeconds").GetDouble(), 6);
    }

    [Fact]
    public async Task An_agent_that_flaps_is_timed_over_its_latest_status_events_only()
    {
        using var http = app.Client();
        // 50 wrap-ups of 20 s in the last 50 minutes, each followed by 40 s available: 100 status events, more than a
        // projection reads. The latest AgentRow.RecentMost of them (61) begin with an "available" and hold 30 episodes.
        var flaps = Enumerable.Range(0, 50).SelectMany(k => new[]
        {
            Ev.AgentStatus($"wf-{k}w", Now.AddMinutes(-50 + k), "wf-a", "wrap_up", "wf"),
            Ev.AgentStatus($"wf-{k}a", Now.AddMinutes(-50 + k).AddSeconds(20), "wf-a", "available"),
        }).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(flaps)).StatusCode);
        await app.LiveCaughtUpAsync();

        var inputs = (await GetAsync(http, "/api/queues/wf")).GetProperty("snapshot").GetProperty("staffing").GetProperty("inputs");
        Assert.Equal((AgentRow.RecentMost - 1) / 2, inputs.GetProperty("wrapUps60").GetInt64());
        Assert.Equal(20, inputs.GetProperty("wrapUpSeconds").GetDouble(), 6);
    }

    async Task AssertHandleAsync(HttpClient http, long wrapUps, double wrapUpSeconds, string how)
    {
        var inputs = (await GetAsync(http, "/api/queues/wu")).GetProperty("snapshot").GetProperty("staffing").GetProperty("inputs");
        Assert.True(inputs.GetProperty("handled60").GetInt64() == 2, how);
        Assert.True(Math.Abs(inputs.GetProperty("talkSeconds").GetDouble() - 190) < 1e-6, how);
        Assert.True(inputs.GetProperty("wrapUps60").GetInt64() == wrapUps, $"{how}: {inputs}");
        Assert.True(Math.Abs(inputs.GetProperty("wrapUpSeconds").GetDouble() - wrapUpSeconds) < 1e-6, $"{how}: {inputs}");
        Assert.True(Math.Abs(inputs.GetProperty("handleSeconds").GetDouble() - (190 + wrapUpSeconds)) < 1e-6, $"{how}: {inputs}");
    }

    static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
