using System.Diagnostics.Metrics;
using Queue.Telemetry;

namespace Queue.Alerts;

/// <summary>
/// The alerts' series: <c>queue.alerts.raised</c> and <c>queue.notifications</c> at 0 for every kind, channel and
/// outcome, and the gauge <c>queue.alerts.open</c>, read when scraped.
/// </summary>
internal sealed class AlertMetrics(AlertEvaluator alerts) : IMetricSeed
{
    public void Seed(QueueMetrics metrics)
    {
        foreach (var kind in AlertKinds.Names) metrics.AlertsRaised.Add(0, new KeyValuePair<string, object?>("kind", kind));
        foreach (var channel in (string[])[NotificationChannels.Email, NotificationChannels.Webhook])
        {
            foreach (var outcome in NotificationOutcomes.All)
                metrics.Notifications.Add(0, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));
        }
        metrics.Meter.CreateObservableGauge("queue.alerts.open", OpenByKind, "{alert}",
            "Alerts not cleared (open or acknowledged), by kind, as last read from PostgreSQL");
    }

    IEnumerable<Measurement<long>> OpenByKind()
    {
        var counts = alerts.Uncleared.CountBy(a => a.Kind).ToDictionary(StringComparer.Ordinal);
        return AlertKinds.Names.Select(kind =>
            new Measurement<long>(counts.GetValueOrDefault(kind), new KeyValuePair<string, object?>("kind", kind)));
    }
}
