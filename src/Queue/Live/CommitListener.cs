using Microsoft.Extensions.Options;
using Npgsql;
using Queue.EventLog;

namespace Queue.Live;

/// <summary>
/// Wakes the follower when PostgreSQL says events were committed (<c>LISTEN</c> on <see cref="CommittedEvents.Channel"/>),
/// so that an event reaches live state without waiting for a poll. While the listening connection is down the follower
/// polls at its <see cref="LiveOptions.PollInterval"/>; while it is up, it still looks every
/// <see cref="LiveOptions.ListeningPollInterval"/>, in case a notification was lost with a connection.
/// </summary>
internal sealed partial class CommitListener(NpgsqlDataSource db, IOptions<LiveOptions> options, ILogger<CommitListener> logger) : BackgroundService
{
    readonly SemaphoreSlim signal = new(0, 1);
    volatile bool listening;

    /// <summary>Waits for a commit, or at most the poll interval of now: listening or not.</summary>
    public async Task WaitAsync(CancellationToken ct) =>
        await signal.WaitAsync(listening ? options.Value.ListeningPollInterval : options.Value.PollInterval, ct);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"listen {CommittedEvents.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                listening = true;
                failures = 0;
                // What committed before the LISTEN took effect notified no one: look once.
                Wake();
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
            {
                listening = false;
                if (failures++ == 0) LogListenLost(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, failures)), ct);
            }
        }
    }

    void Wake()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // already woken: the follower reads everything committed when it wakes
        }
    }

    public override void Dispose()
    {
        signal.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not listening for commits ({Reason}); the live follower polls until it is back")]
    static partial void LogListenLost(ILogger logger, string reason);
}
