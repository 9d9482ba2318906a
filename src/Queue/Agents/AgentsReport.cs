using Queue.Api;

namespace Queue.Agents;

/// <summary>Time on break with one reason (a pause code); <see cref="Reason"/> null for breaks that gave none.</summary>
public sealed record BreakReason(string? Reason, double Seconds);

/// <summary>One agent over a window, as the API and its CSV give it.</summary>
public sealed record AgentReportRow(
    string AgentId,
    IReadOnlyList<string> Queues,
    double LoggedInSeconds,
    double AvailableSeconds,
    double BusySeconds,
    double WrapUpSeconds,
    double BreakSeconds,
    IReadOnlyList<BreakReason> Breaks,
    int Answered,
    int Missed,
    int Talked,
    double? AverageTalkSeconds,
    int WrapUps,
    double? AverageWrapUpSeconds,
    double? AverageHandleSeconds,
    double? Occupancy)
{
    public static AgentReportRow Of(AgentTally t) => new(t.AgentId, t.Queues, t.LoggedIn.TotalSeconds, t.Available.TotalSeconds,
        t.Busy.TotalSeconds, t.WrapUp.TotalSeconds, t.OnBreak.TotalSeconds, [.. t.Breaks.Select(b => new BreakReason(b.Reason, b.Time.TotalSeconds))],
        t.Answered, t.Missed, t.Talked, t.AverageTalk?.TotalSeconds, t.WrapUps, t.AverageWrapUp?.TotalSeconds, t.AverageHandle?.TotalSeconds,
        t.Occupancy);
}

/// <summary>The agents report over [From, To), of the queues asked for (null: the whole center).</summary>
public sealed record AgentsReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string>? Queues, IReadOnlyList<AgentReportRow> Agents)
{
    /// <summary>The CSV column of breaks with a reason: <c>break:{reason}</c>; <c>break:</c> for those without (no reason is empty).</summary>
    public static string BreakColumn(string? reason) => "break:" + reason;

    /// <summary>
    /// As CSV: a row per agent, the JSON's columns, with <c>breaks</c> spread into a column per reason the answer holds
    /// (ordered as each agent's breaks are: by reason, none last), in seconds, 0 where an agent had none.
    /// </summary>
    public Csv.Spread<AgentReportRow> CsvBreaks()
    {
        var reasons = Agents.SelectMany(a => a.Breaks).Select(b => b.Reason).Distinct()
            .OrderBy(r => r is null).ThenBy(r => r, StringComparer.Ordinal).ToList();
        return new Csv.Spread<AgentReportRow>(nameof(AgentReportRow.Breaks), [.. reasons.Select(BreakColumn)],
            row => [.. reasons.Select(r => (object?)(row.Breaks.FirstOrDefault(b => b.Reason == r)?.Seconds ?? 0.0))]);
    }
}
