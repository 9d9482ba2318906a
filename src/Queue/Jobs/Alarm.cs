using System.Threading.Channels;

namespace Queue.Jobs;

/// <summary>
/// Wakes a background loop: at once (<see cref="Ring"/>), at an instant (<see cref="At"/>), and every period, on the
/// injected clock. Rings while the loop is busy are kept as one, so a ring is never lost and never piles up.
/// </summary>
internal sealed class Alarm : IDisposable
{
    readonly Channel<bool> rung = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    readonly TimeProvider time;
    readonly ITimer periodic;
    readonly ITimer deadline;

    public Alarm(TimeProvider time, TimeSpan period)
    {
        this.time = time;
        periodic = time.CreateTimer(_ => Ring(), null, period, period);
        deadline = time.CreateTimer(_ => Ring(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Ring() => rung.Writer.TryWrite(true);

    /// <summary>Rings at that instant (at once if it has passed); null: only on the period.</summary>
    public void At(DateTimeOffset? at)
    {
        if (at is not { } when)
        {
            deadline.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }
        var after = when - time.GetUtcNow();
        if (after <= TimeSpan.Zero) Ring();
        else deadline.Change(after, Timeout.InfiniteTimeSpan);
    }

    public async Task WaitAsync(CancellationToken ct) => await rung.Reader.ReadAsync(ct);

    public void Dispose()
    {
        periodic.Dispose();
        deadline.Dispose();
    }
}

/// <summary>
/// A background loop woken by an <see cref="Alarm"/>: at start, on every ring, every period, and at the instant each
/// step names. PostgreSQL away is said once per failure and tried again at the next ring: what is due stays in its table.
/// </summary>
internal abstract class AlarmLoop(TimeProvider time, TimeSpan period) : BackgroundService
{
    readonly Alarm alarm = new(time, period);

    protected TimeProvider Time { get; } = time;

    /// <summary>Wakes the loop at once.</summary>
    public void Wake() => alarm.Ring();

    /// <summary>Does what is due; answers when something next falls due, if anything.</summary>
    protected abstract Task<DateTimeOffset?> StepAsync(CancellationToken ct);

    protected abstract void OnOutage(string reason);

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        alarm.Ring();
        while (true)
        {
            await alarm.WaitAsync(ct);
            try
            {
                alarm.At(await StepAsync(ct));
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                OnOutage(e.Message);
            }
        }
    }

    public override void Dispose()
    {
        alarm.Dispose();
        base.Dispose();
    }
}
