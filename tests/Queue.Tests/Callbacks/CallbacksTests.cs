using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Callbacks;

/// <summary>
/// SPEC §10's callers to call back: abandoned calls (not short abandons) whose caller has not been answered since in
/// any queue, one row per caller with their attempts; a caller answered later leaves the list by itself.
/// </summary>
public sealed class CallbacksTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    readonly List<JsonNode> events = [];
    int n;

    void Call(string queue, string? caller, int minutesAgo, int waitSeconds, bool answered)
    {
        var call = $"cb-c{++n}";
        var at = Now.AddMinutes(-minutesAgo);
        events.Add(Ev.Queued($"cb-q{n}", at, call, queue, caller: caller));
        events.Add(answered ? Ev.Answered($"cb-a{n}", at.AddSeconds(waitSeconds), call, "ag-cb") : Ev.Abandoned($"cb-x{n}", at.AddSeconds(waitSeconds), call));
    }

    static string Since(DateTimeOffset at) => "since=" + Uri.EscapeDataString(Ev.At(at));

    async Task<List<JsonElement>> ListAsync(HttpClient http, string query = "") =>
        [.. (await http.GetFromJsonAsync<JsonElement>("/api/callbacks?" + query)).GetProperty("callers").EnumerateArray()];

    [Fact]
    public async Task A_caller_who_gave_up_is_listed_once_with_their_attempts_until_answered_in_any_queue()
    {
        using var http = app.Client();
        Call("cb-1", "+7 900 000-00-01", 50, 20, answered: false);  // tries b2c, gives up after 20 s
        Call("cb-2", "+79000000001", 30, 40, answered: false);      // the same number written otherwise, in another queue
        Call("cb-1", "+7 900 000-00-02", 45, 3, answered: false);   // a short abandon: a misdial, nobody to call back
        Call("cb-1", "+7 900 000-00-03", 40, 25, answered: false);  // gave up ...
        Call("cb-2", "+7 900 000-00-03", 20, 10, answered: true);   // ... then got through elsewhere
        Call("cb-2", "+7 900 000-00-04", 35, 10, answered: true);   // answered first ...
        Call("cb-1", "+7 900 000-00-04", 10, 15, answered: false);  // ... gave up later: to call back
        Call("cb-1", null, 5, 12, answered: false);                 // no caller: the call alone
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);

        var all = await ListAsync(http);
        Assert.Equal(["cb-c8", "cb-c7", "cb-c2"], all.Select(c => c.GetProperty("callId").GetString()));
        var twice = all[2];
        Assert.Equal(("cb-2", 2, 40.0, true), (twice.GetProperty("queue").GetString(), twice.GetProperty("attempts").GetInt32(),
            twice.GetProperty("waitSeconds").GetDouble(), twice.GetProperty("callerKnown").GetBoolean()));
        Assert.Equal(Now.AddMinutes(-30).AddSeconds(40), twice.GetProperty("abandonedAt").GetDateTimeOffset());
        Assert.False(all[0].GetProperty("callerKnown").GetBoolean());
        // Per queue: the queue of the caller's latest attempt.
        Assert.Equal(["cb-c8", "cb-c7"], (await ListAsync(http, "queue=cb-1")).Select(c => c.GetProperty("callId").GetString()));
        Assert.Equal(["cb-c2"], (await ListAsync(http, "queue=cb-2")).Select(c => c.GetProperty("callId").GetString()));
        Assert.Equal(["cb-c8", "cb-c7"], (await ListAsync(http, Since(Now.AddMinutes(-15)))).Select(c => c.GetProperty("callId").GetString()));
        // No number anywhere in the answer: callers are told apart by their keyed hash alone.
        var answer = await http.GetStringAsync("/api/callbacks");
        foreach (var part in (string[])["900 000", "000-00-0", "7900000000"]) Assert.DoesNotContain(part, answer, StringComparison.Ordinal);

        // Called back, or got through on their own: the caller leaves the list.
        events.Clear();
        Call("cb-3", "+7 900 000-00-01", 1, 30, answered: true);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);
        Assert.Equal(["cb-c8", "cb-c7"], (await ListAsync(http)).Select(c => c.GetProperty("callId").GetString()));

        Assert.Empty(await CsvCheck.DifferencesAsync(http, "/api/callbacks?queue=cb-1", "/api/callbacks.csv?queue=cb-1", j => j.GetProperty("callers").EnumerateArray()));
    }

    [Theory]
    [InlineData("queue=a%20b", "queue")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2999-01-01T00:00:00Z", "since")]
    [InlineData("since=2000-01-01T00:00:00Z", "since")]
    public async Task A_bad_queue_or_since_is_a_400_naming_it(string query, string field)
    {
        using var http = app.Client();
        foreach (var path in (string[])["/api/callbacks?", "/api/callbacks.csv?"])
        {
            var response = await http.GetAsync(path + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal([field], (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name));
        }
        using var anonymous = app.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/callbacks")).StatusCode);
    }
}
