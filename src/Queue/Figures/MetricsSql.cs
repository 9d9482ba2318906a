using System.Text;

namespace Queue.Figures;

/// <summary>A field the figures can be broken down by: a call's, as its <c>call.queued</c> carried it.</summary>
public enum Breakdown { Region, Language, Segment }

/// <summary>
/// What the figures are narrowed to: a queue, and values of a call's region, language and segment (null: any).
/// Legs and completions take the fields of their call. A visit takes its own region (SPEC §3: a visit belongs to its
/// region), and the language and segment of its call, as it takes the queue of its call's last leg: the call it names,
/// or else the first call whose completion names it. A visit with no call has no language or segment.
/// <see cref="Team"/>: the queues of a key scoped to them (SPEC §6), null for every queue; a visit with no queue is in
/// no team.
/// </summary>
public sealed record MetricsFilter(
    string? Queue = null, string? Region = null, string? Language = null, string? Segment = null, IReadOnlyList<string>? Team = null)
{
    public static readonly MetricsFilter None = new();
}

/// <summary>
/// The one statement behind <c>/api/metrics</c> and its breakdown: SPEC §3's counts (<see cref="FigureSql"/>) over
/// [@from, @to), filtered, as one row per value of a breakdown (a null key: those that carry none), or one row in all
/// (key null; no row when nothing counted). Legs carry their call's region, language and segment (written with them, see migration 0020), so legs are
/// read alone. Each leg is judged by its own queue's thresholds, <c>@sl</c> and <c>@short</c> where its queue set none;
/// visit deadlines count once passed (before <c>@now</c>). Parameters: @from, @to, @now, @sl, @short, and those of the
/// filter that are set (@queue, @region, @language, @segment, @team).
/// </summary>
internal static class MetricsSql
{
    static string Column(Breakdown by) => by switch
    {
        Breakdown.Region => "region",
        Breakdown.Language => "language",
        _ => "segment",
    };

    public static string Build(MetricsFilter filter, Breakdown? by)
    {
        var callFields = new List<(string Column, string Parameter)>();
        if (filter.Region is not null) callFields.Add(("region", "@region"));
        if (filter.Language is not null) callFields.Add(("language", "@language"));
        if (filter.Segment is not null) callFields.Add(("segment", "@segment"));
        var key = by is { } b ? Column(b) : null;

        var legs = new StringBuilder($"""
            select {(key is null ? "null::text" : "l." + key)} as key, {FigureSql.SelectAll(FigureSql.LegCountsByQueue)}
            from {FigureSql.LegsWithTargets}
            where {FigureSql.LegsEnded}
            """);
        if (filter.Queue is not null) legs.Append(" and l.queue = @queue");
        if (filter.Team is not null) legs.Append(" and l.queue = any(@team)");
        foreach (var (column, parameter) in callFields) legs.Append($" and l.{column} = {parameter}");
        legs.Append(" group by 1");

        var calls = new StringBuilder($"""
            select {(key is null ? "null::text" : "c." + key)}, {FigureSql.SelectAll(FigureSql.CallCounts)}
            from calls c
            where {FigureSql.CallsCompleted}
            """);
        if (filter.Queue is not null) calls.Append(" and c.last_queue = @queue");
        if (filter.Team is not null) calls.Append(" and c.last_queue = any(@team)");
        foreach (var (column, parameter) in callFields) calls.Append($" and c.{column} = {parameter}");
        calls.Append(" group by 1");

        // A visit's own region; its queue, language and segment from its call, read only when asked for.
        var visitColumns = new StringBuilder(key switch
        {
            null => "null::text as key",
            "region" => "v.region as key",
            _ => FigureSql.VisitCall(key) + " as key",
        });
        var visitWhere = new StringBuilder();
        if (filter.Queue is not null || filter.Team is not null)
        {
            visitColumns.Append(", ").Append(FigureSql.VisitCall("last_queue")).Append(" as queue");
            if (filter.Queue is not null) visitWhere.Append(" and queue = @queue");
            if (filter.Team is not null) visitWhere.Append(" and queue = any(@team)");
        }
        foreach (var (column, parameter) in callFields)
        {
            if (column == "region") continue;
            visitColumns.Append(", ").Append(FigureSql.VisitCall(column)).Append(" as ").Append(column);
            visitWhere.Append($" and {column} = {parameter}");
        }
        var visits = $"""
            select key, {FigureSql.SelectAll(FigureSql.VisitCounts)}
            from (
                select v.due24, v.due48, v.resolved_at, v.cancelled_at, {visitColumns}
                from visits v
                where {FigureSql.VisitsInWindow}{(filter.Region is not null ? " and v.region = @region" : "")}
            ) v
            where true{visitWhere}
            group by 1
            """;

        return $"""
            select key, {FigureSql.SumAll()}
            from (
            {legs}
            union all
            {calls}
            union all
            {visits}
            ) parts
            group by key
            """;
    }
}
