using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Agents;

/// <summary>
/// SPEC §10's agents: now (reason, missed today) and over a window (time in each status clipped to the window, breaks by
/// reason, answered, missed, talk, wrap-up and handle time, occupancy), as JSON and CSV; bad windows are 400 problems.
/// </summary>
public sealed class AgentReportTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    static string Window(DateTimeOffset from, DateTimeOffset to) =>
        $"from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}";

    // An hour of agent ar-1: logged in to ar-q1; a call it missed and then answered there, with wrap-up after it; a call of
    // ar-q2 it missed and ar-2 answered; then breaks with two reasons and none.
    List<JsonNode> Hour()
    {
        var t = Now.AddMinutes(-60);
        return
        [
            Ev.AgentStatus("ar-s1", t, "ar-1", "available", "ar-q1"),
            Ev.Queued("ar-q1", t.AddMinutes(9), "ar-c1", "ar-q1"),
            Ev.Missed("ar-m1", t.AddMinutes(9).AddSeconds(30), "ar-c1", "ar-1", 20),
            Ev.AgentStatus("ar-s2", t.AddMinutes(10), "ar-1", "busy"),
            Ev.Answered("ar-a1", t.AddMinutes(10), "ar-c1", "ar-1"),
            Ev.Completed("ar-d1", t.AddMinutes(15), "ar-c1", "resolved"),
            Ev.AgentStatus("ar-s3", t.AddMinutes(15), "ar-1", "wrap_up"),
            Ev.AgentStatus("ar-s4", t.AddMinutes(16), "ar-1", "available"),
            Ev.Queued("ar-q2", t.AddMinutes(20), "ar-c2", "ar-q2"),
            Ev.Missed("ar-m2", t.AddMinutes(21), "ar-c2", "ar-1"),
            Ev.Answered("ar-a2", t.AddMinutes(22), "ar-c2", "ar-2"),
            Ev.AgentStatus("ar-s5", t.AddMinutes(30), "ar-1", "break").Because("lunch"),
            Ev.AgentStatus("ar-s6", t.AddMinutes(40), "ar-1", "break"),
            Ev.AgentStatus("ar-s7", t.AddMinutes(45), "ar-1", "break").Because("training"),
            Ev.AgentStatus("ar-s8", t.AddMinutes(50), "ar-1", "offline"),
        ];
    }

    async Task PostHourAsync(HttpClient http)
    {
        var events = Hour();
        // In reverse, and twice: the report is the same as in order, once.
        await http.PostEventsRetryingAsync([.. Enumerable.Reverse(events)]);
        await http.PostEventsRetryingAsync([.. events.Where((_, i) => i % 2 == 0)]);
    }

    static JsonElement Agent(JsonElement report, string id) =>
        report.GetProperty("agents").EnumerateArray().Single(a => a.GetProperty("agentId").GetString() == id);

    [Fact]
    public async Task A_window_clips_episodes_keeps_break_reasons_and_counts_answered_missed_talk_and_wrap_up()
    {
        using var http = app.Client();
        await PostHourAsync(http);
        var t = Now.AddMinutes(-60);

        // From 5 minutes in (the status before carries in) to 47 minutes in (the training break is clipped).
        var report = await http.GetFromJsonAsync<JsonElement>($"/api/agents/report?{Window(t.AddMinutes(5), t.AddMinutes(47))}");
        var a = Agent(report, "ar-1");
        Assert.Equal(42 * 60, a.GetProperty("loggedInSeconds").GetDouble());
        Assert.Equal((5 + 14) * 60, a.GetProperty("availableSeconds").GetDouble());
        Assert.Equal(5 * 60, a.GetProperty("busySeconds").GetDouble());
        Assert.Equal(60, a.GetProperty("wrapUpSeconds").GetDouble());
        Assert.Equal(17 * 60, a.GetProperty("breakSeconds").GetDouble());
        Assert.Equal(["lunch 600", "training 120", "(none) 300"],
            a.GetProperty("breaks").EnumerateArray().Select(b => $"{b.GetProperty("reason").GetString() ?? "(none)"} {b.GetProperty("seconds").GetDouble()}"));
        Assert.Equal((1, 2, 1, 1), (a.GetProperty("answered").GetInt32(), a.GetProperty("missed").GetInt32(),
            a.GetProperty("talked").GetInt32(), a.GetProperty("wrapUps").GetInt32()));
        Assert.Equal(300, a.GetProperty("averageTalkSeconds").GetDouble());
        Assert.Equal(60, a.GetProperty("averageWrapUpSeconds").GetDouble());
        Assert.Equal(360, a.GetProperty("averageHandleSeconds").GetDouble());
        Assert.Equal(6.0 / 25, a.GetProperty("occupancy").GetDouble(), 12);
        Assert.Equal(["ar-q1"], a.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
        // ar-2 told no status: it answered, and no time is known.
        var other = Agent(report, "ar-2");
        Assert.Equal((1, 0.0, JsonValueKind.Null), (other.GetProperty("answered").GetInt32(), other.GetProperty("loggedInSeconds").GetDouble(),
            other.GetProperty("occupancy").ValueKind));

        // A queue narrows the calls counted and the agents listed; the agent's time stays whole.
        var q1 = await http.GetFromJsonAsync<JsonElement>($"/api/agents/report?{Window(t, Now)}&queue=ar-q1");
        Assert.Equal(["ar-1"], q1.GetProperty("agents").EnumerateArray().Select(r => r.GetProperty("agentId").GetString()));
        Assert.Equal((1, 1, 50.0 * 60), (Agent(q1, "ar-1").GetProperty("answered").GetInt32(), Agent(q1, "ar-1").GetProperty("missed").GetInt32(),
            Agent(q1, "ar-1").GetProperty("loggedInSeconds").GetDouble()));
        var q2 = await http.GetFromJsonAsync<JsonElement>($"/api/agents/report?{Window(t, Now)}&queue=ar-q2");
        Assert.Equal(["ar-1", "ar-2"], q2.GetProperty("agents").EnumerateArray().Select(r => r.GetProperty("agentId").GetString()));
        Assert.Equal((0, 1, JsonValueKind.Null), (Agent(q2, "ar-1").GetProperty("answered").GetInt32(), Agent(q2, "ar-1").GetProperty("missed").GetInt32(),
            Agent(q2, "ar-1").GetProperty("averageTalkSeconds").ValueKind));
        var both = await http.GetFromJsonAsync<JsonElement>($"/api/agents/report?{Window(t, Now)}&queue=ar-q1&queue=ar-q2");
        Assert.Equal(2, Agent(both, "ar-1").GetProperty("missed").GetInt32());
        Assert.Equal(["ar-q1", "ar-q2"], both.GetProperty("queues").EnumerateArray().Select(q => q.GetString()));
    }

    [Fact]
    public async Task The_CSV_has_the_JSON_s_numbers_with_a_column_per_break_reason()
    {
        using var http = app.Client();
        await PostHourAsync(http);
        var url = $"/api/agents/report?{Window(Now.AddMinutes(-60), Now)}&queue=ar-q1";
        var json = await http.GetFromJsonAsync<JsonElement>(url);
        var reasons = json.GetProperty("agents").EnumerateArray().SelectMany(a => a.GetProperty("breaks").EnumerateArray())
            .Select(b => b.GetProperty("reason").GetString()).Distinct().ToList();
        Assert.Equal(["lunch", "training", null], reasons);

        // The JSON's rows as the CSV lays them out: the breaks in a column per reason, 0 where an agent had none.
        IEnumerable<JsonElement> Spread(JsonElement answer) => answer.GetProperty("agents").EnumerateArray().Select(a =>
        {
            var row = JsonNode.Parse(a.GetRawText())!.AsObject();
            row.Remove("breaks");
            foreach (var reason in reasons)
            {
                var seconds = a.GetProperty("breaks").EnumerateArray().Where(b => b.GetProperty("reason").GetString() == reason)
                    .Select(b => b.GetProperty("seconds").GetDouble()).DefaultIfEmpty(0).Single();
                row["break:" + reason] = seconds;
            }
            return JsonSerializer.SerializeToElement(row);
        });
        Assert.Empty(await CsvCheck.DifferencesAsync(http, url, url.Replace("/report?", "/report.csv?", StringComparison.Ordinal), Spread));
        var (header, _) = CsvCheck.Read(await http.GetStringAsync(url.Replace("/report?", "/report.csv?", StringComparison.Ordinal)));
        Assert.Equal(["break:lunch", "break:training", "break:"], header.TakeLast(3));
    }

    [Fact]
    public async Task An_agent_on_break_shows_its_reason_live_with_the_offers_it_missed_today()
    {
        using var http = app.Client();
        var t = Now.AddMinutes(-10);
        await http.PostEventsRetryingAsync(
            Ev.AgentStatus("al-s1", t, "al-1", "available", "al-q"),
            Ev.Queued("al-q1", t.AddMinutes(1), "al-c1", "al-q"),
            Ev.Missed("al-m1", t.AddMinutes(2), "al-c1", "al-1"),
            Ev.Missed("al-m2", t.AddMinutes(3), "al-c1", "al-1"),
            Ev.Answered("al-a1", t.AddMinutes(4), "al-c1", "al-2"),
            Ev.AgentStatus("al-s2", t.AddMinutes(5), "al-1", "break").Because("coffee"));
        await app.LiveCaughtUpAsync();

        var live = await http.GetFromJsonAsync<JsonElement>("/api/agents?queue=al-q");
        var a = Agent(live, "al-1");
        Assert.Equal(("break", "coffee", 2L, 0L), (a.GetProperty("status").GetString(), a.GetProperty("reason").GetString(),
            a.GetProperty("missedToday").GetInt64(), a.GetProperty("answeredToday").GetInt64()));
        Assert.Equal(t.AddMinutes(5), a.GetProperty("since").GetDateTimeOffset());
        Assert.Equal(300, a.GetProperty("statusSeconds").GetDouble());
        // al-2 told no status: not listed live.
        Assert.DoesNotContain(live.GetProperty("agents").EnumerateArray(), r => r.GetProperty("agentId").GetString() == "al-2");
        // The queue's detail says the same.
        var detail = (await http.GetFromJsonAsync<JsonElement>("/api/queues/al-q")).GetProperty("agentList").EnumerateArray()
            .Single(r => r.GetProperty("agentId").GetString() == "al-1");
        Assert.Equal(("coffee", 2L), (detail.GetProperty("reason").GetString(), detail.GetProperty("missedToday").GetInt64()));
        // Another queue's list does not hold it.
        var elsewhere = await http.GetFromJsonAsync<JsonElement>("/api/agents?queue=al-none");
        Assert.Empty(elsewhere.GetProperty("agents").EnumerateArray());
    }

    [Fact]
    public async Task The_live_list_gives_today_s_handle_time_talk_and_wrap_up()
    {
        using var http = app.Client();
        var t = Now.AddMinutes(-20);
        await http.PostEventsRetryingAsync(
            Ev.AgentStatus("ah-s1", t, "ah-1", "available", "ah-q"),
            Ev.Queued("ah-q1", t.AddMinutes(1), "ah-c1", "ah-q"),
            Ev.Answered("ah-a1", t.AddMinutes(2), "ah-c1", "ah-1"),
            Ev.AgentStatus("ah-s2", t.AddMinutes(2), "ah-1", "busy"),
            Ev.Completed("ah-d1", t.AddMinutes(6), "ah-c1", "resolved"),
            Ev.AgentStatus("ah-s3", t.AddMinutes(6), "ah-1", "wrap_up"),
            Ev.AgentStatus("ah-s4", t.AddMinutes(7), "ah-1", "available"));
        await app.LiveCaughtUpAsync();

        var a = Agent(await http.GetFromJsonAsync<JsonElement>("/api/agents?queue=ah-q"), "ah-1");
        // Four minutes of talk, one of wrap-up: five of handle time, as the report over today says.
        Assert.Equal((240.0, 300.0), (a.GetProperty("averageTalkSeconds").GetDouble(), a.GetProperty("averageHandleSeconds").GetDouble()));
    }

    [Fact]
    public async Task Offers_stored_before_they_were_derived_are_derived_by_the_migration_as_ingest_derives_them()
    {
        using var http = app.Client();
        await PostHourAsync(http);
        var t = Now.AddMinutes(-30);
        // Missed at the instant of a transfer: in the queue it was transferred to. After the answer: in the last leg's.
        // Before any leg is known: in none.
        await http.PostEventsRetryingAsync(
            Ev.Queued("mb-q", t, "mb-c1", "mb-a"),
            Ev.Missed("mb-m1", t.AddSeconds(5), "mb-c1", "mb-1"),
            Ev.Transferred("mb-t", t.AddSeconds(10), "mb-c1", "mb-b"),
            Ev.Missed("mb-m2", t.AddSeconds(10), "mb-c1", "mb-2"),
            Ev.Answered("mb-a", t.AddSeconds(20), "mb-c1", "mb-3"),
            Ev.Missed("mb-m3", t.AddSeconds(20), "mb-c1", "mb-1"),
            Ev.Missed("mb-m4", t.AddSeconds(30), "mb-c2", "mb-1"));
        const string Rows = "select call_id || ' ' || offer || ' ' || agent_id || ' ' || at || ' ' || coalesce(queue, '-') from missed_offers order by 1";
        var derived = await Queue.Tests.Ingest.Scenarios.DerivedRows.ReadAsync(app.Db, Rows);
        Assert.Contains(derived, r => r.StartsWith("mb-c1 0 mb-1 ", StringComparison.Ordinal) && r.EndsWith(" mb-a", StringComparison.Ordinal));
        Assert.Contains(derived, r => r.StartsWith("mb-c1 1 mb-2 ", StringComparison.Ordinal) && r.EndsWith(" mb-b", StringComparison.Ordinal));
        Assert.Contains(derived, r => r.StartsWith("mb-c1 2 mb-1 ", StringComparison.Ordinal) && r.EndsWith(" mb-b", StringComparison.Ordinal));
        Assert.Contains(derived, r => r.StartsWith("mb-c2 0 mb-1 ", StringComparison.Ordinal) && r.EndsWith(" -", StringComparison.Ordinal));

        var migration = Queue.Tests.Ops.OpsFiles.Read("src", "Queue", "Storage", "Migrations", "0029_missed_offers.sql");
        var backfill = migration[migration.IndexOf("insert into missed_offers", StringComparison.Ordinal)..];
        await using (var redo = app.Db.CreateCommand("delete from missed_offers; " + backfill)) await redo.ExecuteNonQueryAsync();
        Assert.Equal(derived, await Queue.Tests.Ingest.Scenarios.DerivedRows.ReadAsync(app.Db, Rows));
    }

    [Theory]
    [InlineData("from=2026-11-23T10:00:00%2B05:00&to=2026-11-23T09:00:00%2B05:00", "to")]
    [InlineData("from=2026-11-23T10:00:00&to=2026-11-23T11:00:00%2B05:00", "from")]
    [InlineData("from=2026-11-23T10:00:00+05:00&to=2026-11-23T11:00:00%2B05:00", "from")]
    [InlineData("to=2026-11-23T11:00:00%2B05:00", "from")]
    [InlineData("from=2024-01-01T00:00:00Z&to=2026-11-23T11:00:00%2B05:00", "to")]
    [InlineData("from=2026-11-23T10:00:00Z&to=2026-11-23T11:00:00Z&queue=a%20b", "queue")]
    public async Task A_bad_window_is_a_400_problem_naming_the_field(string query, string field)
    {
        using var http = app.Client();
        foreach (var path in new[] { "/api/agents/report?", "/api/agents/report.csv?" })
        {
            using var response = await http.GetAsync(path + query);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), query);
        }
        using var live = await http.GetAsync("/api/agents?queue=a%20b");
        Assert.Equal(HttpStatusCode.BadRequest, live.StatusCode);
    }

    [Fact]
    public async Task Without_a_key_it_is_a_401_problem()
    {
        using var http = app.Client(key: null);
        foreach (var path in new[] { "/api/agents", "/api/agents/report?from=2026-11-23T10:00:00Z&to=2026-11-23T11:00:00Z", "/api/agents/report.csv?from=2026-11-23T10:00:00Z&to=2026-11-23T11:00:00Z" })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }
}
