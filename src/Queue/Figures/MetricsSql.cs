using System.Text;

namespace Queue.Figures;

/// <summary>A field the figures can be broken down by: a call's, as its <c>call.queued</c> carried it.</summary>
public enum Breakdown { Region, Language, Segment }

/// <summary>
/// What the figures are narrowed to: a queue, and values of a call's region, language and segment (null: any).
/// Legs and completions take the fields of their call. A visit takes its own region (SPEC §3: a visit belongs to its
/// region), and the language and segment of its call, as it takes the queue of its call's last leg: the call it names,
/// or else the first call whose completion names it. A visit with no call has no language or segment.
/// </summary>
public sealed record MetricsFilter(string? Queue = null, string? Region = null, string? Language = null, string? Segment = null)
{
    public static readonly MetricsFilter None = new();
}

/// <summary>
/// The one statement behind <c>/api/metrics</c> and its breakdown: SPEC §3's counts over [@from, @to), filtered, as one
/// row per value of a breakdown (a null key: those that carry none), or one row in all (key null; no row when nothing
/// counted). Legs carry their call's region, language and segment (written with them, see migration 0020), so legs are
/// read alone. Each leg is judged by its own queue's thresholds, <c>@sl</c> and <c>@short</c> where its queue set none;
/// visit deadlines count once passed (before <c>@now</c>). Parameters: @from, @to, @now, @sl, @short, and those of the
/// filter that are set (@queue, @region, @language, @segment).
/// </summary>
internal static class MetricsSql
{
    // A visit's call: the one it names, or else the first whose completion names it (as live state and reports take it).
    static string VisitCall(string column) =>
        $"""coalesce((select c.{column} from calls c where c.call_id = v.call_id), (select c.{column} from calls c where c.visit_id = v.visit_id order by c.call_id collate "C" limit 1))""";

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
            select {(key is null ? "null::text" : "l." + key)} as key,
                   count(*) filter (where l.outcome = 'answered') as answered,
                   count(*) filter (where l.outcome = 'abandoned' and l.ended_at - l.started_at >= coalesce(t.short_abandon, @short)) as abandoned,
                   count(*) filter (where l.outcome = 'abandoned' and l.ended_at - l.started_at < coalesce(t.short_abandon, @short)) as short_abandoned,
                   count(*) filter (where l.outcome = 'answered' and l.ended_at - l.started_at <= coalesce(t.service_level, @sl)) as answered_in_time,
                   sum(l.ended_at - l.started_at) filter (where l.outcome = 'answered') as wait,
                   0::bigint as completed, 0::bigint as resolved_remotely, 0::bigint as resolution_unknown, 0::bigint as due24, 0::bigint as resolved_by24, 0::bigint as due48, 0::bigint as overdue48
            from legs l left join queue_targets t on t.queue = l.queue
            where l.ended_at >= @from and l.ended_at < @to and l.outcome in ('answered', 'abandoned')
            """);
        if (filter.Queue is not null) legs.Append(" and l.queue = @queue");
        foreach (var (column, parameter) in callFields) legs.Append($" and l.{column} = {parameter}");
        legs.Append(" group by 1");

        var calls = new StringBuilder($"""
            select {(key is null ? "null::text" : "c." + key)}, 0, 0, 0, 0, null::interval,
                   count(*), count(*) filter (where c.resolution = 'resolved'), count(*) filter (where c.resolution is null), 0, 0, 0, 0
            from calls c
            where c.completed_at >= @from and c.completed_at < @to
            """);
        if (filter.Queue is not null) calls.Append(" and c.last_queue = @queue");
        foreach (var (column, parameter) in callFields) calls.Append($" and c.{column} = {parameter}");
        calls.Append(" group by 1");

        // A visit's own region; its queue, language and segment from its call, read only when asked for.
        var visitColumns = new StringBuilder(key switch
        {
            null => "null::text as key",
            "region" => "v.region as key",
            _ => VisitCall(key) + " as key",
        });
        var visitWhere = new StringBuilder();
        if (filter.Queue is not null)
        {
            visitColumns.Append(", ").Append(VisitCall("last_queue")).Append(" as queue");
            visitWhere.Append(" and queue = @queue");
        }
        foreach (var (column, parameter) in callFields)
        {
            if (column == "region") continue;
            visitColumns.Append(", ").Append(VisitCall(column)).Append(" as ").Append(column);
            visitWhere.Append($" and {column} = {parameter}");
        }
        var visits = $"""
            select key, 0, 0, 0, 0, null::interval, 0, 0, 0,
                   count(*) filter (where due24 >= @from and due24 < @to and due24 < @now and (cancelled_at is null or cancelled_at >= due24)),
                   count(*) filter (where due24 >= @from and due24 < @to and due24 < @now and (cancelled_at is null or cancelled_at >= due24)
                       and resolved_at <= due24),
                   count(*) filter (where due48 >= @from and due48 < @to and due48 < @now and (cancelled_at is null or cancelled_at > due48)),
                   count(*) filter (where due48 >= @from and due48 < @to and due48 < @now and (cancelled_at is null or cancelled_at > due48)
                       and (resolved_at is null or resolved_at > due48))
            from (
                select v.due24, v.due48, v.resolved_at, v.cancelled_at, {visitColumns}
                from visits v
                where v.created_at is not null and ((v.due24 >= @from and v.due24 < @to) or (v.due48 >= @from and v.due48 < @to)){(filter.Region is not null ? " and v.region = @region" : "")}
            ) v
            where true{visitWhere}
            group by 1
            """;

        return $"""
            select key,
                   sum(answered)::bigint as answered, sum(abandoned)::bigint as abandoned, sum(short_abandoned)::bigint as short_abandoned,
                   sum(answered_in_time)::bigint as answered_in_time, coalesce(extract(epoch from sum(wait))::float8, 0) as wait_seconds,
                   sum(completed)::bigint as completed, sum(resolved_remotely)::bigint as resolved_remotely,
                   sum(resolution_unknown)::bigint as resolution_unknown,
                   sum(due24)::bigint as due24, sum(resolved_by24)::bigint as resolved_by24, sum(due48)::bigint as due48, sum(overdue48)::bigint as overdue48
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
