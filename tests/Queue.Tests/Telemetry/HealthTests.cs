using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Queue.Live;
using Queue.Tests.Infrastructure;
using Queue.Tests.Live;

namespace Queue.Tests.Telemetry;

/// <summary>What the health endpoints answer, read as a load balancer or Kubernetes reads it: the status code, then the checks.</summary>
public static class Health
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(body).RootElement.Clone());
    }

    public static Dictionary<string, (string Status, string? Description)> Checks(JsonElement body) =>
        body.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (c.GetProperty("status").GetString()!, c.TryGetProperty("description", out var d) ? d.GetString() : null));

    /// <summary>Asks until the answer has <paramref name="status"/> (live state catches up, Redis is seen gone or back).</summary>
    public static async Task<JsonElement> UntilAsync(HttpClient http, string path, HttpStatusCode status, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var (got, body) = await GetAsync(http, path);
            if (got == status) return body;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} still answers {(int)got}: {body}");
            await Task.Delay(100);
        }
    }
}

/// <summary>Readiness with a Redis of the class's own, killed and started again.</summary>
public sealed class ReadinessTests(OwnRedisApp app) : IClassFixture<OwnRedisApp>
{
    [Fact]
    public async Task Ready_is_200_naming_every_check_healthy_and_asks_for_no_key()
    {
        using var anonymous = app.Client(key: null);

        var body = await Health.UntilAsync(anonymous, "/health/ready", HttpStatusCode.OK);

        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var checks = Health.Checks(body);
        Assert.Equal(["live-lag", "migrations", "postgresql", "redis"], checks.Keys.Order(StringComparer.Ordinal));
        Assert.All(checks.Values, c => Assert.Equal("Healthy", c.Status));
        Assert.Contains("migrations applied", checks["migrations"].Description, StringComparison.Ordinal);
        var (ingest, ingestBody) = await Health.GetAsync(anonymous, "/health/ready/ingest");
        Assert.Equal(HttpStatusCode.OK, ingest);
        Assert.Equal(["migrations", "postgresql"], Health.Checks(ingestBody).Keys.Order(StringComparer.Ordinal));
        var (live, liveBody) = await Health.GetAsync(anonymous, "/health/live");
        Assert.Equal(HttpStatusCode.OK, live);
        Assert.Equal("Healthy", liveBody.GetProperty("status").GetString());
    }

    [Fact]
    public async Task With_redis_unreachable_ready_is_503_naming_redis_while_live_and_ready_for_ingest_stay_200()
    {
        using var anonymous = app.Client(key: null);
        await Health.UntilAsync(anonymous, "/health/ready", HttpStatusCode.OK);

        await app.Server.KillAsync();
        try
        {
            var body = await Health.UntilAsync(anonymous, "/health/ready", HttpStatusCode.ServiceUnavailable);

            Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
            var checks = Health.Checks(body);
            Assert.Equal("Unhealthy", checks["redis"].Status);
            Assert.Equal("Healthy", checks["postgresql"].Status);
            Assert.Equal("Healthy", checks["migrations"].Status);
            // Anonymous: an exception's message (which names the server) is not shown, only its kind.
            Assert.DoesNotContain(app.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body.ToString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await Health.GetAsync(anonymous, "/health/live")).Status);
            // Events still go to PostgreSQL: the load balancer, routing on this, keeps the node.
            var (ingest, ingestBody) = await Health.GetAsync(anonymous, "/health/ready/ingest");
            Assert.True(ingest == HttpStatusCode.OK, ingestBody.ToString());
            using var admin = app.Client();
            using var accepted = await admin.PostEventsAsync(Ev.Queued("redis-down-1", app.Time.GetUtcNow(), "rd-call-1", "b2c"));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        finally
        {
            await app.Server.StartAsync();
        }
        var back = Health.Checks(await Health.UntilAsync(anonymous, "/health/ready", HttpStatusCode.OK));
        Assert.Equal("Healthy", back["redis"].Status);
    }
}

/// <summary>Readiness against a schema older than the code: a migration missing from DbUp's journal.</summary>
public sealed class MigrationsHealthTests(QueueApp app) : IClassFixture<QueueApp>
{
    [Fact]
    public async Task A_migration_missing_from_the_journal_makes_the_node_not_ready_naming_it()
    {
        using var anonymous = app.Client(key: null);
        await Health.UntilAsync(anonymous, "/health/ready", HttpStatusCode.OK);
        const string Script = "Queue.Storage.Migrations.0011_report_sends.sql";

        await using (var forget = app.Db.CreateCommand($"delete from schemaversions where scriptname = '{Script}'"))
            Assert.Equal(1, await forget.ExecuteNonQueryAsync());
        var (status, body) = await Health.GetAsync(anonymous, "/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var checks = Health.Checks(body);
        Assert.Equal("Unhealthy", checks["migrations"].Status);
        Assert.Equal($"1 of {Queue.Storage.Migrator.Scripts.Count} migrations not applied: 0011_report_sends.sql", checks["migrations"].Description);
        Assert.Equal("Healthy", checks["postgresql"].Status);
        var (ingest, ingestBody) = await Health.GetAsync(anonymous, "/health/ready/ingest");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ingest);
        Assert.Equal("Unhealthy", Health.Checks(ingestBody)["migrations"].Status);
    }
}

/// <summary>A service that allows live state 10 s behind PostgreSQL before it says it is not ready.</summary>
public sealed class TenSecondLagApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Queue:Health:MaxLiveLag"] = "00:00:10" };
}

public sealed class LiveLagHealthTests(TenSecondLagApp app) : IClassFixture<TenSecondLagApp>
{
    [Fact]
    public async Task Live_state_further_behind_than_the_limit_makes_the_node_not_ready_naming_live_lag()
    {
        using var anonymous = app.Client(key: null);
        await Health.UntilAsync(anonymous, "/health/ready", HttpStatusCode.OK);

        // The follower stops (as if stuck); the clock moves on while PostgreSQL goes on answering.
        await app.Factory.Services.GetRequiredService<LiveFollower>().StopAsync(CancellationToken.None);
        app.Time.Advance(TimeSpan.FromSeconds(9));
        var (status, body) = await Health.GetAsync(anonymous, "/health/ready");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.InRange((await Scrape.OfAsync(anonymous)).Sum("queue_live_lag_seconds"), 9, 9.5);

        app.Time.Advance(TimeSpan.FromSeconds(2));
        (status, body) = await Health.GetAsync(anonymous, "/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var checks = Health.Checks(body);
        Assert.Equal("Unhealthy", checks["live-lag"].Status);
        Assert.Contains("11.0 s behind PostgreSQL", checks["live-lag"].Description, StringComparison.Ordinal);
        Assert.Equal("Healthy", checks["redis"].Status);
        Assert.Equal("Healthy", checks["postgresql"].Status);
        Assert.InRange((await Scrape.OfAsync(anonymous)).Sum("queue_live_lag_seconds"), 11, 11.5);
        Assert.Equal(HttpStatusCode.OK, (await Health.GetAsync(anonymous, "/health/live")).Status);
    }
}
