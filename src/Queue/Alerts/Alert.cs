namespace Queue.Alerts;

/// <summary>An alert is open until acknowledged or cleared; acknowledged until cleared; cleared for good.</summary>
public static class AlertStates
{
    public const string Open = "open";
    public const string Acknowledged = "acknowledged";
    public const string Cleared = "cleared";

    public static readonly IReadOnlyList<string> All = [Open, Acknowledged, Cleared];
}

/// <summary>
/// What an alert's history records. A visit alert's visits join and leave it, each with a row naming the visit
/// (<see cref="AlertChange.Note"/>).
/// </summary>
public static class AlertActions
{
    public const string Raised = "raised";
    public const string Joined = "joined";
    public const string Left = "left";
    public const string Acknowledged = "acknowledged";
    public const string Escalated = "escalated";
    public const string Cleared = "cleared";

    /// <summary>
    /// The order of changes made at the same instant: a visit joins the alert its arrival raised, and the last visit
    /// leaves before the alert clears.
    /// </summary>
    public static readonly string[] InOrder = [Raised, Joined, Left, Acknowledged, Escalated, Cleared];
}

/// <summary>
/// One alert: a breach of a target by a queue or by its visits, from when it was raised to when it cleared.
/// <see cref="EscalatedAt"/> is when it was escalated, having been left open and unacknowledged too long (null: never).
/// </summary>
public sealed record Alert(
    long Id, string Kind, string Subject, string? Queue, string Severity, string State,
    DateTimeOffset RaisedAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, string? AckNote, DateTimeOffset? ClearedAt,
    DateTimeOffset? EscalatedAt, System.Text.Json.JsonElement Details);

/// <summary>
/// One change of an alert: raised, a visit joined or left (the visit in <see cref="Note"/>), acknowledged (with the
/// supervisor's note), escalated or cleared; by whom (an API key's name, or the service) and when.
/// </summary>
public sealed record AlertChange(string Action, DateTimeOffset At, string By, string? Note);

/// <summary>An alert with its history, oldest change first.</summary>
public sealed record AlertDetail(Alert Alert, IReadOnlyList<AlertChange> History);

/// <summary>A page of alerts, newest first; <see cref="Next"/> fetches the page after it, null on the last.</summary>
public sealed record AlertPage(IReadOnlyList<Alert> Items, string? Next);

/// <summary>What to list: alerts active at some time in [From, To), of a kind, a queue, a state; at most Limit, older than Before.</summary>
/// <summary>Which alerts to list; <see cref="Team"/>: a scoped key's queues (null: every queue, and alerts of no queue).</summary>
public sealed record AlertFilter(
    DateTimeOffset? From, DateTimeOffset? To, string? Kind, string? Queue, string? State, int Limit, long? Before, IReadOnlyList<string>? Team = null);

/// <summary>
/// An alert as a row of the history's CSV: the alert, and the figure behind it in columns of their own (its details as
/// the JSON has them: the value, the target, the samples, the window; a visits' alert's visits).
/// </summary>
public sealed record AlertRow(
    long Id, string Kind, string Subject, string? Queue, string Severity, string State,
    DateTimeOffset RaisedAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, string? AckNote, DateTimeOffset? ClearedAt,
    DateTimeOffset? EscalatedAt, AlertRowDetails Details)
{
    /// <summary>The details are columns of the row itself (<c>value</c>, not <c>details_value</c>).</summary>
    public const string Inline = "details";

    public static AlertRow Of(Alert a) => new(a.Id, a.Kind, a.Subject, a.Queue, a.Severity, a.State, a.RaisedAt, a.AcknowledgedAt,
        a.AcknowledgedBy, a.AckNote, a.ClearedAt, a.EscalatedAt, AlertRowDetails.Of(a.Details));
}

/// <summary>The figure behind an alert, as its details carry it; null where an alert's details have none.</summary>
public sealed record AlertRowDetails(double? Value, double? Target, long? Samples, string? Window, IReadOnlyList<string>? Visits)
{
    public static AlertRowDetails Of(System.Text.Json.JsonElement d)
    {
        System.Text.Json.JsonElement? Get(string name) =>
            d.ValueKind == System.Text.Json.JsonValueKind.Object && d.TryGetProperty(name, out var v) && v.ValueKind != System.Text.Json.JsonValueKind.Null ? v : null;
        return new(Get("value")?.GetDouble(), Get("target")?.GetDouble(), Get("samples")?.GetInt64(), Get("window")?.GetString(),
            Get("visits") is { ValueKind: System.Text.Json.JsonValueKind.Array } visits ? [.. visits.EnumerateArray().Select(v => v.GetString()!)] : null);
    }
}
