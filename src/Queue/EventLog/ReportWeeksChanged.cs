using Dapper;
using Npgsql;
using Queue.Events;

namespace Queue.EventLog;

/// <summary>
/// The marks ingest leaves on weeks that are over whose report a batch may have changed (<c>report_weeks_changed</c>).
/// A report counts legs by when they ended, completions by when they completed, visits by their deadlines, and shows
/// the week before beside its own: an instant of those in a week marks that week and the next, where they are over.
/// Live traffic touches the current week only, so it marks nothing.
/// </summary>
public static class ReportWeeksChanged
{
    const string MarkSql = """
        insert into report_weeks_changed (week, mark, changed_at)
        select w, nextval('report_change_mark'), $2 from unnest($1::text[]) as w
        on conflict (week) do update set mark = excluded.mark, changed_at = excluded.changed_at
        """;

    /// <summary>Pure: the weeks over at <paramref name="now"/> whose report the instants a batch touched may change.</summary>
    public static IReadOnlyList<string> Of(IEnumerable<DateTimeOffset> touched, TimeZoneInfo zone, DateTimeOffset now)
    {
        var current = ReportWeek.Containing(now, zone);
        var currentStart = current.Bounds(zone).From;
        var weeks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var at in touched)
        {
            if (at >= currentStart) continue;
            var week = ReportWeek.Containing(at, zone);
            weeks.Add(week.ToString());
            var next = ReportWeek.Containing(week.Bounds(zone).To, zone);
            if (next != current) weeks.Add(next.ToString());
        }
        return [.. weeks];
    }

    /// <summary>Adds the statement that marks <paramref name="weeks"/> to a batch's transaction.</summary>
    public static void Mark(NpgsqlBatch batch, IReadOnlyList<string> weeks, DateTimeOffset now)
    {
        if (weeks.Count == 0) return;
        var command = new NpgsqlBatchCommand(MarkSql);
        command.Parameters.Add(new NpgsqlParameter { Value = weeks.ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        batch.BatchCommands.Add(command);
    }

    internal static Task<long?> MarkAsync(NpgsqlConnection connection, ReportWeek week, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select mark from report_weeks_changed where week = @week", new { week = week.ToString() }, cancellationToken: ct));

    /// <summary>Clears the mark read before the week was made again, unless a batch marked it anew meanwhile.</summary>
    internal static Task ClearAsync(NpgsqlConnection connection, ReportWeek week, long mark, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "delete from report_weeks_changed where week = @week and mark = @mark", new { week = week.ToString(), mark }, cancellationToken: ct));
}
