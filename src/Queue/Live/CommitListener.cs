using System.Threading.Channels;
using Npgsql;
using Queue.EventLog;
using Queue.Storage;

namespace Queue.Live;

/// <summary>What a step of the live follower left behind it, which decides when it looks next.</summary>
internal enum FollowStep
{
    /// <summary>It read a full page, or rebuilt live state: more is waiting, look again at once.</summary>
    More,

    /// <summary>
    /// Events are committed beyond the horizon (a transaction older than theirs is still running, anywhere on the
    /// server): look again soon, since that transaction may end without notifying anyone.
    /// </summary>
    HeldBack,

    /// <summary>Everything committed is applied: wait for a commit.</summary>
    CaughtUp,
}

/// <summary>
/// Wakes the live follower when events are committed (docs/adr/0002): at once for this node's own commits
/// (<see cref="CommitAnnouncer.Committed"/>), and by a notification on <see cref="CommitAnnouncer.Channel"/> for other
/// nodes' (<c>LISTEN</c> on a connection of its own, outside the pool). Wakes coalesce: however many come while the
/// follower reads, one is pending at most, and the follower starts no look sooner than <see cref="LiveOptions.PollInterval"/>
/// after the one before (but to go on with a full page), so that a stream of commits is read in batches at that pace,
/// not one small read per commit; under a busy log, further apart (<see cref="Spacing"/>). A wake only says "look":
/// without one, the follower still looks every
/// <see cref="LiveOptions.ListeningPollInterval"/> while this node listens, and every <see cref="LiveOptions.PollInterval"/>
/// while it cannot, so that a notification lost with its connection delays an event and loses none. Its pauses are
/// real time (<c>pace</c>), not the center's clock.
/// </summary>
internal sealed partial class CommitListener : BackgroundService
{
    // A connection dropped without a word (a network gone) is noticed by a statement, not by waiting on it.
    static readonly TimeSpan LivenessInterval = TimeSpan.FromSeconds(15);
    static readonly TimeSpan LongestPause = TimeSpan.FromDays(1);
    static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);

    readonly NpgsqlDataSource source;
    readonly CommitAnnouncer announcer;
    readonly ILogger<CommitListener> logger;
    readonly TimeProvider pace;
    readonly Channel<bool> wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    volatile bool listening;
    long lookedAt;
    long ratedAt;

    public CommitListener(NpgsqlDataSource source, CommitAnnouncer announcer, ILogger<CommitListener> logger, TimeProvider? pace = null)
    {
        this.source = source;
        this.announcer = announcer;
        this.logger = logger;
        this.pace = pace ?? TimeProvider.System;
        ratedAt = this.pace.GetTimestamp();
        announcer.Committed += Wake;
    }

    /// <summary>Whether notifications of other nodes' commits reach this node now.</summary>
    public bool Listening => listening;

    /// <summary>How long the follower waits for a wake after a step: pure.</summary>
    public static TimeSpan Pause(FollowStep step, bool listening, LiveOptions options) => step switch
    {
        FollowStep.More => TimeSpan.Zero,
        FollowStep.HeldBack => options.PollInterval,
        _ => listening ? options.ListeningPollInterval : options.PollInterval,
    };

    /// <summary>
    /// The least time from the start of a look to the start of the next one when woken, the log growing by
    /// <paramref name="eventsPerSecond"/>: <see cref="LiveOptions.PollInterval"/>, stretched in proportion to the rate
    /// above <see cref="LiveOptions.PollStretchRate"/> up to <see cref="LiveOptions.BusyPollInterval"/>; none to go on
    /// with a full page. Pure.
    /// </summary>
    public static TimeSpan Spacing(FollowStep step, double eventsPerSecond, LiveOptions options)
    {
        if (step == FollowStep.More) return TimeSpan.Zero;
        var stretched = options.PollInterval * Math.Max(1, eventsPerSecond / options.PollStretchRate);
        var longest = options.BusyPollInterval > options.PollInterval ? options.BusyPollInterval : options.PollInterval;
        return stretched < longest ? stretched : longest;
    }

    /// <summary>
    /// Events a second coming into the log, as the follower's looks read them: each look's count added, the whole decayed
    /// by <c>e^(-t/1 s)</c>, so that it follows a change of pace within a second or two and smooths the commits' bursts.
    /// </summary>
    public double Rate { get; private set; }

    /// <summary>A look read <paramref name="events"/> events (none too: the rate decays).</summary>
    public void Read(int events)
    {
        var now = pace.GetTimestamp();
        Rate = Rate * Math.Exp(-pace.GetElapsedTime(ratedAt, now) / RateWindow) + events / RateWindow.TotalSeconds;
        ratedAt = now;
    }

    /// <summary>Something may have changed: the follower looks at once, or once it is done with its current step.</summary>
    public void Wake() => wakes.Writer.TryWrite(true);

    /// <summary>A look starts: a pending wake stands for commits that it reads, and is taken.</summary>
    public void Look()
    {
        TryTake();
        lookedAt = pace.GetTimestamp();
    }

    /// <summary>
    /// Waits for a wake, or at most <paramref name="pause"/>; a wake is acted on no sooner than <paramref name="spacing"/>
    /// after the last look began. True if woken.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan pause, TimeSpan spacing, CancellationToken ct)
    {
        if (!await WaitAsync(pause, ct)) return false;
        var rest = spacing - pace.GetElapsedTime(lookedAt);
        if (rest > TimeSpan.Zero) await Task.Delay(rest < LongestPause ? rest : LongestPause, pace, ct);
        return true;
    }

    bool TryTake() => wakes.Reader.TryRead(out _);

    async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (TryTake()) return true;
        if (timeout <= TimeSpan.Zero) return false;
        using var timer = new CancellationTokenSource(timeout < LongestPause ? timeout : LongestPause, pace);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try
        {
            while (await wakes.Reader.WaitToReadAsync(either.Token))
                if (TryTake()) return true;
            return false;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"listen {CommitAnnouncer.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                listening = true;
                if (failures > 0) LogListening(logger);
                failures = 0;
                // What committed while this node did not listen notified no one here: look once.
                Wake();
                while (true)
                {
                    if (await connection.WaitAsync(LivenessInterval, ct)) continue;
                    await using var ping = new NpgsqlCommand("select 1", connection);
                    await ping.ExecuteNonQueryAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                if (failures++ == 0) LogListenLost(logger, e.Message);
                if (listening)
                {
                    // The follower polls meanwhile: woken once, it takes that pace at once.
                    listening = false;
                    Wake();
                }
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, failures)), pace, ct);
            }
        }
    }

    /// <summary>
    /// The listening connection's own source: unpooled, so that it never holds a place of the pool, nor goes back to it
    /// listening. <c>ConnectionStrings:QueueListen</c> when set (a direct connection where the others go through a
    /// pooler in transaction mode, which cannot keep a <c>LISTEN</c>), else <c>ConnectionStrings:Queue</c>.
    /// </summary>
    public static NpgsqlDataSource Source(IServiceProvider sp)
    {
        var configuration = sp.GetRequiredService<IConfiguration>();
        var own = configuration.GetConnectionString("QueueListen");
        var csb = new NpgsqlConnectionStringBuilder(!string.IsNullOrEmpty(own) ? own : configuration.GetConnectionString("Queue")
            ?? throw new InvalidOperationException("ConnectionStrings:Queue is not set (environment: ConnectionStrings__Queue)"))
        {
            Pooling = false,
        };
        csb.ApplicationName ??= "queue listen";
        return StorageExtensions.Build(sp, csb.ConnectionString, commandTimeout: null);
    }

    public override void Dispose()
    {
        announcer.Committed -= Wake;
        source.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not listening for commits of other nodes ({Reason}); the live follower polls until it is back")]
    static partial void LogListenLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for commits of other nodes again")]
    static partial void LogListening(ILogger logger);
}
