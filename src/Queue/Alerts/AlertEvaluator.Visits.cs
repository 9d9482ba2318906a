using Queue.Redis;
using Queue.Telemetry;

namespace Queue.Alerts;

// The visits' alerts: one per kind and queue, listing the queue's open visits past the deadline (SPEC §4).
internal sealed partial class AlertEvaluator
{
    static readonly IReadOnlySet<string> NoVisits = new HashSet<string>();

    /// <summary>Raises, updates and clears the visits' alerts, center-wide; answers when an open visit next passes a deadline.</summary>
    public async Task<DateTimeOffset?> ObserveVisitsAsync(CancellationToken ct)
    {
        if (!loaded.Task.IsCompleted) return null;
        var now = time.GetUtcNow();
        var queues = (await live.QueuesAsync()).Append(LiveKeys.Center).ToList();
        var late = new List<(string, string?, DateTimeOffset)>();
        var upcoming = new List<DateTimeOffset>();
        foreach (var queue in queues)
        {
            var visits = await reader.OpenVisitsAsync(queue, now);
            late.AddRange(visits.Late.Select(v => (v.VisitId, queue == LiveKeys.Center ? null : queue, v.Created)));
            upcoming.AddRange(visits.Upcoming);
        }
        // History loaded past the lateness joins no alert for deadlines it passed back then.
        var groups = AlertRules.OfVisits(late, now, ingest.Value.Lateness, IsListed).ToList();
        foreach (var g in groups) await SettleAsync(g, ct);
        var still = groups.Select(g => (g.Kind, g.Subject)).ToHashSet();
        foreach (var key in open.Keys.Where(k => AlertKinds.GroupsVisits(k.Kind) && !still.Contains(k)).ToList())
            await SettleAsync(new VisitGroup(key.Kind, key.Subject, []), ct);
        return AlertRules.NextVisitDeadline(upcoming, now);
    }

    bool IsListed(string kind, string subject, string visit) => listed.TryGetValue((kind, subject), out var visits) && visits.Contains(visit);

    // A group that differs from what this node believes its alert lists is decided again under the alert's lock, on the
    // visits PostgreSQL has: live state may lag an answer, and another node may have moved the alert meanwhile.
    async Task SettleAsync(VisitGroup g, CancellationToken ct)
    {
        var key = (g.Kind, g.Subject);
        if (g.Holds == open.ContainsKey(key) && listed.GetValueOrDefault(key, NoVisits).SetEquals(g.Visits.Select(v => v.VisitId))) return;
        using var span = QueueMetrics.Source.StartActivity("alert.decide")
            ?.SetTag("queue.alert.kind", g.Kind).SetTag("queue.alert.subject", g.Subject).SetTag("queue.alert.holds", g.Holds);
        var now = time.GetUtcNow();
        var change = await visitAlerts.DecideAsync(g.Kind, g.Subject, (visits, _) => RecheckAsync(g, visits, now, ct), now, By, ct);
        span?.SetTag("queue.alert.outcome", change?.Outcome ?? "unchanged");
        if (change is null)
        {
            // Nothing to change: another node got there first. Learn what is open now.
            await RefreshAsync(ct);
            return;
        }
        var alert = change.Alert;
        if (change.Outcome == VisitAlertChange.Cleared)
        {
            open.TryRemove(key, out _);
            listed.TryRemove(key, out _);
            LogCleared(logger, alert.Kind, alert.Subject, alert.Id);
        }
        else
        {
            open[key] = alert;
            listed[key] = change.Listed;
            if (change.Outcome == VisitAlertChange.Raised) metrics.AlertRaised(alert.Kind);
            LogVisits(logger, alert.Kind, alert.Subject, alert.Id, change.Outcome, change.Listed.Count);
        }
        await PushAsync(alert);
    }

    // PostgreSQL has the last word on a visit: resolved or cancelled there, it leaves its alerts; moved to another
    // queue, it leaves this queue's.
    async Task<VisitGroup> RecheckAsync(VisitGroup g, IReadOnlySet<string> visits, DateTimeOffset now, CancellationToken ct)
    {
        var queue = VisitGroup.QueueOf(g.Subject);
        var candidates = await visitAlerts.OpenVisitsAsync(queue, now - VisitGroup.DeadlineOf(g.Kind), ct);
        var fresh = AlertRules.OfVisits(candidates.Select(v => (v.VisitId, queue, v.Created)), now, ingest.Value.Lateness, (_, _, visit) => visits.Contains(visit))
            .SingleOrDefault(x => x.Kind == g.Kind && x.Subject == g.Subject);
        return fresh ?? g with { Visits = [] };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Outcome}: {Kind} {Subject} (#{Id}), {Visits} visits")]
    static partial void LogVisits(ILogger logger, string kind, string subject, long id, string outcome, int visits);
}
