using Npgsql;
using NpgsqlTypes;
using Queue.Events;

namespace Queue.EventLog;

/// <summary>Where a reader of the event log stands: after the event stored as <see cref="Position"/> by <see cref="Tx"/>.</summary>
public readonly record struct FeedCursor(ulong Tx, long Position)
{
    public static readonly FeedCursor Start = new(0, 0);
}

/// <summary>One stored event, as the log feed hands it out.</summary>
public sealed record FeedEvent(ulong Tx, long Position, QueueEvent Event);

/// <summary>
/// A page of the log, and whether events stand committed beyond it that could not be read yet (<see cref="HeldBack"/>):
/// of transactions younger than one still running, which may notify no one when it ends.
/// </summary>
public sealed record FeedPage(IReadOnlyList<FeedEvent> Events, FeedCursor Next, bool HeldBack = false);

/// <summary>
/// Follows the event log in an order in which no committed event can be skipped (docs/adr/0002): by
/// (transaction id, position), and only events of transactions older than the oldest one still running.
/// Those have all ended, so every event ordered before the cursor was visible when the cursor passed it.
/// </summary>
internal sealed class CommittedEvents(NpgsqlDataSource db)
{
    /// <summary>
    /// Where a call touched the center as a whole and no queue (completed with no leg known): the name its calls' rows
    /// give the center among the queues they were seen in. "~" is not an identifier character, so no queue has it.
    /// </summary>
    public const string Center = "~";

    // Ordered by the columns, qualified: a bare `tx` in ORDER BY would name the output column `tx::text`, and text
    // order puts transaction 10000000 before 9999999. Each month's partition is read by its key (tx, position, at)
    // from the cursor on, and the partitions merged in order (docs/adr/0007).
    //
    // First, in a statement of its own: are events committed at or above the horizon, which this read cannot take?
    // Asked before the page, so that an event committed between the two statements is either read by the page or was
    // committed after the follower's wake was consumed, and wakes it again.
    const string HeldSql = "select exists (select from events where tx >= pg_snapshot_xmin(pg_current_snapshot()))";

    const string Sql = """
        select e.tx::text, e.position, e.body::text
        from events e
        where (e.tx, e.position) > ($1::xid8, $2)
          and e.tx < pg_snapshot_xmin(pg_current_snapshot())
        order by e.tx, e.position
        limit $3
        """;

    public async Task<FeedPage> ReadAsync(FeedCursor after, int max, CancellationToken ct)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(HeldSql));
        var page = new NpgsqlBatchCommand(Sql);
        page.Parameters.Add(new NpgsqlParameter { Value = after.Tx.ToString(System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType = NpgsqlDbType.Text });
        page.Parameters.Add(new NpgsqlParameter { Value = after.Position, NpgsqlDbType = NpgsqlDbType.Bigint });
        page.Parameters.Add(new NpgsqlParameter { Value = max, NpgsqlDbType = NpgsqlDbType.Integer });
        batch.BatchCommands.Add(page);
        var events = new List<FeedEvent>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var held = reader.GetBoolean(0);
        await reader.NextResultAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            events.Add(new FeedEvent(
                ulong.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture),
                reader.GetInt64(1),
                EventJson.Read(reader.GetString(2))));
        }
        return new FeedPage(events, events.Count == 0 ? after : new FeedCursor(events[^1].Tx, events[^1].Position), held);
    }
}
