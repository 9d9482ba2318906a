using System.Text.Json;
using Dapper;
using Npgsql;

namespace Queue.Alerts;

/// <summary>What acknowledging found: the alert acknowledged now, none such, or one that is not open.</summary>
public enum AckOutcome { Acknowledged, NotFound, NotOpen }

/// <summary>
/// Alerts and their history in PostgreSQL. Raising is idempotent across nodes: the partial unique index on
/// (kind, subject) lets only one open alert exist, so a node that raises one already raised gets nothing back.
/// Every change and its history row are written by one statement.
/// </summary>
internal sealed class AlertStore(NpgsqlDataSource db)
{
    internal const string Columns = """
        id, kind, subject, queue, severity, state, raised_at as RaisedAt, acknowledged_at as AcknowledgedAt,
        acknowledged_by as AcknowledgedBy, ack_note as AckNote, cleared_at as ClearedAt, escalated_at as EscalatedAt,
        details::text as Details
        """;

    internal const string RaiseSql = $"""
        with raised as (
            insert into alerts (kind, subject, queue, severity, state, raised_at, details)
            values (@kind, @subject, @queue, @severity, 'open', @at, @details::jsonb)
            on conflict (kind, subject) where state <> 'cleared' do nothing
            returning *
        ), history as (
            insert into alert_history (alert_id, at, action, by) select id, raised_at, 'raised', @by from raised
        )
        select {Columns} from raised
        """;

    internal const string ClearSql = $"""
        with cleared as (
            update alerts set state = 'cleared', cleared_at = @at
            where kind = @kind and subject = @subject and state <> 'cleared'
            returning *
        ), history as (
            insert into alert_history (alert_id, at, action, by) select id, cleared_at, 'cleared', @by from cleared
        )
        select {Columns} from cleared
        """;

    const string AckSql = $"""
        with acked as (
            update alerts set state = 'acknowledged', acknowledged_at = @at, acknowledged_by = @by, ack_note = @note
            where id = @id and state = 'open'
            returning *
        ), history as (
            insert into alert_history (alert_id, at, action, by, note) select id, acknowledged_at, 'acknowledged', @by, @note from acked
        )
        select {Columns} from acked
        """;

