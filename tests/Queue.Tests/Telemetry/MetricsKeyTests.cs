using System.Net;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Telemetry;

/// <summary>A service whose <c>/metrics</c> asks for a key (<c>Queue:Telemetry:MetricsKeyRequired</c>).</summary>
public sealed class MetricsKeyApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Queue:Telemetry:MetricsKeyRequired"] = "true" };
}

/// <summary>docs/telemetry.md, "Who may read /metrics": with the switch on, a key of a reading role (wallboard and above).</summary>
public sealed class MetricsKeyRequiredTests(MetricsKeyApp app) : IClassFixture<MetricsKeyApp>
{
    [Fact]
    public async Task With_the_switch_on_metrics_need_a_reading_key_and_health_still_needs_none()
    {
        using var anonymous = app.Client(key: null);
        using var ingest = app.Client(await app.KeyAsync("ingest"));
        using var wallboard = app.Client(await app.KeyAsync("wallboard"));

        using var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.GetAsync("/metrics")).StatusCode);
        using var read = await wallboard.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("queue_events_accepted_total", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/health/ready")).StatusCode);
    }
}
