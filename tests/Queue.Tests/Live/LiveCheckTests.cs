using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Queue.Live;
using Queue.Redis;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// <c>GET /api/live/check</c>, what <c>ops/live-check</c> asks: live state against PostgreSQL for the center and every
/// queue, as the tests' own <see cref="LiveCheck"/> compares them. Equal after traffic; a difference made in Redis is
/// reported by queue, window and figure, and stays reported; admin keys only; 503 while live state is rebuilt.
/// </summary>
public sealed class LiveCheckTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    string Key(string queue, LayoutKey key) => new LiveKeys(app.RedisPrefix).Of(queue, key);

    [Fact]
    public async Task After_traffic_live_state_equals_PostgreSQL_for_the_center_and_every_queue()
    {
        using var http = app.Client();
        await PostTrafficAsync(http, "lc-a", "lc-b");
        await app.LiveCaughtUpAsync();

        var report = await CheckAsync(http);
        Assert.True(report.GetProperty("equal").GetBoolean(), report.ToString());
        Assert.Empty(report.GetProperty("differences").EnumerateArray());
        Assert.True(report.GetProperty("queues").GetInt32() >= 2);
        Assert.Equal(Now, report.GetProperty("checkedAt").GetDateTimeOffset());
        // The tests' own comparison, through the API, says the same.
        foreach (var scope in new[] { null, "lc-a", "lc-b" }) Assert.Empty(await LiveCheck.DifferencesAsync(http, app.Db, scope));

        var text = await TextAsync(http, "?queue=lc-a");
        Assert.StartsWith("live state equals PostgreSQL: queue lc-a, checked at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_figure_lost_in_Redis_is_reported_by_queue_window_and_figure_and_only_it()
    {
        using var http = app.Client();
        await PostTrafficAsync(http, "lc-x", "lc-y");
        await app.LiveCaughtUpAsync();
        try
        {
            // What live state holds of lc-x's answered legs, gone: its windows count none; lc-y is untouched.
            await app.Redis.Db.KeyDeleteAsync(Key("lc-x", RedisLayout.Answered));
            await app.Redis.Db.KeyDeleteAsync(Key("lc-x", RedisLayout.InServiceLevel));

            var report = await CheckAsync(http);
            Assert.False(report.GetProperty("equal").GetBoolean());
            var differences = report.GetProperty("differences").EnumerateArray().ToList();
            var m15 = Assert.Single(differences, d => d.GetProperty("queue").GetString() == "lc-x"
                && d.GetProperty("window").GetString() == "m15" && d.GetProperty("figure").GetString() == "answered");
            Assert.Equal(0, m15.GetProperty("live").GetDouble());
            Assert.Equal(await PostgresAnsweredAsync(http, m15, "lc-x"), m15.GetProperty("postgres").GetDouble());
            Assert.Contains(differences, d => d.GetProperty("queue").ValueKind == JsonValueKind.Null && d.GetProperty("figure").GetString() == "answered");
            Assert.DoesNotContain(differences, d => d.GetProperty("queue").GetString() == "lc-y");
            Assert.DoesNotContain(differences, d => d.GetProperty("window").GetString() == "now");

            var text = await TextAsync(http, "?queue=lc-x");
            Assert.StartsWith("live state differs from PostgreSQL in ", text, StringComparison.Ordinal);
            Assert.Contains($"lc-x m15 answered: live 0, PostgreSQL {m15.GetProperty("postgres").GetDouble()} (from ", text, StringComparison.Ordinal);
        }
        finally
        {
            await app.LiveRebuiltAsync();
        }
        Assert.True((await CheckAsync(http)).GetProperty("equal").GetBoolean());
    }

    [Fact]
    public async Task Waiting_calls_the_queue_no_longer_lists_are_reported_though_their_count_is_right()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("lc-w-q1", Now.AddSeconds(-40), "lc-w-c1", "lc-w"), Ev.Queued("lc-w-q2", Now.AddSeconds(-20), "lc-w-c2", "lc-w"))).StatusCode);
        await app.LiveCaughtUpAsync();
        try
        {
            // As when the members of waiting and the fields of waitinfo no longer match: no error, an empty list.
            await app.Redis.Db.KeyDeleteAsync(Key("lc-w", RedisLayout.WaitInfo));

            var report = await CheckAsync(http, "?queue=lc-w");
            var difference = Assert.Single(report.GetProperty("differences").EnumerateArray());
            Assert.Equal(("lc-w", "now", "waiting"), (difference.GetProperty("queue").GetString(), difference.GetProperty("window").GetString(),
                difference.GetProperty("figure").GetString()));
            Assert.Equal((0d, 2d), (difference.GetProperty("live").GetDouble(), difference.GetProperty("postgres").GetDouble()));
        }
        finally
        {
            await app.LiveRebuiltAsync();
        }
    }

    [Fact]
    public async Task A_difference_gone_by_the_next_reading_is_not_reported()
    {
        using var http = app.Client();
        await PostTrafficAsync(http, "lc-t", "lc-u");
        await app.LiveCaughtUpAsync();
        var checker = app.Factory.Services.GetRequiredService<LiveChecker>();
        var answered = Key("lc-t", RedisLayout.Answered);
        var held = await app.Redis.Db.KeyDumpAsync(answered);

        // As while an event is on its way to live state: the first reading differs, the next no longer.
        await app.Redis.Db.KeyDeleteAsync(answered);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var check = checker.CheckAsync("lc-t", CancellationToken.None);
        await Task.Delay(100);
        await app.Redis.Db.KeyRestoreAsync(answered, held!);
        var report = await check;

        Assert.True(report.Equal, string.Join("\n", report.Differences));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(200), "the check did not read again");
    }

    [Fact]
    public void Calls_waiting_differ_by_the_legs_that_differ_in_every_reading()
    {
        static Found Waiting(long live, long postgres, params string[] legs) =>
            new(new LiveDifference("q", "now", null, null, "waiting", live, postgres), legs.ToHashSet(StringComparer.Ordinal));

        // Busy: each reading catches other calls on their way; no leg differs twice.
        Assert.Empty(LiveComparison.Persisting([Waiting(3, 4, "c1#0")], [Waiting(5, 4, "c2#0", "c3#0")]));
        // One leg listed in no reading: reported, with the latest reading's counts.
        var kept = Assert.Single(LiveComparison.Persisting([Waiting(3, 4, "c1#0", "c9#0")], [Waiting(4, 5, "c9#0")]));
        Assert.Equal((4d, 5d), (kept.Difference.Live, kept.Difference.Postgres));
        // A window's figure read at the same instant: reported when every reading shows it.
        var figure = new Found(new LiveDifference("q", "m15", null, null, "answered", 0, 4), new HashSet<string> { "" });
        Assert.Single(LiveComparison.Persisting([figure], [figure]));
        Assert.Empty(LiveComparison.Persisting([figure], []));
    }

    [Theory]
    [InlineData("wallboard")]
    [InlineData("supervisor")]
    [InlineData("ingest")]
    public async Task Only_an_admin_key_may_check(string role)
    {
        using var http = app.Client(await app.KeyAsync(role));
        Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync("/api/live/check")).StatusCode);
        using var none = app.Client(key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await none.GetAsync("/api/live/check")).StatusCode);
    }

    [Fact]
    public async Task While_live_state_is_rebuilt_the_check_answers_503()
    {
        using var http = app.Client();
        var store = app.Factory.Services.GetRequiredService<LiveStore>();
        var token = Guid.NewGuid().ToString("N");
        // As while another node rebuilds: it holds the lock, and the cursor is gone.
        Assert.True(await store.TryLockAsync(token, TimeSpan.FromSeconds(30)));
        try
        {
            await app.Redis.Db.KeyDeleteAsync(app.Redis.CursorKey);
            using var response = await http.GetAsync("/api/live/check");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(Queue.Api.ProblemTypes.LiveUnavailable, (await response.JsonAsync()).GetProperty("type").GetString());
        }
        finally
        {
            await store.ReleaseLockAsync(token);
        }
        await app.LiveCaughtUpAsync();
    }

    [Fact]
    public async Task A_bad_queue_name_is_a_400()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/live/check?queue=bad%20name")).StatusCode);
    }

    async Task<JsonElement> CheckAsync(HttpClient http, string query = "")
    {
        using var response = await http.GetAsync("/api/live/check" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    async Task<string> TextAsync(HttpClient http, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/live/check" + query);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/plain"));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>What /api/metrics says of a difference's window: the figure the check reported as PostgreSQL's.</summary>
    static async Task<double> PostgresAnsweredAsync(HttpClient http, JsonElement difference, string queue)
    {
        var from = Uri.EscapeDataString(difference.GetProperty("from").GetString()!);
        var to = Uri.EscapeDataString(difference.GetProperty("to").GetString()!);
        var metrics = await http.GetFromJsonAsync<JsonElement>($"/api/metrics?from={from}&to={to}&queue={queue}");
        return metrics.GetProperty("answered").GetDouble();
    }

    // Calls in two queues: waiting, answered, abandoned (short and not), completed each way; visits met and missed.
    async Task PostTrafficAsync(HttpClient http, string a, string b)
    {
        var at = Now.AddMinutes(-12);
        var events = new List<JsonNode>();
        for (var i = 0; i < 16; i++)
        {
            var queue = i % 2 == 0 ? a : b;
            var call = $"{a}-c{i}";
            events.Add(Ev.Queued($"{a}-q{i}", at.AddSeconds(10 * i), call, queue));
            if (i % 5 == 0) continue; // still waiting
            events.Add(i % 3 == 0
                ? Ev.Abandoned($"{a}-x{i}", at.AddSeconds(10 * i + i), call)
                : Ev.Answered($"{a}-n{i}", at.AddSeconds(10 * i + 4 * i), call, "ag-" + a));
            if (i % 4 == 1) events.Add(Ev.Completed($"{a}-d{i}", at.AddSeconds(10 * i + 300), call, i % 8 == 1 ? "resolved" : null));
        }
        events.Add(Ev.Queued($"{a}-vq", Now.AddHours(-30), $"{a}-vc", a));
        events.Add(Ev.Answered($"{a}-va", Now.AddHours(-30).AddSeconds(5), $"{a}-vc", "ag-" + a));
        events.Add(Ev.Completed($"{a}-vd", Now.AddHours(-30).AddMinutes(3), $"{a}-vc", "field_visit", $"{a}-v1"));
        events.Add(Ev.VisitCreated($"{a}-v1c", Now.AddHours(-30).AddMinutes(3), $"{a}-v1", $"{a}-vc"));
        events.Add(Ev.VisitCreated($"{a}-v2c", Now.AddHours(-50), $"{a}-v2", region: "ural"));
        events.Add(Ev.VisitResolved($"{a}-v2r", Now.AddHours(-40), $"{a}-v2"));
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);
    }
}
