using System.Diagnostics;
using System.Net;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Storage;

/// <summary>The service up, its database out of reach: ingest answers 503 with Retry-After within 2 s, and recovers.</summary>
public sealed class DatabaseDownTests(CuttableDatabaseApp app) : IClassFixture<CuttableDatabaseApp>
{
    [Fact]
    public async Task Ingest_answers_503_with_Retry_After_within_2_s_stores_nothing_and_recovers()
    {
        using var client = app.Client();
        var now = app.Time.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("up-1", now, "up-call", "b2c"))).StatusCode);

        app.Proxy.Cut();
        try
        {
            var clock = Stopwatch.StartNew();
            var response = await client.PostEventsAsync(Ev.Queued("down-1", now, "down-call", "b2c"), Ev.Abandoned("down-2", now, "down-call"));
            clock.Stop();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            Assert.Equal("urn:queue:problem:database-unavailable", (await response.JsonAsync()).GetProperty("type").GetString());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"answered after {clock.Elapsed}");
        }
        finally
        {
            app.Proxy.Restore();
        }
        Assert.Equal(0, await CountAsync("down-%"));

        // Back by itself: the next post goes through, and nothing half-stored from before is in the way.
        var retry = await client.PostEventsAsync(Ev.Queued("down-1", now, "down-call", "b2c"), Ev.Abandoned("down-2", now, "down-call"));
        if (retry.StatusCode == HttpStatusCode.ServiceUnavailable)
            retry = await client.PostEventsAsync(Ev.Queued("down-1", now, "down-call", "b2c"), Ev.Abandoned("down-2", now, "down-call"));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(2, (await retry.JsonAsync()).GetProperty("new").GetInt32());
        Assert.Equal(2, await CountAsync("down-%"));
    }

    [Fact]
    public async Task A_database_that_stops_answering_is_a_503_within_2_s_too()
    {
        using var client = app.Client();
        var now = app.Time.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("warm-1", now, "warm-call", "b2c"))).StatusCode);

        app.Proxy.Freeze();
        try
        {
            var clock = Stopwatch.StartNew();
            var response = await client.PostEventsAsync(Ev.Queued("frozen-1", now, "frozen-call", "b2c"));
            clock.Stop();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
            // 2 s is the configured deadline; what is over it is the answer's own way back.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"answered after {clock.Elapsed}" + string.Join("\n", app.Logs.Where(l => l.Contains("Npgsql", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal)).TakeLast(8)));
        }
        finally
        {
            app.Proxy.Thaw();
        }

        var retry = await client.PostEventsAsync(Ev.Queued("frozen-1", now, "frozen-call", "b2c"));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(1, await CountAsync("frozen-%"));
    }

    async Task<long> CountAsync(string like)
    {
        await using var command = app.Db.CreateCommand("select count(*) from events where id like $1");
        command.Parameters.AddWithValue(like);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
