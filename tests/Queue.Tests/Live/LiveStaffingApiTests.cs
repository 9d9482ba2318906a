using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>A queue's snapshot carries its staffing, from what live state counted of the last 15 and 60 minutes.</summary>
public sealed class LiveStaffingApiTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task The_snapshot_counts_arrivals_talk_time_wrap_up_and_patience_and_the_agents_serving_the_queue()
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
        Assert.Equal(1, inputs.GetProperty("wrapUpShare").GetDouble());
        Assert.Equal(510, inputs.GetProperty("handleSeconds").GetDouble(), 6);
        Assert.Equal(1, inputs.GetProperty("abandoned60").GetInt64());
        Assert.Equal(150, inputs.GetProperty("patienceSeconds").GetDouble(), 6);
        Assert.Equal(30, inputs.GetProperty("asaTargetSeconds").GetDouble());
        Assert.Equal(3, staffing.GetProperty("has").GetInt32());
        Assert.Equal("erlang-a", staffing.GetProperty("model").GetString());
        Assert.Equal((2.0 / 3 * 12 + 1.0 / 3 * 4) / 3600 * 510, staffing.GetProperty("erlangs").GetDouble(), 9);
        Assert.True(staffing.GetProperty("needed").GetInt32() >= 2);
        Assert.Equal(JsonValueKind.Number, staffing.GetProperty("expectedAsaSeconds").ValueKind);

        // The center pools queues whose agents differ: it has no staffing figure.
        Assert.Equal(JsonValueKind.Null, (await GetAsync(http, "/api/center")).GetProperty("staffing").ValueKind);
    }

    static async Task<JsonElement> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
