using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Queue.Alerts;

/// <summary>
/// What an escalation says, to a webhook (this record, as JSON) and by email (rendered from it): the alert as it was
/// when escalated, and the path of its details in the API. No personal data: kinds, queues, visit ids and figures.
/// </summary>
public sealed record EscalationMessage(
    string Event, long Id, string Kind, string Subject, string? Queue, string Severity, string State,
    DateTimeOffset RaisedAt, DateTimeOffset EscalatedAt, long UnacknowledgedForSeconds, JsonElement Details, string Link)
{
    public const string EventName = "alert.escalated";

    public static EscalationMessage Of(Alert a, TimeSpan after) => new(
        EventName, a.Id, a.Kind, a.Subject, a.Queue, a.Severity, a.State, a.RaisedAt, a.EscalatedAt ?? a.RaisedAt + after,
        (long)after.TotalSeconds, a.Details, $"/api/alerts/{a.Id}");
}

/// <summary>Pure: an escalation → its email's subject and bodies, times shown in the center's zone.</summary>
public static class EscalationEmails
{
    public static string Subject(EscalationMessage m) =>
        $"[Queue] {m.Severity}: {m.Kind} {AlertSubjects.Shown(m.Subject)} unacknowledged for {Duration(TimeSpan.FromSeconds(m.UnacknowledgedForSeconds))}";

    static IEnumerable<(string Label, string Value)> Lines(EscalationMessage m, TimeZoneInfo zone)
    {
        yield return ("Alert", $"{m.Kind} ({m.Severity})");
        yield return ("Queue", AlertSubjects.Shown(m.Subject));
        yield return ("Figure", Figure(m.Kind, m.Details));
        yield return ("Raised", Local(m.RaisedAt, zone));
        yield return ("Escalated", Local(m.EscalatedAt, zone));
        yield return ("Details", m.Link);
    }

    public static string Text(EscalationMessage m, TimeZoneInfo zone)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{m.Kind} {AlertSubjects.Shown(m.Subject)} has been open and unacknowledged for {Duration(TimeSpan.FromSeconds(m.UnacknowledgedForSeconds))}.\n\n");
        foreach (var (label, value) in Lines(m, zone)) text.Append(CultureInfo.InvariantCulture, $"{label + ":",-11}{value}\n");
        text.Append("\nAcknowledge it in the supervisor console, with a note saying what is being done.\n");
        return text.ToString();
    }

    public static string Html(EscalationMessage m, TimeZoneInfo zone)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
        html.Append(CultureInfo.InvariantCulture,
            $"<p><strong>{E(m.Kind)} {E(AlertSubjects.Shown(m.Subject))}</strong> has been open and unacknowledged for {E(Duration(TimeSpan.FromSeconds(m.UnacknowledgedForSeconds)))}.</p><table>");
        foreach (var (label, value) in Lines(m, zone))
            html.Append(CultureInfo.InvariantCulture, $"<tr><th align=\"left\">{E(label)}</th><td>{E(value)}</td></tr>");
        html.Append("</table><p>Acknowledge it in the supervisor console, with a note saying what is being done.</p></body></html>");
        return html.ToString();
    }

    /// <summary>10 min, 1 h 30 min, 45 s.</summary>
    public static string Duration(TimeSpan d)
    {
        if (d.Ticks % TimeSpan.TicksPerMinute != 0) return $"{(long)d.TotalSeconds} s";
        var hours = (long)d.TotalHours;
        return (hours, d.Minutes) switch
        {
            (0, var min) => $"{min} min",
            (var h, 0) => $"{h} h",
            var (h, min) => $"{h} h {min} min",
        };
    }

    // The figure in its kind's words; a kind no longer known (an alert of an older release), as bare numbers.
    static string Figure(string kind, JsonElement details)
    {
        var reading = AlertReading.Of(details);
        return AlertKinds.ByName.TryGetValue(kind, out var k) ? k.Escalation(reading)
            : $"{N(reading.Value)} against {N(reading.Target)}";
        static string N(double? x) => x is { } n ? n.ToString("0.###", CultureInfo.InvariantCulture) : "—";
    }

    static string Local(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
}

/// <summary>
/// An alert's details (<see cref="AlertFigures"/>, <see cref="VisitAlertFigures"/>) as its escalation reads them: any of
/// them may be missing. <see cref="Visits"/>: the visits a visit alert lists, oldest first (empty for other kinds).
/// </summary>
public sealed record AlertReading(double? Value, double? Target, long? Samples, string Window, IReadOnlyList<string> Visits)
{
    public static AlertReading Of(JsonElement d) => new(
        d.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null,
        d.TryGetProperty("target", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetDouble() : null,
        d.TryGetProperty("samples", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null,
        d.TryGetProperty("window", out var w) && w.ValueKind == JsonValueKind.String ? w.GetString()! : "",
        d.TryGetProperty("visits", out var l) && l.ValueKind == JsonValueKind.Array
            ? [.. l.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!)]
            : []);
}
