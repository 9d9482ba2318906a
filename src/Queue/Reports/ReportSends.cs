using Dapper;
using Npgsql;

namespace Queue.Reports;

/// <summary>
/// The record of weekly report emails in PostgreSQL (<c>report_sends</c>). The Monday send of a week is one row:
/// claimed by a row lock held while the SMTP server is asked, marked sent in the same transaction once it accepted.
/// A node that comes second waits on the row and finds it sent (or, if the first failed, sends it itself), so a week
/// is sent once however many nodes and retries try. Between the SMTP server's acceptance and the commit a crash leaves
/// it unsent, and the retry sends it again with the same Message-Id: at least once at that one instant.
/// </summary>
internal sealed class ReportSends(NpgsqlDataSource db)
{
    public const string Pending = "pending";
    public const string Sent = "sent";

    /// <summary>
    /// Sends the week's scheduled email unless it has been sent: <paramref name="send"/> gets the Message-Id to use (the
    /// same on every attempt). Answers whether this call sent it; a failure is recorded and thrown again.
    /// </summary>
    public async Task<bool> SendOnceAsync(string week, int version, string[] recipients, string messageId, DateTimeOffset now, TimeSpan wait,
        Func<string, Task> send, Func<DateTimeOffset> clock, CancellationToken ct)
    {
        var timeout = (int)Math.Ceiling(wait.TotalSeconds);
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // A node sending the week holds its row (even one it has just inserted): this waits for its outcome.
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into report_sends (week, scheduled, recipients, message_id, state, created_at, version)
            values (@week, true, @recipients, @messageId, 'pending', @now, @version)
            on conflict (week) where scheduled do nothing
            """, new { week, recipients, messageId, now = now.UtcDateTime, version }, tx, timeout, cancellationToken: ct));
        var row = await connection.QuerySingleAsync<(long Id, string State, string MessageId)>(new CommandDefinition(
            "select id, state, message_id from report_sends where week = @week and scheduled for update",
            new { week }, tx, timeout, cancellationToken: ct));
        if (row.State == Sent)
        {
            await tx.CommitAsync(ct);
            return false;
        }
        try
        {
            await send(row.MessageId);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update report_sends set attempts = attempts + 1, last_error = @error, recipients = @recipients where id = @id",
                new { id = row.Id, error = $"{e.GetType().Name}: {e.Message}", recipients }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            throw;
        }
        await MarkSentAsync(connection, tx, row.Id, recipients, clock(), ct, version);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Records a re-send asked for by <paramref name="by"/>, sends it, and marks it sent; a failure is recorded and thrown again.</summary>
    public async Task ResendAsync(string week, int version, string[] recipients, string messageId, string by, DateTimeOffset now, Func<Task> send,
        Func<DateTimeOffset> clock, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into report_sends (week, scheduled, recipients, message_id, state, created_at, requested_by, version)
            values (@week, false, @recipients, @messageId, 'pending', @now, @by, @version)
            returning id
            """, new { week, recipients, messageId, now = now.UtcDateTime, by, version }, cancellationToken: ct));
        try
        {
            await send();
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update report_sends set attempts = attempts + 1, last_error = @error where id = @id",
                new { id, error = $"{e.GetType().Name}: {e.Message}" }, cancellationToken: ct));
            throw;
        }
        await MarkSentAsync(connection, null, id, recipients, clock(), ct, version);
    }

    // The version sent is the one of the report as it was sent (a scheduled send retried may send a later one).
    static Task MarkSentAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, long id, string[] recipients, DateTimeOffset at, CancellationToken ct,
        int version) =>
        connection.ExecuteAsync(new CommandDefinition("""
            update report_sends set state = 'sent', sent_at = @at, attempts = attempts + 1, last_error = null, recipients = @recipients,
                version = @version
            where id = @id
            """, new { id, at = at.UtcDateTime, recipients, version }, tx, cancellationToken: ct));
}
