using System.Text;
using static Queue.Connect.Csv.CsvColumns;

namespace Queue.Connect.Csv;

/// <summary>
/// A row's fields (by field name, as written) → a checked <see cref="CallRecord"/>, or what is wrong with it. Pure.
/// <para>
/// The row's key is made from its normalized content — every field in SPEC §9's order, trimmed, the outcome and
/// resolution in lower case, times as UTC instants — so a re-export of the same rows (other column order, other header
/// names, times written with another offset) gives the same key, and so the same event ids.
/// </para>
/// </summary>
internal static class CallRecordParser
{
    static readonly string[] Resolutions = ["resolved", "field_visit", "escalated", "unresolved"];

    public static (CallRecord? Record, RowProblem? Problem) Parse(IReadOnlyDictionary<string, string> row, CsvMapping mapping)
    {
        string V(string field) => row.TryGetValue(field, out var v) ? v.Trim() : "";

        foreach (var field in Required)
            if (V(field).Length == 0) return Fail(RowFault.Missing, $"{field} is empty");

        var queuedAt = Time(V(QueuedAt), QueuedAt, mapping.Zone, out var problem);
        if (problem is not null) return (null, problem);
        var endedAt = Time(V(EndedAt), EndedAt, mapping.Zone, out problem);
        if (problem is not null) return (null, problem);
        DateTimeOffset? completedAt = V(CompletedAt).Length == 0 ? null : Time(V(CompletedAt), CompletedAt, mapping.Zone, out problem);
        if (problem is not null) return (null, problem);

        LegOutcome outcome;
        switch (V(Outcome).ToLowerInvariant())
        {
            case "answered": outcome = LegOutcome.Answered; break;
            case "abandoned": outcome = LegOutcome.Abandoned; break;
            case "transferred": outcome = LegOutcome.Transferred; break;
            default: return Fail(RowFault.Outcome, $"outcome '{V(Outcome)}' is not answered, abandoned or transferred");
        }
        if (outcome == LegOutcome.Answered && V(AgentId).Length == 0) return Fail(RowFault.Missing, "agent_id is empty on an answered leg");
        if (outcome == LegOutcome.Transferred && V(TransferredTo).Length == 0) return Fail(RowFault.Missing, "transferred_to is empty on a transferred leg");
        if (endedAt < queuedAt) return Fail(RowFault.Order, "ended_at is before queued_at");
        if (completedAt < endedAt) return Fail(RowFault.Order, "completed_at is before ended_at");

        var resolution = V(Resolution).ToLowerInvariant();
        if (resolution.Length > 0 && !Resolutions.Contains(resolution, StringComparer.Ordinal))
            return Fail(RowFault.Value, $"resolution '{V(Resolution)}' is not one of {string.Join(", ", Resolutions)}");

        var key = Key(V, queuedAt, endedAt, completedAt, outcome, resolution);
        var prefix = mapping.QueuePrefix;
        var record = new CallRecord(
            key,
            Identifiers.Map(V(CallId), mapping.Source + ":")!,
            Identifiers.Map(V(CsvColumns.Queue), prefix)!,
            queuedAt,
            outcome,
            endedAt,
            Id(V(AgentId)),
            completedAt,
            resolution.Length == 0 ? null : resolution,
            Id(V(TransferredTo), prefix),
            Id(V(Region)),
            Id(V(Language)),
            Id(V(Segment)),
            V(Caller).Length == 0 ? null : V(Caller));
        return (record, null);
    }

    static string? Id(string name, string prefix = "") => Identifiers.Map(name, prefix);

    static DateTimeOffset Time(string text, string field, TimeZoneInfo? zone, out RowProblem? problem)
    {
        var at = CsvTime.Parse(text, zone, out var error);
        problem = at is null ? new RowProblem(RowFault.Time, $"{field} '{text}' {error}") : null;
        return at ?? default;
    }

    static (CallRecord?, RowProblem?) Fail(RowFault cause, string reason) => (null, new RowProblem(cause, reason));

    static string Key(Func<string, string> v, DateTimeOffset queuedAt, DateTimeOffset endedAt, DateTimeOffset? completedAt, LegOutcome outcome, string resolution)
    {
        var b = new StringBuilder();
        foreach (var field in All)
        {
            var value = field switch
            {
                QueuedAt => Rfc3339Converter.Format(queuedAt),
                EndedAt => Rfc3339Converter.Format(endedAt),
                CompletedAt => completedAt is { } c ? Rfc3339Converter.Format(c) : "",
                Outcome => outcome.ToString().ToLowerInvariant(),
                Resolution => resolution,
                _ => v(field),
            };
            // Length-prefixed: values that run into each other cannot make two rows one key.
            b.Append(field).Append('=').Append(value.Length).Append(':').Append(value).Append('\n');
        }
        return EventIds.LineKey(Encoding.UTF8.GetBytes(b.ToString()));
    }
}
