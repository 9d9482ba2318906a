using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queue.Tests.Infrastructure;

/// <summary>Events as a producer would send them: JSON objects with an RFC 3339 <c>at</c> in center time (+05:00).</summary>
public static class Ev
{
    public static string At(DateTimeOffset at) =>
        at.ToOffset(TimeSpan.FromHours(5)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);

    static JsonObject E(string id, string type, DateTimeOffset at) => new() { ["id"] = id, ["type"] = type, ["at"] = At(at) };

    public static JsonObject Queued(string id, DateTimeOffset at, string callId, string queue, string? caller = null, string? region = null)
    {
        var e = E(id, "call.queued", at);
        e["callId"] = callId;
        e["queue"] = queue;
        if (caller is not null) e["caller"] = caller;
        if (region is not null) e["region"] = region;
        return e;
    }

    public static JsonObject Answered(string id, DateTimeOffset at, string callId, string agentId) =>
        With(E(id, "call.answered", at), ("callId", callId), ("agentId", agentId));

    public static JsonObject Abandoned(string id, DateTimeOffset at, string callId) => With(E(id, "call.abandoned", at), ("callId", callId));

    public static JsonObject Transferred(string id, DateTimeOffset at, string callId, string toQueue) =>
        With(E(id, "call.transferred", at), ("callId", callId), ("toQueue", toQueue));

    public static JsonObject Completed(string id, DateTimeOffset at, string callId, string? resolution, string? visitId = null)
    {
        var e = With(E(id, "call.completed", at), ("callId", callId));
        if (resolution is not null) e["resolution"] = resolution;
        if (visitId is not null) e["visitId"] = visitId;
        return e;
    }

    /// <summary>The outcome of a call, told later by a CRM.</summary>
    public static JsonObject Resolution(string id, DateTimeOffset at, string callId, string resolution, string? visitId = null)
    {
        var e = With(E(id, "call.resolution", at), ("callId", callId), ("resolution", resolution));
        if (visitId is not null) e["visitId"] = visitId;
        return e;
    }

    public static JsonObject Missed(string id, DateTimeOffset at, string callId, string agentId, double? ringSeconds = null)
    {
        var e = With(E(id, "call.missed", at), ("callId", callId), ("agentId", agentId));
        if (ringSeconds is not null) e["ringSeconds"] = ringSeconds;
        return e;
    }

    public static JsonObject AgentStatus(string id, DateTimeOffset at, string agentId, string status, params string[] queues)
    {
        var e = With(E(id, "agent.status", at), ("agentId", agentId), ("status", status));
        if (queues.Length > 0) e["queues"] = new JsonArray(queues.Select(q => (JsonNode?)JsonValue.Create(q)).ToArray());
        return e;
    }

    /// <summary>The status event with the reason it gives (a pause code).</summary>
    public static JsonObject Because(this JsonObject e, string reason)
    {
        e["reason"] = reason;
        return e;
    }

    public static JsonObject VisitCreated(string id, DateTimeOffset at, string visitId, string? callId = null, string? region = null)
    {
        var e = With(E(id, "visit.created", at), ("visitId", visitId));
        if (callId is not null) e["callId"] = callId;
        if (region is not null) e["region"] = region;
        return e;
    }

    public static JsonObject VisitResolved(string id, DateTimeOffset at, string visitId) => With(E(id, "visit.resolved", at), ("visitId", visitId));

    public static JsonObject VisitCancelled(string id, DateTimeOffset at, string visitId) => With(E(id, "visit.cancelled", at), ("visitId", visitId));

    static JsonObject With(JsonObject e, params (string Name, string Value)[] fields)
    {
        foreach (var (name, value) in fields) e[name] = value;
        return e;
    }

    /// <summary>
    /// A mix of calls from <paramref name="at"/> on, one a second, alternately in two queues: every third still waiting,
    /// every fifth of the rest abandoned after 7 s, the others answered by <paramref name="agent"/>, some completed.
    /// </summary>
    public static List<JsonNode> MixedCalls(string tag, DateTimeOffset at, int calls, (string A, string B) queues, string agent)
    {
        var events = new List<JsonNode>();
        for (var i = 0; i < calls; i++)
        {
            var call = $"{tag}-c{i}";
            events.Add(Queued($"{tag}-q{i}", at.AddSeconds(i), call, i % 2 == 0 ? queues.A : queues.B));
            if (i % 3 == 0) continue;
            events.Add(i % 5 == 0 ? Abandoned($"{tag}-x{i}", at.AddSeconds(i + 7), call) : Answered($"{tag}-a{i}", at.AddSeconds(i + 3 * (i % 20)), call, agent));
            if (i % 4 == 1) events.Add(Completed($"{tag}-d{i}", at.AddSeconds(i + 200), call, i % 8 == 1 ? "resolved" : "escalated"));
        }
        return events;
    }

    public static Task<HttpResponseMessage> PostEventsAsync(this HttpClient client, params JsonNode[] events) =>
        client.PostAsync("/api/events", JsonContent.Create(new JsonArray([.. events.Select(e => e.DeepClone())])));

    /// <summary>
    /// As a producer does: a 503 (the machine's two cores are shared by service nodes, PostgreSQL, Redis and the rest of
    /// the suite) is sent again after a moment, which event ids make safe; anything but a 200 then fails the test.
    /// </summary>
    public static async Task PostEventsRetryingAsync(this HttpClient client, params JsonNode[] events)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await client.PostEventsAsync(events);
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && attempt < 10)
            {
                await Task.Delay(200 * attempt);
                continue;
            }
            Xunit.Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return;
        }
    }

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string body, string contentType = "application/json") =>
        client.PostAsync("/api/events", new StringContent(body, System.Text.Encoding.UTF8, contentType));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