    /// <summary>
    /// Decides an alert's fate under a lock of its own (kind and subject), across nodes: <paramref name="holds"/> is
    /// asked again inside the lock, given whether the alert is open now, and the alert is raised or cleared to match.
    /// A node deciding on a view older than the last decision cannot undo it: it reads again after that decision
    /// committed. Answers the change made, or null.
    /// </summary>
    public async Task<Alert?> DecideAsync(string kind, string subject, string? queue, Func<bool, Task<(bool Holds, object Figures)>> holds,
        DateTimeOffset at, string by, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await LockAsync(connection, tx, kind, subject, ct);
        var isOpen = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select from alerts where kind = @kind and subject = @subject and state <> 'cleared')", new { kind, subject }, tx, cancellationToken: ct));
        var (now, figures) = await holds(isOpen);
        Row? row = null;
        if (now && !isOpen)
        {
            row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(RaiseSql, new
            {
                kind, subject, queue, severity = AlertKinds.Severity[kind], at = at.UtcDateTime,
                details = JsonSerializer.Serialize(figures, AlertJson.Options), by,
            }, tx, cancellationToken: ct));
        }
        else if (!now && isOpen)
        {
            row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(ClearSql,
                new { kind, subject, at = at.UtcDateTime, by }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return row?.ToAlert();
    }

    /// <summary>The lock every decision on the alert of that kind and subject takes, whichever node makes it, until its transaction ends.</summary>
    internal static Task LockAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string kind, string subject, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(hashtextextended(@key, 0))",
            new { key = kind + "|" + subject }, tx, cancellationToken: ct));

    /// <summary>Raises an alert; null if one of that kind and subject is open already (raised by this node or another).</summary>
    public async Task<Alert?> RaiseAsync(string kind, string subject, string? queue, DateTimeOffset at, object details, string by, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(RaiseSql, new
        {
            kind, subject, queue, severity = AlertKinds.Severity[kind], at = at.UtcDateTime,
            details = JsonSerializer.Serialize(details, AlertJson.Options), by,
        }, cancellationToken: ct));
        return row?.ToAlert();
    }

    /// <summary>Clears the open alert of that kind and subject; null if there is none.</summary>
    public async Task<Alert?> ClearAsync(string kind, string subject, DateTimeOffset at, string by, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(ClearSql,
            new { kind, subject, at = at.UtcDateTime, by }, cancellationToken: ct));
        return row?.ToAlert();
    }

    public async Task<(AckOutcome Outcome, Alert? Alert)> AcknowledgeAsync(long id, string by, string note, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(AckSql,
            new { id, by, note, at = at.UtcDateTime }, cancellationToken: ct));
        if (row is not null) return (AckOutcome.Acknowledged, row.ToAlert());
        var existing = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"select {Columns} from alerts where id = @id", new { id }, cancellationToken: ct));
        return existing is null ? (AckOutcome.NotFound, null) : (AckOutcome.NotOpen, existing.ToAlert());
    }

    /// <summary>Every alert not yet cleared.</summary>
    public async Task<IReadOnlyList<Alert>> UnclearedAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"select {Columns} from alerts where state <> 'cleared' order by id", cancellationToken: ct));
        return [.. rows.Select(r => r.ToAlert())];
    }

    public async Task<AlertDetail?> GetAsync(long id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"select {Columns} from alerts where id = @id", new { id }, cancellationToken: ct));
        if (row is null) return null;
        var history = await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            "select action, at, by, note from alert_history where alert_id = @id order by at, array_position(@order, action), note",
            new { id, order = AlertActions.InOrder }, cancellationToken: ct));
        return new AlertDetail(row.ToAlert(), [.. history.Select(h => new AlertChange(h.Action, Utc(h.At), h.By, h.Note))]);
    }

    /// <summary>
    /// Alerts active at some time in [from, to) (raised before <c>to</c>, not cleared before <c>from</c>), newest first,
    /// one more than asked for so that the caller knows whether a next page exists.
    /// </summary>
    public async Task<IReadOnlyList<Alert>> ListAsync(AlertFilter f, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"""
            select {Columns} from alerts
            where (@to::timestamptz is null or raised_at < @to)
              and (@from::timestamptz is null or cleared_at is null or cleared_at >= @from)
              and (@kind::text is null or kind = @kind)
              and (@queue::text is null or queue = @queue)
              and (@team::text[] is null or queue = any(@team))
              and (@state::text is null or state = @state)
              and (@before::bigint is null or id < @before)
            order by id desc
            limit @limit
            """,
            new { from = f.From?.UtcDateTime, to = f.To?.UtcDateTime, kind = f.Kind, queue = f.Queue, team = f.Team?.ToArray(), state = f.State, before = f.Before, limit = f.Limit + 1 },
            cancellationToken: ct));
        return [.. rows.Select(r => r.ToAlert())];
    }

    internal static DateTimeOffset Utc(DateTime at) => new(DateTime.SpecifyKind(at, DateTimeKind.Utc));

    internal sealed class Row
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Subject { get; init; } = "";
        public string? Queue { get; init; }
        public string Severity { get; init; } = "";
        public string State { get; init; } = "";
        public DateTime RaisedAt { get; init; }
        public DateTime? AcknowledgedAt { get; init; }
        public string? AcknowledgedBy { get; init; }
        public string? AckNote { get; init; }
        public DateTime? ClearedAt { get; init; }
        public DateTime? EscalatedAt { get; init; }
        public string Details { get; init; } = "{}";

        public Alert ToAlert() => new(Id, Kind, Subject, Queue, Severity, State, Utc(RaisedAt),
            AcknowledgedAt is { } a ? Utc(a) : null, AcknowledgedBy, AckNote, ClearedAt is { } c ? Utc(c) : null,
            EscalatedAt is { } e ? Utc(e) : null, JsonDocument.Parse(Details).RootElement.Clone());
    }

    sealed class ChangeRow
    {
        public string Action { get; init; } = "";
        public DateTime At { get; init; }
        public string By { get; init; } = "";
        public string? Note { get; init; }
    }
}

public static class AlertJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
