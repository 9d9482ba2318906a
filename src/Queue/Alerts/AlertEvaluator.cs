using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Queue.EventLog;
using Queue.Figures;
using Queue.Live;
using Queue.Redis;
using Queue.Telemetry;

namespace Queue.Alerts;

/// <summary>Alerting, from <c>Queue:Alerts</c>.</summary>
public sealed class AlertOptions
{
    public const string Section = "Queue:Alerts";

    /// <summary>How far back inside its target a rate must come before its alert clears (a share, 0–0.5).</summary>
    [Range(0.0, 0.5)]
    public double ClearMargin { get; set; } = 0.1;

    /// <summary>How often a node re-reads which alerts are open (to learn what other nodes raised, cleared or acknowledged).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How far ahead <c>queue.forecast</c> looks for a breach of the ASA target (1 min to 4 h).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "04:00:00")]
    public TimeSpan ForecastHorizon { get; set; } = AlertRules.DefaultForecastHorizon;
}

/// <summary>
/// Thin shell around <see cref="AlertRules"/>: every node looks at every snapshot it computes, raises what should be
/// open and is not, clears what is open and should not be. PostgreSQL decides between nodes that raise or clear the
/// same alert at once (one open alert per kind and subject), and only the node whose change took pushes it.
/// </summary>
internal sealed partial class AlertEvaluator(
    AlertStore store, VisitAlertStore visitAlerts, LiveReader reader, LiveStore live, LiveView view, IHubContext<LiveHub> hub,
    Targets.QueueTargets targets, IOptions<AlertOptions> options, QueueMetrics metrics, TimeProvider time, ILogger<AlertEvaluator> logger,
    IOptions<EventLog.IngestOptions> ingest)
    : BackgroundService, ILiveObserver
{
    /// <summary>What the live hub's clients are called with when an alert was raised, acknowledged or cleared.</summary>
    public const string AlertChanged = nameof(AlertChanged);

    // Who raised or cleared an alert: this node (host and process), for the history.
    internal static readonly string By = $"node {Environment.MachineName}:{Environment.ProcessId}";
    readonly ConcurrentDictionary<(string Kind, string Subject), Alert> open = new();
    // The visits each visit alert lists, all of them (its details name only the first few hundred).
    readonly ConcurrentDictionary<(string Kind, string Subject), IReadOnlySet<string>> listed = new();
    // Completed once this node has read which alerts are open: until then it judges nothing.
    readonly TaskCompletionSource loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The alerts not cleared (open or acknowledged) as this node last learned them from PostgreSQL or made them.</summary>
    public IEnumerable<Alert> Uncleared => open.Values;

    Task<DateTimeOffset?> ILiveObserver.QueueChangedAsync(QueueSnapshot snapshot, CancellationToken ct) => ObserveQueueAsync(snapshot, ct);

    Task<DateTimeOffset?> ILiveObserver.CenterChangedAsync(CancellationToken ct) => ObserveVisitsAsync(ct);

    Task ILiveObserver.Ready => loaded.Task;

    /// <summary>Raises and clears the queue's alerts; answers when its longest wait will next pass the target.</summary>
    public async Task<DateTimeOffset?> ObserveQueueAsync(QueueSnapshot snapshot, CancellationToken ct)
    {
        if (!loaded.Task.IsCompleted || snapshot.Queue is not { } queue) return null;
        var t = targets.For(queue);
        foreach (var c in AlertRules.OfQueue(snapshot, t, kind => open.ContainsKey((kind, queue)), options.Value.ClearMargin, options.Value.ForecastHorizon))
            await SettleAsync(c, ct);
        return open.ContainsKey((AlertKinds.QueueWait, queue)) ? null : AlertRules.WaitBreachAt(snapshot.OldestWaitingSince, t);
    }

    // A condition that disagrees with what this node believes is open is decided again under the alert's lock, on a
    // fresh view: another node may have raised or cleared it meanwhile, and this node's view may be the older one.
    async Task SettleAsync(AlertCondition c, CancellationToken ct)
    {
        var key = (c.Kind, c.Subject);
        if (c.Holds == open.ContainsKey(key)) return;
        using var span = QueueMetrics.Source.StartActivity("alert.decide")
            ?.SetTag("queue.alert.kind", c.Kind).SetTag("queue.alert.subject", c.Subject).SetTag("queue.alert.holds", c.Holds);
        var changed = await store.DecideAsync(c.Kind, c.Subject, c.Queue, isOpen => RecheckAsync(c, isOpen, ct), time.GetUtcNow(), By, ct);
        span?.SetTag("queue.alert.outcome", changed?.State == AlertStates.Cleared ? "cleared" : changed is null ? "unchanged" : "raised");
        if (changed is null)
        {
            // Nothing to change: another node got there first. Learn what is open now.
            await RefreshAsync(ct);
            return;
        }
        if (changed.State == AlertStates.Cleared)
        {
            open.TryRemove(key, out _);
            LogCleared(logger, changed.Kind, changed.Subject, changed.Id);
        }
        else
        {
            open[key] = changed;
            metrics.AlertRaised(changed.Kind);
            LogRaised(logger, changed.Kind, changed.Subject, changed.Id);
        }
        await PushAsync(changed);
    }

    async Task<(bool, object)> RecheckAsync(AlertCondition c, bool isOpen, CancellationToken ct)
    {
        var snapshot = await view.QueueAsync(c.Subject);
        var again = AlertRules.OfQueue(snapshot, targets.For(c.Subject), kind => kind == c.Kind && isOpen, options.Value.ClearMargin, options.Value.ForecastHorizon).Single(x => x.Kind == c.Kind);
        return (again.Holds, again.Figures);
    }

    /// <summary>Tells wallboards and consoles (of the alert's queue and of the whole center) that an alert changed.</summary>
    public Task PushAsync(Alert alert)
    {
        // Joined screens by their groups; watching screens by their alert groups (they are in no queue's group).
        var groups = alert.Queue is { } q
            ? new[] { LiveHub.CenterGroup, LiveHub.QueueGroup(q), LiveHub.AlertsGroup, LiveHub.QueueAlertsGroup(q) }
            : [LiveHub.CenterGroup, LiveHub.AlertsGroup];
        return hub.Clients.Groups(groups).SendAsync(AlertChanged, alert);
    }

    async Task RefreshAsync(CancellationToken ct)
    {
        var current = await store.UnclearedAsync(ct);
        var lists = await visitAlerts.ListedAsync(ct);
        var keys = current.Select(a => (a.Kind, a.Subject)).ToHashSet();
        foreach (var a in current) open[(a.Kind, a.Subject)] = a;
        foreach (var k in open.Keys.Where(k => !keys.Contains(k)).ToList()) open.TryRemove(k, out _);
        foreach (var (k, visits) in lists) listed[k] = visits;
        foreach (var k in listed.Keys.Where(k => !lists.ContainsKey(k)).ToList()) listed.TryRemove(k, out _);
        loaded.TrySetResult();
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        do
        {
            try
            {
                await RefreshAsync(ct);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                LogRefreshFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert raised: {Kind} {Subject} (#{Id})")]
    static partial void LogRaised(ILogger logger, string kind, string subject, long id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert cleared: {Kind} {Subject} (#{Id})")]
    static partial void LogCleared(ILogger logger, string kind, string subject, long id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Open alerts could not be read, retrying: {Reason}")]
    static partial void LogRefreshFailed(ILogger logger, string reason);
}
