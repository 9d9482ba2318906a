using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Queue.Telemetry;

namespace Queue.Live;

/// <summary>Live state (Redis) on this node follows PostgreSQL within <see cref="HealthOptions.MaxLiveLag"/>.</summary>
internal sealed class LiveLagCheck(LiveFollower follower, IOptions<HealthOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var lag = follower.Lag;
        var max = options.Value.MaxLiveLag;
        var said = follower.CaughtUpAt is null
            ? $"live state has not caught up with PostgreSQL since this node started, {lag.TotalSeconds:0.0} s ago"
            : $"live state is at most {lag.TotalSeconds:0.0} s behind PostgreSQL";
        return Task.FromResult(lag <= max
            ? HealthCheckResult.Healthy(said)
            : HealthCheckResult.Unhealthy($"{said} (more than {max.TotalSeconds:0.#} s)"));
    }
}

/// <summary>The gauge <c>queue.live.lag</c>, read when scraped.</summary>
internal sealed class LiveLagGauge(LiveFollower follower) : IMetricSeed
{
    public void Seed(QueueMetrics metrics) =>
        metrics.Meter.CreateObservableGauge("queue.live.lag", () => follower.Lag.TotalSeconds, "s",
            "How far live state (Redis) may be behind PostgreSQL on this node");
}
