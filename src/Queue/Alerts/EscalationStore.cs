using System.Text.Json;
using Dapper;
using Npgsql;

namespace Queue.Alerts;

/// <summary>A notification claimed for sending: which alert, how, to whom, what, and how many attempts it has had.</summary>
internal sealed record Notification(long Id, long AlertId, string Channel, string Target, EscalationMessage Message, int Attempts);

/// <summary>How an attempt went: sent, or failed with a reason and tried again at <c>RetryAt</c> (null: given up).</summary>
internal sealed record Attempt(long Id, string? Error, DateTimeOffset? RetryAt);

public static class NotificationChannels
{
    public const string Email = "email";
    public const string Webhook = "webhook";
}

/// <summary>
/// Escalations and their outbox in PostgreSQL. An alert is escalated by the one UPDATE that sets its
/// <c>escalated_at</c> while it is still open and not escalated: a node that races another waits on the row and then
/// finds it escalated (or acknowledged), so each alert is escalated once however many nodes look. Its history row and
/// its notifications are written in the same transaction: escalated means there is something to send, and the
/// other way round.
/// </summary>
internal sealed class EscalationStore(NpgsqlDataSource db)
{
    const string EscalateSql = $"""
        with escalated as (
            update alerts set escalated_at = @now
            where state = 'open' and escalated_at is null and raised_at <= @cutoff and kind = any(@kinds)
            returning *
        ), history as (
            insert into alert_history (alert_id, at, action, by, note) select id, escalated_at, 'escalated', @by, @note from escalated
        )
        select {AlertStore.Columns} from escalated order by id
        """;

    /// <summary>
    /// Escalates every open alert of those kinds raised at or before <paramref name="cutoff"/> and not escalated yet,
    /// and queues one notification per target for each. Answers the alerts escalated.
    /// </summary>
    public async Task<IReadOnlyList<Alert>> EscalateAsync(DateTimeOffset now, DateTimeOffset cutoff, string[] kinds,
        IReadOnlyList<(string Channel, string Target)> targets, TimeSpan after, string by, string note, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var rows = await connection.QueryAsync<AlertStore.Row>(new CommandDefinition(EscalateSql,
            new { now = now.UtcDateTime, cutoff = cutoff.UtcDateTime, kinds, by, note }, tx, cancellationToken: ct));
        var alerts = rows.Select(r => r.ToAlert()).ToList();
        var outbox = alerts.SelectMany(a => targets.Select(t => (a.Id, t.Channel, t.Target,
            Payload: JsonSerializer.Serialize(EscalationMessage.Of(a, after), AlertJson.Options)))).ToList();
        if (outbox.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into notifications (alert_id, channel, target, payload, next_attempt_at, created_at)
                select alert_id, channel, target, payload::jsonb, @now, @now
                from unnest(@ids, @channels, @targets, @payloads) as n (alert_id, channel, target, payload)
                """,
                new
                {
                    now = now.UtcDateTime, ids = outbox.Select(o => o.Id).ToArray(), channels = outbox.Select(o => o.Channel).ToArray(),
                    targets = outbox.Select(o => o.Target).ToArray(), payloads = outbox.Select(o => o.Payload).ToArray(),
                }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return alerts;
    }

    /// <summary>When the oldest open alert of those kinds raised after <paramref name="cutoff"/>, not escalated yet, was raised; null if there is none.</summary>
    public async Task<DateTimeOffset?> OldestUnescalatedAsync(string[] kinds, DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var at = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "select min(raised_at) from alerts where state = 'open' and escalated_at is null and kind = any(@kinds) and raised_at > @cutoff",
            new { kinds, cutoff = cutoff.UtcDateTime }, cancellationToken: ct));
        return at is { } a ? AlertStore.Utc(a) : null;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> notifications due at <paramref name="now"/>, locked for this transaction:
    /// other nodes skip them (and take the next ones) until <paramref name="send"/> has tried each and the outcome is
    /// written. A node that dies meanwhile leaves them due, for another to send: delivery is at least once.
    /// Answers how many were claimed.
    /// </summary>
    public async Task<int> DispatchAsync(DateTimeOffset now, int limit, Func<IReadOnlyList<Notification>, Task<IReadOnlyList<Attempt>>> send,
        Func<DateTimeOffset> clock, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var rows = (await connection.QueryAsync<NotificationRow>(new CommandDefinition("""
            select id, alert_id as AlertId, channel, target, payload::text as Payload, attempts
            from notifications
            where sent_at is null and failed_at is null and next_attempt_at <= @now
            order by next_attempt_at, id
            limit @limit
            for update skip locked
            """, new { now = now.UtcDateTime, limit }, tx, cancellationToken: ct))).ToList();
        if (rows.Count == 0) return 0;
        var attempts = await send([.. rows.Select(r => new Notification(r.Id, r.AlertId, r.Channel, r.Target,
            JsonSerializer.Deserialize<EscalationMessage>(r.Payload, AlertJson.Options)!, r.Attempts))]);
        var at = clock();
        await connection.ExecuteAsync(new CommandDefinition("""
            update notifications n
            set attempts = n.attempts + 1,
                last_error = a.error,
                sent_at = case when a.error is null then @at end,
                failed_at = case when a.error is not null and a.retry_at is null then @at end,
                next_attempt_at = coalesce(a.retry_at, n.next_attempt_at)
            from unnest(@ids, @errors, @retries) as a (id, error, retry_at)
            where n.id = a.id
            """,
            new
            {
                at = at.UtcDateTime, ids = attempts.Select(a => a.Id).ToArray(), errors = attempts.Select(a => a.Error).ToArray(),
                retries = attempts.Select(a => a.RetryAt?.UtcDateTime).ToArray(),
            }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return rows.Count;
    }

    /// <summary>
    /// When the next notification waiting for another attempt falls due after <paramref name="now"/>; null if none is
    /// waiting. One due already is being sent by another node (or that node died: the periodic check takes it over).
    /// </summary>
    public async Task<DateTimeOffset?> NextDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var at = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(
            "select min(next_attempt_at) from notifications where sent_at is null and failed_at is null and next_attempt_at > @now",
            new { now = now.UtcDateTime }, cancellationToken: ct));
        return at is { } a ? AlertStore.Utc(a) : null;
    }

    sealed class NotificationRow
    {
        public long Id { get; init; }
        public long AlertId { get; init; }
        public string Channel { get; init; } = "";
        public string Target { get; init; } = "";
        public string Payload { get; init; } = "{}";
        public int Attempts { get; init; }
    }
}
