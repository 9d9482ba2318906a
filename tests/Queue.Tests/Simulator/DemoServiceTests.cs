using System.Net.Http.Json;
using System.Text.Json;
using Queue.Simulator.Demo;
using Queue.Simulator.Traffic;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Simulator;

/// <summary>The demo against the real service (in-process, real PostgreSQL and Redis, a fake clock).</summary>
public sealed class DemoServiceTests(QueueApp app) : IClassFixture<QueueApp>
{
    [Fact]
    public async Task Demo_backfill_and_live_are_taken_whole_and_show_on_the_live_figures()
    {
        var ct = TestContext.Current.CancellationToken;
        using var ingest = app.Client(await app.KeyAsync("ingest"));
        var log = new StringWriter();
        var runner = new DemoRunner(ingest, DemoTraffic.Center(operators: 6), TimeSpan.FromDays(2), app.Time, log);

        await runner.BackfillAsync(ct);
        app.Time.Advance(TimeSpan.FromMinutes(3));
        await runner.PumpAsync(ct);
        var totals = runner.Totals;
        Assert.True(totals.Events > 5_000, log.ToString());
        Assert.Equal(totals.Events, totals.New);
        Assert.True(totals.Answered > 6 * 100, $"{totals}");

        // Sent again (a restart): duplicates only.
        var again = new DemoRunner(ingest, DemoTraffic.Center(operators: 6), TimeSpan.FromHours(1), app.Time, log);
        await again.BackfillAsync(ct);
        Assert.Equal(0, again.Totals.New);
        Assert.True(again.Totals.Duplicates > 0);

        await app.LiveCaughtUpAsync();
        using var read = app.Client(await app.KeyAsync("wallboard"));
        var center = await read.GetFromJsonAsync<JsonElement>("/api/center", ct);
        Assert.True(center.GetProperty("windows").GetProperty("today").GetProperty("answered").GetInt64() > 0, center.ToString());
        Assert.True(center.GetProperty("visits").GetProperty("open").GetInt64() > 0, center.ToString());

        var now = app.Time.GetUtcNow();
        var from = Uri.EscapeDataString(runner.From.ToString("O"));
        var to = Uri.EscapeDataString(now.ToString("O"));
        var figures = await read.GetFromJsonAsync<JsonElement>($"/api/metrics?from={from}&to={to}", ct);
        Assert.True(figures.GetProperty("answered").GetInt64() > 500, figures.ToString());
        Assert.InRange(figures.GetProperty("remoteResolution").GetDouble(), 0.8, 0.97);
    }
}
