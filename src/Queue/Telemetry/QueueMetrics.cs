using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Queue.Telemetry;

/// <summary>
/// The service's own instruments, on the one meter named <c>Queue</c>; docs/telemetry.md lists them as Prometheus shows
/// them. The meter comes from the host's <see cref="IMeterFactory"/>, so two services in one process (tests) count apart.
/// </summary>
internal sealed class QueueMetrics : IDisposable
{
    public const string Name = "Queue";

    /// <summary>The service's spans: ingest, live state, alerts, reports, escalations.</summary>
    public static readonly ActivitySource Source = new(Name);

    // Seconds, from a single event's insert (milliseconds) to a full batch on a loaded machine.
    static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public QueueMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(Name);
        EventsAccepted = Meter.CreateCounter<long>("queue.events.accepted", "{event}", "Events newly stored (answered 2xx, not duplicates)");
        EventsDuplicate = Meter.CreateCounter<long>("queue.events.duplicate", "{event}", "Events received again (answered 2xx, changed nothing)");
        EventsRejected = Meter.CreateCounter<long>("queue.events.rejected", "{event}",
            "Events refused, by reason (requests, when the body could not be read into events)");
        IngestDuration = Meter.CreateHistogram("queue.ingest.duration", "s", "POST /api/events handling time, commit included",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        AlertsRaised = Meter.CreateCounter<long>("queue.alerts.raised", "{alert}", "Alerts raised by this node, by kind");
        SignalRConnections = Meter.CreateUpDownCounter<long>("queue.signalr.connections", "{connection}", "SignalR connections on this node");
        RoundsMissed = Meter.CreateCounter<long>("queue.live.rounds_missed", "{round}",
            "Rounds not written to a watching screen still taking its last one (a slow or stalled screen)");
        ReportSends = Meter.CreateCounter<long>("queue.report.sends", "{email}", "Weekly report emails, by outcome");
        Notifications = Meter.CreateCounter<long>("queue.notifications", "{notification}", "Escalation deliveries, by channel and outcome");
    }

    public Meter Meter { get; }
    public Counter<long> EventsAccepted { get; }
    public Counter<long> EventsDuplicate { get; }
    public Counter<long> EventsRejected { get; }
    public Histogram<double> IngestDuration { get; }
    public Counter<long> AlertsRaised { get; }
    public UpDownCounter<long> SignalRConnections { get; }
    public Counter<long> RoundsMissed { get; }
    public Counter<long> ReportSends { get; }
    public Counter<long> Notifications { get; }

    /// <summary>
    /// Puts every series at 0 once the exporters listen: a series that first appears at 1 shows no increase in
    /// Prometheus, and a rule on a series not yet there has nothing to look at.
    /// </summary>
    public void Initialize()
    {
        EventsAccepted.Add(0);
        EventsDuplicate.Add(0);
        foreach (var reason in RejectReasons.All) Rejected(reason, 0);
        SignalRConnections.Add(0);
        RoundsMissed.Add(0);
        foreach (var outcome in (string[])["sent", "failed"]) ReportSends.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Rejected(string reason, int count) => EventsRejected.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void AlertRaised(string kind) => AlertsRaised.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void ReportSent(bool sent) => ReportSends.Add(1, new KeyValuePair<string, object?>("outcome", sent ? "sent" : "failed"));

    public void Notification(string channel, string outcome) =>
        Notifications.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", outcome));

    public void Dispose() => Meter.Dispose();
}

/// <summary>
/// What a part of the service adds to the meter when it starts (after the exporters listen): its series at 0 for every
/// label value it knows, its observable gauges. Registered by that part; <see cref="QueueMetrics"/> knows none of them.
/// </summary>
internal interface IMetricSeed
{
    void Seed(QueueMetrics metrics);
}

/// <summary>The <c>reason</c> label of <c>queue_events_rejected_total</c>.</summary>
public static class RejectReasons
{
    public const string Invalid = "invalid";
    public const string Conflict = "conflict";
    public const string Unavailable = "unavailable";
    public const string TooLarge = "too_large";
    public const string Unauthorized = "unauthorized";

    public static readonly IReadOnlyList<string> All = [Invalid, Conflict, Unavailable, TooLarge, Unauthorized];
}

/// <summary>The <c>outcome</c> label of <c>queue_notifications_total</c>.</summary>
public static class NotificationOutcomes
{
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string GivenUp = "given_up";

    public static readonly IReadOnlyList<string> All = [Sent, Failed, GivenUp];
}
