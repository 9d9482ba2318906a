using System.Text.Json;
using Dapper;
using Npgsql;
using Queue.Figures;

namespace Queue.Alerts;

/// <summary>What a decision on a visit alert did (raised, updated or cleared it), the alert as it is now, and every visit it lists.</summary>
internal sealed record VisitAlertChange(string Outcome, Alert Alert, IReadOnlySet<string> Listed)
{
    public const string Raised = "raised";
    public const string Updated = "updated";
    public const string Cleared = "cleared";
}

/// <summary>
/// Visit alerts in PostgreSQL: one alert per kind and queue, the visits it lists in <c>alert_visits</c> (all of them;
/// its details name the first <see cref="VisitGroup.Listed"/>), each visit's joining and leaving in its history. Decided
/// under the same lock as every alert (<see cref="AlertStore.LockAsync"/>), on what PostgreSQL has of the visits.
/// </summary>
internal sealed class VisitAlertStore(NpgsqlDataSource db)
{
    // A visit belongs to the queue of its call's last leg, as live state places it.
    static readonly string OpenVisitsSql = $"""
        select visit_id as VisitId, created_at as Created from (
            select v.visit_id, v.created_at, {FigureSql.VisitCall("last_queue")} as queue
            from visits v
            where v.resolved_at is null and v.cancelled_at is null and v.created_at <= @createdBy
        ) v
        where queue is not distinct from @queue::text
        """;

    const string ListedSql = "select visit_id from alert_visits where alert_id = @id";

    const string UpdateSql = $"update alerts set details = @details::jsonb where id = @id returning {AlertStore.Columns}";

    // Who joins and who leaves, and their history rows, in one statement: the alert lists exactly its group afterwards.
    const string MoveSql = """
        with gone as (
            delete from alert_visits where alert_id = @id and visit_id = any(@left)
        ), came as (
            insert into alert_visits (alert_id, visit_id, joined_at) select @id, v, @at from unnest(@joined) v
        )
        insert into alert_history (alert_id, at, action, by, note)
        select @id, @at, 'joined', @by, v from unnest(@joined) v
        union all
        select @id, @at, 'left', @by, v from unnest(@left) v
        """;

    const string AllListedSql = """
        select a.kind as Kind, a.subject as Subject, l.visit_id as VisitId
        from alert_visits l join alerts a on a.id = l.alert_id
        where a.state <> 'cleared'
        """;

    /// <summary>
    /// Decides the visit alert of that kind and subject under its lock, across nodes: <paramref name="group"/> is asked,
    /// given the visits the alert lists now (none if it is not open) and whether it is open, which visits it should
    /// list; the alert is raised, updated or cleared to match, and its history gets a row for each visit that joined or
    /// left. Answers the change made, or null.
    /// </summary>
    public async Task<VisitAlertChange?> DecideAsync(string kind, string subject, Func<IReadOnlySet<string>, bool, Task<VisitGroup>> group,
        DateTimeOffset at, string by, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await AlertStore.LockAsync(connection, tx, kind, subject, ct);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select id from alerts where kind = @kind and subject = @subject and state <> 'cleared'", new { kind, subject }, tx, cancellationToken: ct));
        IReadOnlySet<string> listed = id is not null
            ? (await connection.QueryAsync<string>(new CommandDefinition(ListedSql, new { id }, tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
        var now = await group(listed, id is not null);
        var (joined, left) = now.Since(listed);
        var details = JsonSerializer.Serialize(now.Figures(at), AlertJson.Options);
        var (outcome, row) = (now.Holds, id) switch
        {
            (true, null) => (VisitAlertChange.Raised, await connection.QuerySingleOrDefaultAsync<AlertStore.Row>(new CommandDefinition(AlertStore.RaiseSql,
                new { kind, subject, queue = now.Queue, severity = AlertKinds.Severity[kind], at = at.UtcDateTime, details, by }, tx, cancellationToken: ct))),
            (false, not null) => (VisitAlertChange.Cleared, await connection.QuerySingleOrDefaultAsync<AlertStore.Row>(new CommandDefinition(AlertStore.ClearSql,
                new { kind, subject, at = at.UtcDateTime, by }, tx, cancellationToken: ct))),
            (true, { } open) when joined.Count > 0 || left.Count > 0 => (VisitAlertChange.Updated,
                await connection.QuerySingleOrDefaultAsync<AlertStore.Row>(new CommandDefinition(UpdateSql, new { id = open, details }, tx, cancellationToken: ct))),
            _ => ("", null),
        };
        if (row is null) return null;
        await connection.ExecuteAsync(new CommandDefinition(MoveSql,
            new { id = row.Id, joined = joined.ToArray(), left = left.ToArray(), at = at.UtcDateTime, by }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new VisitAlertChange(outcome, row.ToAlert(), now.Visits.Select(v => v.VisitId).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The open visits of a queue (null: of no queue) created at or before <paramref name="createdBy"/>, as PostgreSQL has them.</summary>
    public async Task<IReadOnlyList<LateVisit>> OpenVisitsAsync(string? queue, DateTimeOffset createdBy, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string VisitId, DateTime Created)>(new CommandDefinition(OpenVisitsSql,
            new { queue, createdBy = createdBy.UtcDateTime }, cancellationToken: ct));
        return [.. rows.Select(r => new LateVisit(r.VisitId, AlertStore.Utc(r.Created)))];
    }

    /// <summary>The visits every visit alert not cleared lists, by its kind and subject.</summary>
    public async Task<IReadOnlyDictionary<(string Kind, string Subject), IReadOnlySet<string>>> ListedAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Kind, string Subject, string VisitId)>(new CommandDefinition(AllListedSql, cancellationToken: ct));
        return rows.GroupBy(r => (r.Kind, r.Subject))
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(r => r.VisitId).ToHashSet(StringComparer.Ordinal));
    }
}
