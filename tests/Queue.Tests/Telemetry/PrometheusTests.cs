using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Telemetry;

/// <summary>A service whose bodies may be 16 KB at most, so that a too-large one is cheap to send.</summary>
public sealed class SmallBodiesApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Queue:Ingest:MaxBodyBytes"] = "16384" };
}

/// <summary>docs/telemetry.md: the series <c>GET /metrics</c> shows, by the names the dashboards and alert rules use.</summary>
public sealed class PrometheusTests(SmallBodiesApp app) : IClassFixture<SmallBodiesApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Posted_events_are_counted_as_accepted_duplicate_or_rejected_by_reason()
    {
        using var ingest = app.Client();
        using var anonymous = app.Client(key: null);
        using var wallboard = app.Client(await app.KeyAsync("wallboard"));
        var before = await Scrape.OfAsync(anonymous);

        var a = Ev.AgentStatus("pm-1", Now, "pm-agent-1", "available");
        var b = Ev.AgentStatus("pm-2", Now, "pm-agent-2", "available");
        var c = Ev.AgentStatus("pm-3", Now, "pm-agent-3", "busy");
        var d = Ev.AgentStatus("pm-4", Now, "pm-agent-4", "busy");
        Assert.Equal(HttpStatusCode.OK, (await ingest.PostEventsAsync(a, b, c)).StatusCode);        // 3 new
        Assert.Equal(HttpStatusCode.OK, (await ingest.PostEventsAsync(a, b, c, d, d)).StatusCode);  // 1 new, 4 duplicates
        var bad = Ev.AgentStatus("pm-5", Now, "pm-agent-5", "asleep");
        Assert.Equal(HttpStatusCode.BadRequest, (await ingest.PostEventsAsync(bad, Ev.AgentStatus("pm-6", Now, "pm-agent-6", "busy"))).StatusCode); // 2 invalid
        Assert.Equal(HttpStatusCode.BadRequest, (await ingest.PostAsync("/api/events", Json("[{\"id\":"))).StatusCode); // 1 request, unreadable
        var conflicting = Ev.AgentStatus("pm-1", Now, "pm-agent-1", "offline");
        Assert.Equal(HttpStatusCode.Conflict, (await ingest.PostEventsAsync(Ev.AgentStatus("pm-7", Now, "pm-agent-7", "busy"), conflicting)).StatusCode); // 2
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await ingest.PostAsync("/api/events", Json(new string(' ', 20_000) + "[]"))).StatusCode); // 1 request
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostEventsAsync(d)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await wallboard.PostEventsAsync(d)).StatusCode);

        var after = await Scrape.OfAsync(anonymous);
        double Delta(string name, params (string, string)[] labels) => after.Sum(name, labels) - before.Sum(name, labels);
        Assert.Equal(4, Delta("queue_events_accepted_total"));
        Assert.Equal(4, Delta("queue_events_duplicate_total"));
        Assert.Equal(3, Delta("queue_events_rejected_total", ("reason", "invalid")));
        Assert.Equal(2, Delta("queue_events_rejected_total", ("reason", "conflict")));
        Assert.Equal(1, Delta("queue_events_rejected_total", ("reason", "too_large")));
        Assert.Equal(2, Delta("queue_events_rejected_total", ("reason", "unauthorized")));
        Assert.Equal(0, Delta("queue_events_rejected_total", ("reason", "unavailable")));
        Assert.Equal(8, Delta("queue_events_rejected_total"));
        // Every request the handler answered, refused or not; those refused before it (no key) are not its time.
        Assert.Equal(6, Delta("queue_ingest_duration_seconds_count"));
        Assert.Equal(6, Delta("queue_ingest_duration_seconds_bucket", ("le", "+Inf")));
        Assert.True(Delta("queue_ingest_duration_seconds_sum") > 0);
        Assert.True(after.Series("queue_ingest_duration_seconds_bucket").Count() > 5, "the histogram has buckets");
    }

    [Fact]
    public async Task Every_series_of_the_contract_is_there_from_the_start_with_its_type_and_labels()
    {
        using var anonymous = app.Client(key: null);
        // A request finished before the scrape, so ASP.NET Core has one to show whichever test of the class runs first
        // (the scrape's own request is recorded only once it is answered).
        using (var refused = await anonymous.GetAsync("/api/me"))
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        var scrape = await Scrape.OfAsync(anonymous);

        Assert.Equal("counter", scrape.Type("queue_events_accepted_total") ?? scrape.Type("queue_events_accepted"));
        Assert.Equal("gauge", scrape.Type("queue_live_lag_seconds"));
        Assert.Equal("gauge", scrape.Type("queue_alerts_open"));
        Assert.Equal("gauge", scrape.Type("queue_signalr_connections"));
        foreach (var name in (string[])["queue_events_accepted_total", "queue_events_duplicate_total", "queue_live_lag_seconds", "queue_signalr_connections"])
            Assert.True(scrape.Has(name), $"{name} is missing:\n{scrape.Text}");
        foreach (var reason in (string[])["invalid", "conflict", "unavailable", "too_large", "unauthorized"])
            Assert.Single(scrape.Series("queue_events_rejected_total"), s => s.GetValueOrDefault("reason") == reason);
        foreach (var kind in Queue.Alerts.AlertKinds.Names)
        {
            Assert.Single(scrape.Series("queue_alerts_raised_total"), s => s.GetValueOrDefault("kind") == kind);
            Assert.Single(scrape.Series("queue_alerts_open"), s => s.GetValueOrDefault("kind") == kind);
        }
        foreach (var outcome in (string[])["sent", "failed"])
            Assert.Single(scrape.Series("queue_report_sends_total"), s => s.GetValueOrDefault("outcome") == outcome);
        foreach (var channel in (string[])["email", "webhook"])
        {
            foreach (var outcome in (string[])["sent", "failed", "given_up"])
                Assert.Single(scrape.Series("queue_notifications_total"), s => s.GetValueOrDefault("channel") == channel && s.GetValueOrDefault("outcome") == outcome);
        }
        // The platform's own: requests, the runtime, PostgreSQL connections.
        Assert.True(scrape.Has("http_server_request_duration_seconds_count"), "ASP.NET Core metrics are missing");
        Assert.Contains(scrape.Text.Split('\n'), l => l.StartsWith("dotnet_", StringComparison.Ordinal));
        Assert.Contains(scrape.Text.Split('\n'), l => l.StartsWith("db_client_", StringComparison.Ordinal));
        // Live state follows here: its lag is a fraction of a second (an upper bound: the poll interval and a step).
        await app.LiveCaughtUpAsync();
        Assert.InRange((await Scrape.OfAsync(anonymous)).Sum("queue_live_lag_seconds"), 0, 5);
    }

    [Fact]
    public async Task A_raised_alert_is_counted_by_kind_and_shows_as_open_until_it_clears()
    {
        using var http = app.Client();
        using var anonymous = app.Client(key: null);
        var before = await Scrape.OfAsync(anonymous);

        // Waiting 40 s against a 30 s target: queue.wait is raised as soon as live state has the call.
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("pm-q1", Now.AddSeconds(-40), "pm-call-1", "pm-wait"))).StatusCode);
        // The service looks at every queue once a second of its clock: move the clock, in case the first look came
        // before the alerts were loaded at start.
        await UntilAsync(async () => (await AlertAsync(http, "open")) is not null, "queue.wait on pm-wait raised",
            () => app.Time.Advance(TimeSpan.FromSeconds(1)));
        var raised = await Scrape.OfAsync(anonymous);
        Assert.Equal(1, raised.Sum("queue_alerts_raised_total", ("kind", "queue.wait")) - before.Sum("queue_alerts_raised_total", ("kind", "queue.wait")));
        Assert.Equal(0, raised.Sum("queue_alerts_raised_total") - before.Sum("queue_alerts_raised_total") - 1);
        Assert.Equal(1, raised.Sum("queue_alerts_open", ("kind", "queue.wait")));

        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Answered("pm-a1", Now, "pm-call-1", "pm-agent"))).StatusCode);
        await UntilAsync(async () => (await AlertAsync(http, "cleared")) is not null, "queue.wait on pm-wait cleared");
        var cleared = await Scrape.OfAsync(anonymous);
        Assert.Equal(0, cleared.Sum("queue_alerts_open", ("kind", "queue.wait")));
        Assert.Equal(raised.Sum("queue_alerts_raised_total"), cleared.Sum("queue_alerts_raised_total"));
    }

    [Fact]
    public async Task The_signalr_gauge_follows_a_connected_client()
    {
        using var anonymous = app.Client(key: null);
        var before = (await Scrape.OfAsync(anonymous)).Sum("queue_signalr_connections");

        await using (var client = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("wallboard")))
        {
            await client.JoinCenterAsync();
            Assert.Equal(before + 1, (await Scrape.OfAsync(anonymous)).Sum("queue_signalr_connections"));
        }
        await UntilAsync(async () => (await Scrape.OfAsync(anonymous)).Sum("queue_signalr_connections") == before, "the gauge back down after the client left");
    }

    [Fact]
    public async Task Another_service_in_the_same_process_counts_apart()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var elsewhere = services.GetRequiredService<IMeterFactory>().Create("Queue");
        elsewhere.CreateCounter<long>("queue.events.accepted", "{event}").Add(1_000_000);
        using var anonymous = app.Client(key: null);

        var scrape = await Scrape.OfAsync(anonymous);
        Assert.Single(scrape.Series("queue_events_accepted_total"));
        Assert.True(scrape.Sum("queue_events_accepted_total") < 1_000_000, scrape.Text);
    }

    [Fact]
    public async Task By_default_metrics_and_health_answer_without_a_key_and_stay_out_of_the_API_document()
    {
        using var anonymous = app.Client(key: null);

        using var metrics = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain", metrics.Content.Headers.ContentType?.MediaType);
        Assert.Contains("queue_events_accepted_total", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.DoesNotContain("\"/metrics\"", document, StringComparison.Ordinal);
        Assert.DoesNotContain("\"/health/", document, StringComparison.Ordinal);
    }

    async Task<JsonElement?> AlertAsync(HttpClient http, string state)
    {
        var items = (await http.GetFromJsonAsync<JsonElement>($"/api/alerts?queue=pm-wait&kind=queue.wait&state={state}")).GetProperty("items");
        return items.GetArrayLength() > 0 ? items[0] : null;
    }

    static async Task UntilAsync(Func<Task<bool>> done, string what, Action? nudge = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        for (var i = 1; !await done(); i++)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("not within 15 s: " + what);
            await Task.Delay(50);
            if (i % 10 == 0) nudge?.Invoke();
        }
    }
}
