using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Queue.EventLog;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Storage;

/// <summary>Retention deletes idempotency keys a hundred at a time, so that a month takes many short transactions.</summary>
public sealed class RetentionApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Queue:Retention:KeyBatch"] = "100" };
}

/// <summary>
/// Raw events past <c>Queue:Retention:RawEvents</c> go a whole month at a time, with their idempotency keys; calls, legs,
/// visits, agents, alerts and stored reports stay as they were, and an event sent again after its row is gone is refused
/// as too old rather than stored again (docs/adr/0007).
/// </summary>
public sealed class RetentionTests(RetentionApp app) : IClassFixture<RetentionApp>
{
    // What retention must leave as it was. Alerts by what makes each one, their history by their raising.
    static readonly Dictionary<string, string> Kept = new()
    {
        ["calls"] = "select t::text from calls t order by 1",
        ["legs"] = "select t::text from legs t order by 1",
        ["visits"] = "select t::text from visits t order by 1",
        ["agents"] = "select t::text from agents t order by 1",
        ["weekly_reports"] = "select t::text from weekly_reports t order by 1",
        ["alerts"] = "select concat_ws(' ', id, kind, subject, raised_at) from alerts order by id",
        ["alert_history"] = "select concat_ws(' ', alert_id, at, action) from alert_history where action = 'raised' order by 1",
    };

    [Fact]
    public async Task A_month_past_retention_is_dropped_with_its_keys_and_everything_derived_from_it_is_kept()
    {
        using var http = app.Client();
        var start = app.Time.GetUtcNow();
        var events = Traffic(start.AddDays(-6)).ToList();
        await http.PostEventsRetryingAsync([.. events]);
        // A call left waiting raises queue.wait with no event; last week's report is made and kept.
        await http.PostEventsRetryingAsync(Ev.Queued("rt-wait-q", start.AddMinutes(-5), "rt-wait", "rt-a"));
        await UntilAsync(async () => await app.CountAsync("alerts") > 0, "an alert was raised");
        var report = await http.GetStringAsync("/api/reports/weekly/2026-W47.json");
        var keys = await app.CountAsync("event_keys");
        Assert.Equal(events.Count + 1, keys);
        var kept = await SnapshotAsync();
        Assert.All(Kept.Keys, t => Assert.NotEmpty(kept[t]));

        // A node 400 days (the default) after the end of November 2026, and a few more, runs the retention job.
        await using var later = new OtherNode(app, new FakeTimeProvider(new DateTimeOffset(2028, 1, 10, 4, 0, 0, TimeSpan.FromHours(5))));
        using var laterHttp = later.Client();
        var jobs = later.Factory.Services.GetRequiredService<EventLogJobs>();
        Assert.Equal(1, await jobs.DropPastRetentionAsync(CancellationToken.None));

        var months = (await later.Factory.Services.GetRequiredService<EventPartitions>().ListAsync(CancellationToken.None)).Select(p => p.Name).ToList();
        Assert.DoesNotContain("events_2026_11", months);
        Assert.Contains("events_2026_12", months); // ends 2027-01-01, not yet 400 days before
        Assert.Equal(0L, await app.CountAsync("pg_class where relname = 'events_2026_11'"));
        Assert.Equal(0L, await app.CountAsync("events"));
        Assert.Equal(0L, await app.CountAsync("event_keys"));
        Assert.Equal(0L, await app.CountAsync("event_partition_purges"));
        await SameOrMoreAsync(kept);
        Assert.Equal(report, await http.GetStringAsync("/api/reports/weekly/2026-W47.json"));

        // Nothing more is due: a second run drops nothing.
        Assert.Equal(0, await jobs.DropPastRetentionAsync(CancellationToken.None));

        // Its events sent again are refused as too old, and change nothing.
        using var again = await laterHttp.PostEventsAsync([.. events.Take(10)]);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("older than", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0L, await app.CountAsync("event_keys"));
        await SameOrMoreAsync(kept);
    }

    [Fact]
    public async Task Retention_never_drops_what_ingest_still_accepts()
    {
        var partitions = app.Factory.Services.GetRequiredService<EventPartitions>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            partitions.DropBeforeAsync(app.Time.GetUtcNow() - TimeSpan.FromDays(6), 100, CancellationToken.None));
        Assert.Contains("oldest event ingest accepts", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("7.00:00:00", "7.00:00:00")]
    [InlineData("7.12:00:00", "7.00:00:00")]
    [InlineData("10.00:00:00", "10.00:00:00")]
    public async Task The_service_refuses_to_start_with_a_retention_not_a_day_past_the_lateness(string retention, string lateness)
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Queue"] = TestDatabase.BaseConnectionString,
                ["Queue:Ingest:CallerHashSecret"] = QueueApp.CallerSecret,
                ["Queue:Ingest:Lateness"] = lateness,
                ["Queue:Retention:RawEvents"] = retention,
                ["Queue:Jobs:Server"] = "false",
            }));
        });

        var error = Record.Exception(() => factory.Server);

        Assert.NotNull(error);
        Assert.Contains("Queue:Retention:RawEvents must be at least Queue:Ingest:Lateness plus a day", error.ToString(), StringComparison.Ordinal);
    }

    // Calls in two queues over six days, a visit past its deadlines, agents.
    static IEnumerable<JsonNode> Traffic(DateTimeOffset from)
    {
        for (var i = 0; i < 150; i++)
        {
            var at = from.AddMinutes(i * 50);
            var call = $"rt-call-{i}";
            yield return Ev.Queued($"rt-{i}-q", at, call, i % 2 == 0 ? "rt-a" : "rt-b");
            yield return i % 5 == 0 ? Ev.Abandoned($"rt-{i}-x", at.AddSeconds(12), call) : Ev.Answered($"rt-{i}-a", at.AddSeconds(i % 60), call, $"rt-ag-{i % 3}");
            if (i % 5 != 0) yield return Ev.Completed($"rt-{i}-c", at.AddMinutes(4), call, i % 10 == 1 ? "field_visit" : "resolved", i % 10 == 1 ? $"rt-v-{i}" : null);
            if (i % 10 == 1) yield return Ev.VisitCreated($"rt-{i}-v", at.AddMinutes(5), $"rt-v-{i}", call, "r1");
            if (i % 20 == 1) yield return Ev.VisitResolved($"rt-{i}-r", at.AddHours(20), $"rt-v-{i}");
        }
        for (var a = 0; a < 3; a++) yield return Ev.AgentStatus($"rt-ag-{a}-s", from, $"rt-ag-{a}", "available");
    }

    // Derived rows and reports as they were; every alert and its raising still there (a node with a later clock may
    // raise more, and clear or escalate these: not retention's doing).
    async Task SameOrMoreAsync(Dictionary<string, List<string>> before)
    {
        var now = await SnapshotAsync();
        foreach (var (table, rows) in before)
        {
            if (table.StartsWith("alert", StringComparison.Ordinal)) Assert.Empty(rows.Except(now[table]));
            else Assert.Equal(rows, now[table]);
        }
    }

    async Task<Dictionary<string, List<string>>> SnapshotAsync()
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        var tables = new Dictionary<string, List<string>>();
        foreach (var (table, sql) in Kept) tables[table] = [.. await connection.QueryAsync<string>(sql)];
        return tables;
    }

    static async Task UntilAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not within 15 s: {what}");
            await Task.Delay(50);
        }
    }
}
