using Dapper;
using Queue.Targets;

namespace Queue.Figures;

/// <summary>
/// The SPEC §3 figures of one window, and the filters they were narrowed by (null: any). Rates are fractions 0–1 and
/// null when their denominator is zero.
/// </summary>
public sealed record WindowFigures(
    DateTimeOffset From,
    DateTimeOffset To,
    string? Queue,
    string? Region,
    string? Language,
    string? Segment,
    long Answered,
    long Abandoned,
    long ShortAbandoned,
    double? AsaSeconds,
    double? ServiceLevel,
    double? AbandonmentRate,
    long Completed,
    long ResolvedRemotely,
    long ResolutionUnknown,
    double? RemoteResolution,
    long Due24,
    long ResolvedBy24,
    double? Visit24,
    long Due48,
    long Overdue48)
{
    public static WindowFigures Of(DateTimeOffset from, DateTimeOffset to, MetricsFilter filter, FigureCounts c) =>
        new(from, to, filter.Queue, filter.Region, filter.Language, filter.Segment,
            c.Answered, c.Abandoned, c.ShortAbandoned, c.AsaSeconds, c.ServiceLevel, c.AbandonmentRate,
            c.Completed, c.Resolved, c.ResolutionUnknown, c.RemoteResolution,
            c.Due24, c.ResolvedBy24, c.Visit24, c.Due48, c.Overdue48);
}

/// <summary>
/// Exact figures over any window [from, to), computed in PostgreSQL from the derived tables (see <see cref="MetricsSql"/>),
/// each leg judged by the service-level T and short-abandon threshold of its queue (the defaults given, where it set
/// none). Visit deadlines count once they have passed (before <c>now</c>): a deadline still ahead is neither met nor
/// missed yet.
/// </summary>
internal sealed class MetricsQuery(Storage.HistoryReads reads)
{
    public async Task<WindowFigures> GetAsync(DateTimeOffset from, DateTimeOffset to, MetricsFilter filter, TargetOptions defaults,
        DateTimeOffset now, CancellationToken ct)
    {
        var rows = await QueryAsync(from, to, filter, null, defaults, now, ct);
        return WindowFigures.Of(from, to, filter, rows.Count == 0 ? FigureCounts.Zero : rows[0].Counts);
    }

    /// <summary>The counts for each value of <paramref name="by"/> met in the window, ordered by value; null (none given) last.</summary>
    public async Task<IReadOnlyList<(string? Value, FigureCounts Counts)>> BreakdownAsync(DateTimeOffset from, DateTimeOffset to,
        MetricsFilter filter, Breakdown by, TargetOptions defaults, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await QueryAsync(from, to, filter, by, defaults, now, ct);
        return rows
            .OrderBy(r => r.Key is null).ThenBy(r => r.Key, StringComparer.Ordinal)
            .Select(r => (r.Key, r.Counts))
            .ToList();
    }

    async Task<List<(string? Key, FigureCounts Counts)>> QueryAsync(DateTimeOffset from, DateTimeOffset to, MetricsFilter filter, Breakdown? by,
        TargetOptions defaults, DateTimeOffset now, CancellationToken ct)
    {
        // A window over before the last minutes reads the replica, when there is one (docs/adr/0007).
        await using var connection = await reads.For(to, now).OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Keyed, FigureCounts, (string?, FigureCounts)>(new CommandDefinition(MetricsSql.Build(filter, by), new
        {
            from = from.UtcDateTime,
            to = to.UtcDateTime,
            now = now.UtcDateTime,
            queue = filter.Queue,
            team = filter.Team?.ToArray(),
            region = filter.Region,
            language = filter.Language,
            segment = filter.Segment,
            @short = defaults.ShortAbandon,
            sl = defaults.ServiceLevelThreshold,
        }, cancellationToken: ct), (k, counts) => (k.Key, counts), splitOn: "answered");
        return rows.ToList();
    }

    sealed record Keyed(string? Key);
}
