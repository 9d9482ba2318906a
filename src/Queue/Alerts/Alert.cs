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
public sealed record AlertFilter(DateTimeOffset? From, DateTimeOffset? To, string? Kind, string? Queue, string? State, int Limit, long? Before);
