using Microsoft.Extensions.Options;
using Queue.Jobs;
using Queue.Notifications;

namespace Queue.Alerts;

/// <summary>
/// Escalates alerts left open and unacknowledged for <see cref="EscalationOptions.After"/>: every node looks, the
/// store's UPDATE lets one of them do it. A node wakes at the next instant an alert it knows of falls due, and every
/// <see cref="EscalationOptions.CheckInterval"/> to learn of alerts other nodes raised. What is to be sent goes to the
/// outbox in the same transaction; <see cref="NotificationDispatcher"/> sends it, apart from ingest and from this.
/// </summary>
internal sealed partial class Escalator(
    EscalationStore store, AlertEvaluator alerts, NotificationDispatcher dispatcher,
    IOptions<EscalationOptions> options, TimeProvider time, ILogger<Escalator> logger) : AlarmLoop(time, options.Value.CheckInterval)
{

    /// <summary>Escalates what is due now; answers when the next alert falls due, if one is open.</summary>
    public async Task<DateTimeOffset?> EscalateDueAsync(CancellationToken ct)
    {
        var o = options.Value;
        var kinds = AlertKinds.Names.Where(o.Escalates).ToArray();
        var targets = Targets(o);
        var now = Time.GetUtcNow();
        var escalated = await store.EscalateAsync(now, now - o.After, kinds, targets, o.After, AlertEvaluator.By, Note(o, targets), ct);
        foreach (var alert in escalated)
        {
            LogEscalated(logger, alert.Kind, alert.Subject, alert.Id, targets.Count);
            await alerts.PushAsync(alert);
        }
        if (escalated.Count > 0 && targets.Count > 0) dispatcher.Wake();
        // Only alerts not due yet: one due already and not taken (raised meanwhile by a node whose clock is behind)
        // waits for the next check, rather than waking this loop again and again.
        return await store.OldestUnescalatedAsync(kinds, now - o.After, ct) is { } oldest ? oldest + o.After : null;
    }

    static List<(string Channel, string Target)> Targets(EscalationOptions o)
    {
        var targets = new List<(string, string)>();
        if (o.Email.To.Length > 0) targets.Add((NotificationChannels.Email, NotificationChannels.Email));
        targets.AddRange(o.Webhooks.Select(w => (NotificationChannels.Webhook, w.Name)));
        return targets;
    }

    // The history says who was told, by channel; addresses stay in the configuration.
    static string Note(EscalationOptions o, List<(string Channel, string Target)> targets)
    {
        if (targets.Count == 0) return "no one to tell: no email recipients or webhooks configured";
        var parts = new List<string>();
        if (o.Email.To.Length > 0) parts.Add($"email to {o.Email.To.Length} recipient{(o.Email.To.Length == 1 ? "" : "s")}");
        parts.AddRange(o.Webhooks.Select(w => $"webhook {w.Name}"));
        return string.Join(", ", parts);
    }

    protected override Task<DateTimeOffset?> StepAsync(CancellationToken ct) => EscalateDueAsync(ct);

    protected override void OnOutage(string reason) => LogFailed(logger, reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert escalated: {Kind} {Subject} (#{Id}), {Targets} notifications queued")]
    static partial void LogEscalated(ILogger logger, string kind, string subject, long id, int targets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alerts could not be escalated, retrying: {Reason}")]
    static partial void LogFailed(ILogger logger, string reason);
}
