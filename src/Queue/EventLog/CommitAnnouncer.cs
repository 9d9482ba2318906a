using System.Threading.Channels;
using Npgsql;

namespace Queue.EventLog;

/// <summary>
/// Says that events were committed, once each commit of the event log's one write path has returned: to this node at
/// once (<see cref="Committed"/>), and to every node through PostgreSQL (<c>NOTIFY</c> on <see cref="Channel"/>) in a
/// transaction of its own. Not from inside the ingest transaction: PostgreSQL serialises the commits of every
/// transaction that notifies, server-wide, under one lock held through the commit's WAL flush, so ingest would commit
/// one transaction at a time. Here one notification is on its way at most, and one more waits for it, whatever the
/// number of commits meanwhile: a notification says only "look", and a look reads everything committed before it. Two
/// notifications are at least <see cref="Spacing"/> apart: closer ones would wake other nodes' followers (which start
/// their looks at least their poll interval apart, 10 ms by default) at most that much sooner, at a PostgreSQL
/// transaction each; this node's own follower is woken in process at once.
/// </summary>
internal sealed partial class CommitAnnouncer(NpgsqlDataSource db, ILogger<CommitAnnouncer> logger) : BackgroundService
{
    /// <summary>The channel on which commits of events are announced; followers <c>LISTEN</c> on it (ADR 0002).</summary>
    public const string Channel = "queue_events";

    /// <summary>The least time between two notifications.</summary>
    public static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(20);

    readonly Channel<bool> pending = System.Threading.Channels.Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Raised on this node each time events may have been committed (also when a commit's outcome is unknown).</summary>
    public event Action? Committed;

    /// <summary>Events may have been committed: tell this node now, and the others by the next notification.</summary>
    public void Announce()
    {
        Committed?.Invoke();
        pending.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var failures = 0;
        while (await pending.Reader.WaitToReadAsync(ct))
        {
            pending.Reader.TryRead(out _);
            var sent = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                // Committed without waiting for the WAL flush: a notification lost with a crash costs a follower one
                // safety poll, and the notification lock is held for no flush.
                await using var notify = db.CreateBatch();
                notify.BatchCommands.Add(new NpgsqlBatchCommand("begin"));
                notify.BatchCommands.Add(new NpgsqlBatchCommand("set local synchronous_commit to off"));
                notify.BatchCommands.Add(new NpgsqlBatchCommand($"select pg_notify('{Channel}', '')"));
                notify.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
                await notify.ExecuteNonQueryAsync(ct);
                failures = 0;
            }
            catch (Exception e) when ((e is NpgsqlException or TimeoutException) && !ct.IsCancellationRequested)
            {
                // Other nodes look at their safety poll instead; ingest meets the same outage and says so.
                if (failures++ == 0) LogNotifyFailed(logger, e.Message);
            }
            var rest = Spacing - System.Diagnostics.Stopwatch.GetElapsedTime(sent);
            if (rest > TimeSpan.Zero) await Task.Delay(rest, ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Commits of events could not be announced to other nodes ({Reason}); they find them at their next look")]
    static partial void LogNotifyFailed(ILogger logger, string reason);
}
