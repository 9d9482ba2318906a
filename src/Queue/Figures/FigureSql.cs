namespace Queue.Figures;

/// <summary>
/// Each figure's rule in SQL, written once for every statement that counts (<see cref="MetricsSql"/>,
/// <see cref="TrendQuery"/>, the weekly report's query): over the derived tables, legs as <c>l</c>, calls as <c>c</c>,
/// visits with their deadlines as bare columns. Each count is a column named as its <see cref="FigureCounts"/> property,
/// so a row reads into one; adding a count is adding it here and there. The leg rules are the SQL side of <see cref="LegRules"/>; a test holds the two equal.
/// </summary>
internal static class FigureSql
{
    /// <summary>A leg's wait, from its start to its end.</summary>
    public const string Wait = "(l.ended_at - l.started_at)";

    /// <summary>Legs that ended in [@from, @to) answered or abandoned (transferred legs count in no figure).</summary>
    public const string LegsEnded = "l.ended_at >= @from and l.ended_at < @to and l.outcome in ('answered', 'abandoned')";

    /// <summary>Every count's column, named as its <see cref="FigureCounts"/> property (a test holds the two to each other).</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "answered", "abandoned", "shortabandoned", "answeredintime", "waitseconds", "completed", "resolved", "resolutionunknown",
        "due24", "resolvedby24", "due48", "overdue48",
    ];

    /// <summary>
    /// The leg counts, each leg judged by the thresholds the expressions give (for its queue): answered, abandoned (at
    /// least <paramref name="shortAbandon"/>), short abandons, answered within <paramref name="serviceLevel"/>, summed wait.
    /// </summary>
    public static IReadOnlyList<(string Column, string Count)> LegCounts(string shortAbandon, string serviceLevel) =>
    [
        ("answered", "count(*) filter (where l.outcome = 'answered')"),
        ("abandoned", $"count(*) filter (where l.outcome = 'abandoned' and not ({LegRules.ShortAbandonSql(Wait, shortAbandon)}))"),
        ("shortabandoned", $"count(*) filter (where l.outcome = 'abandoned' and {LegRules.ShortAbandonSql(Wait, shortAbandon)})"),
        ("answeredintime", $"count(*) filter (where l.outcome = 'answered' and {LegRules.InServiceLevelSql(Wait, serviceLevel)})"),
        ("waitseconds", $"coalesce(extract(epoch from sum({Wait}) filter (where l.outcome = 'answered'))::float8, 0)"),
    ];

    /// <summary>The leg counts with each leg's thresholds from its queue's targets (<c>t</c>, joined), else @short and @sl.</summary>
    public static readonly IReadOnlyList<(string Column, string Count)> LegCountsByQueue =
        LegCounts("coalesce(t.short_abandon, @short)", "coalesce(t.service_level, @sl)");

    /// <summary>The completion counts of calls <c>c</c>: completed, resolved remotely, resolution not known.</summary>
    public static readonly IReadOnlyList<(string Column, string Count)> CallCounts =
    [
        ("completed", "count(*)"),
        ("resolved", "count(*) filter (where c.resolution = 'resolved')"),
        ("resolutionunknown", "count(*) filter (where c.resolution is null)"),
    ];

    /// <summary>The visit counts by their deadlines (bare columns of a visit).</summary>
    public static readonly IReadOnlyList<(string Column, string Count)> VisitCounts =
    [
        ("due24", $"count(*) filter (where {Due24})"),
        ("resolvedby24", $"count(*) filter (where {Due24} and {ResolvedBy24})"),
        ("due48", $"count(*) filter (where {Due48})"),
        ("overdue48", $"count(*) filter (where {Due48} and {Overdue48})"),
    ];

    /// <summary>Counts as select-list items, each named as its column.</summary>
    public static string Select(IEnumerable<(string Column, string Count)> counts) =>
        string.Join(", ", counts.Select(c => $"{c.Count} as {c.Column}"));

    /// <summary>Every column, in <see cref="Columns"/>' order, the counts given and 0 for the others: a part of a union.</summary>
    public static string SelectAll(IEnumerable<(string Column, string Count)> counts)
    {
        var given = counts.ToDictionary(c => c.Column, c => c.Count);
        return string.Join(", ", Columns.Select(c => $"{given.GetValueOrDefault(c, c == "waitseconds" ? "0::float8" : "0::bigint")} as {c}"));
    }

    /// <summary>The sum of each column over the rows of a union, named as the column.</summary>
    public static string SumAll() =>
        string.Join(", ", Columns.Select(c => c == "waitseconds" ? $"sum({c})::float8 as {c}" : $"sum({c})::bigint as {c}"));

    /// <summary>Legs <c>l</c> with their queue's own thresholds <c>t</c>, where it set any.</summary>
    public const string LegsWithTargets = "legs l left join queue_targets t on t.queue = l.queue";

    /// <summary>Calls completed in [@from, @to).</summary>
    public const string CallsCompleted = "c.completed_at >= @from and c.completed_at < @to";

    /// <summary>A visit's 24 h deadline counts in [@from, @to) once passed, unless the visit was cancelled before it.</summary>
    public const string Due24 = "due24 >= @from and due24 < @to and due24 < @now and (cancelled_at is null or cancelled_at >= due24)";

    /// <summary>A visit met its 24 h deadline: resolved by it (exactly at it is on target).</summary>
    public const string ResolvedBy24 = "resolved_at <= due24";

    /// <summary>A visit's 48 h deadline counts in [@from, @to) once passed, unless the visit was cancelled by it.</summary>
    public const string Due48 = "due48 >= @from and due48 < @to and due48 < @now and (cancelled_at is null or cancelled_at > due48)";

    /// <summary>A visit missed its 48 h deadline: not resolved by it.</summary>
    public const string Overdue48 = "(resolved_at is null or resolved_at > due48)";

    /// <summary>Visits <c>v</c> whose 24 h or 48 h deadline falls in [@from, @to).</summary>
    public const string VisitsInWindow = "v.created_at is not null and ((v.due24 >= @from and v.due24 < @to) or (v.due48 >= @from and v.due48 < @to))";

    /// <summary>
    /// A column of a visit's call (the queue of its last leg, its language…): the call it names, or else the first call
    /// whose completion names it, as live state takes it.
    /// </summary>
    public static string VisitCall(string column) =>
        $"""coalesce((select c.{column} from calls c where c.call_id = v.call_id), (select c.{column} from calls c where c.visit_id = v.visit_id order by c.call_id collate "C" limit 1))""";
}
