using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Queue.EventLog;
using Queue.Redis;
using Queue.Telemetry;
using StackExchange.Redis;

namespace Queue.Live;

/// <summary>
/// Keeps live state equal to PostgreSQL (docs/adr/0003): follows the committed log from the cursor shared in Redis,
/// re-projects what each step touched, and moves the cursor on. A missing cursor means Redis lost live state
/// (flushed, restarted, new), and a cursor of an older layout (<see cref="RedisLayout.Version"/>) means live state is
/// shaped as an earlier release shaped it: either way one node rebuilds it from the derived tables while the others
/// wait, then all follow from where the rebuild stood. Runs on every node; applying twice changes nothing. It looks
/// when a commit wakes it (<see cref="CommitListener"/>), and at the pace of <see cref="CommitListener.Pause"/> besides.
/// </summary>
internal sealed partial class LiveFollower(
    CommittedEvents log, LiveProjector projector, LiveSource source, LiveStore store, LivePublisher publisher,
    Targets.QueueTargets targets, CommitListener commits, IOptions<LiveOptions> options, TimeProvider time, ILogger<LiveFollower> logger) : BackgroundService
{
    // Queues whose thresholds changed, to be projected again, each with the number of the change it is marked for.
    readonly ConcurrentDictionary<string, long> reproject = new(StringComparer.Ordinal);
    long changes;

    static readonly TimeSpan LockTtl = TimeSpan.FromSeconds(15);
    const int RebuildChunk = 2_000;
    const int RebuildParallelism = 4;

    FeedCursor? cursor;
    long lastTrim;
    int newerLayoutSeen;
    readonly DateTimeOffset created = time.GetUtcNow();

    /// <summary>
    /// When live state on this node last held every event committed in PostgreSQL: the start of the last read of the
    /// log that reached its end (a page not full), once what it read was applied.
    /// </summary>
    public DateTimeOffset? CaughtUpAt { get; private set; }

    /// <summary>
    /// How far live state on this node may be behind PostgreSQL: now − <see cref="CaughtUpAt"/> (− the follower's
    /// creation, before it first caught up). An upper bound: about the listening poll interval when it keeps up.
    /// </summary>
    public TimeSpan Lag
    {
        get
        {
            var lag = time.GetUtcNow() - (CaughtUpAt ?? created);
            return lag > TimeSpan.Zero ? lag : TimeSpan.Zero;
        }
    }

    /// <summary>How long the last rebuild took, and how many entities it projected.</summary>
    public (TimeSpan Took, int Entities)? LastRebuild { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        targets.Changed += changed =>
        {
            foreach (var c in changed.Where(c => c.Thresholds)) reproject[c.Queue] = Interlocked.Increment(ref changes);
            commits.Wake();
        };
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // A wake pending now stands for commits that this step reads; one that comes during it stays pending.
                commits.Look();
                var step = await StepAsync(ct);
                failures = 0;
                var live = options.Value;
                await commits.WaitAsync(CommitListener.Pause(step, commits.Listening, live), CommitListener.Spacing(step, commits.Rate, live), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RedisException or NpgsqlException or TimeoutException)
            {
                // Redis or PostgreSQL away: try again soon, so live state is back within a second of them.
                if (failures++ == 0) LogFollowFailed(logger, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250, 50 * failures)), ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // A defect, not an outage: say so loudly, and keep following rather than leave live state frozen.
                LogFollowBroken(logger, e);
                failures++;
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <summary>
    /// One step: rebuild if live state is missing or of an older layout, else apply what the log has next; says whether
    /// more may be waiting, or events held back by a running transaction, or nothing.
    /// </summary>
    internal async Task<FollowStep> StepAsync(CancellationToken ct)
    {
        var shared = await store.ReadCursorAsync();
        if (shared is not { IsCurrent: true } current)
        {
            cursor = null;
            if (shared is { } newer && newer.Layout > RedisLayout.Version)
            {
                // A release with a newer layout is being rolled out: its nodes own live state now. This node writes
                // nothing in its own layout over theirs, and reports itself behind (health) until it is replaced.
                if (newerLayoutSeen != newer.Layout) LogNewerLayout(logger, newer.Layout, RedisLayout.Version);
                newerLayoutSeen = newer.Layout;
                return FollowStep.CaughtUp;
            }
            await RebuildAsync(ct);
            return FollowStep.More;
        }
        newerLayoutSeen = 0;
        var stands = new FeedCursor(current.Tx, current.Position);
        if (cursor is not { } at || Compare(stands, at) > 0) cursor = stands;
        foreach (var (queue, change) in reproject)
        {
            // What this node projected before it learned of the change is replaced too: it runs after that step.
            var started = Stopwatch.GetTimestamp();
            using var span = QueueMetrics.Source.StartActivity("live.reproject")?.SetTag("queue.queue", queue);
            await projector.ReprojectAsync(queue, time.GetUtcNow() - options.Value.RetainEnded, ct);
            reproject.TryRemove(KeyValuePair.Create(queue, change));
            publisher.MarkDirty([queue]);
            LogReprojected(logger, queue, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var readAt = time.GetUtcNow();
        var page = await log.ReadAsync(cursor.Value, options.Value.FeedBatch, ct);
        commits.Read(page.Events.Count);
        if (page.Events.Count > 0)
        {
            using var span = QueueMetrics.Source.StartActivity("live.apply")?.SetTag("queue.live.events", page.Events.Count);
            var touched = new Touched();
            foreach (var e in page.Events) touched.Add(e.Event);
            publisher.MarkDirty(await projector.ProjectAsync(touched, ct));
            cursor = page.Next;
            var advanced = await store.AdvanceCursorAsync(page.Next);
            if (!advanced) cursor = null; // lost meanwhile: the next step rebuilds
            var full = page.Events.Count == options.Value.FeedBatch;
            if (advanced && !full) CaughtUpAt = readAt;
            return full || !advanced ? FollowStep.More : page.HeldBack ? FollowStep.HeldBack : FollowStep.CaughtUp;
        }
        CaughtUpAt = readAt;
        if (Stopwatch.GetElapsedTime(lastTrim) >= options.Value.TrimInterval)
        {
            lastTrim = Stopwatch.GetTimestamp();
            await TrimAsync();
        }
        return page.HeldBack ? FollowStep.HeldBack : FollowStep.CaughtUp;
    }

    async Task RebuildAsync(CancellationToken ct)
    {
        var token = Guid.NewGuid().ToString("N");
        if (!await store.TryLockAsync(token, LockTtl))
        {
            // Another node is rebuilding: follow once it is done.
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
            return;
        }
        try
        {
            // Another node may have rebuilt it while this one took the lock.
            var found = await store.ReadCursorAsync();
            if (found?.Layout >= RedisLayout.Version) return;
            if (found is { } older) LogOlderLayout(logger, older.Layout, RedisLayout.Version);
            using var span = QueueMetrics.Source.StartActivity("live.rebuild");
            var started = Stopwatch.GetTimestamp();
            // From nothing: what is left of live state (of an older layout, or parts the rows no longer make) could
            // otherwise stand beside what the rebuild writes, or keep a version the rebuild's parts do not pass.
            var cleared = await store.ClearAsync();
            // Every transaction below the horizon has ended, so the rows read after it hold all their events;
            // the log is followed again from the horizon on (re-applying what the rows already had changes nothing).
            var horizon = await source.HorizonAsync(ct);
            var now = time.GetUtcNow();
            var calls = await source.LiveCallIdsAsync(now - options.Value.RetainEnded, ct);
            var visits = await source.LiveVisitIdsAsync(now - options.Value.RetainVisits, ct);
            var agents = await source.AgentIdsAsync(ct);
            var listed = Stopwatch.GetElapsedTime(started);
            // Chunks side by side: PostgreSQL, this process and Redis each get work while the others answer.
            var chunks = calls.Chunk(RebuildChunk).Select(c => (Action<Touched>)(t => t.Calls.UnionWith(c)))
                .Concat(visits.Chunk(RebuildChunk).Select(c => (Action<Touched>)(t => t.Visits.UnionWith(c))))
                .Concat(agents.Chunk(RebuildChunk).Select(c => (Action<Touched>)(t => t.Agents.UnionWith(c))));
            await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = RebuildParallelism, CancellationToken = ct },
                async (fill, cancel) => await ProjectAsync(fill, token, cancel));
            var at = new FeedCursor(horizon - 1, long.MaxValue);
            // Only while the lock is still ours: Redis lost meanwhile (flushed, restarted) must not get a cursor
            // over state this rebuild no longer holds.
            if (!await store.SetCursorIfLockedAsync(at, token)) throw new TimeoutException("the rebuild lock was lost before the cursor was set");
            cursor = at;
            var took = Stopwatch.GetElapsedTime(started);
            var entities = calls.Count + visits.Count + agents.Count;
            LastRebuild = (took, entities);
            span?.SetTag("queue.live.entities", entities);
            LogRebuilt(logger, entities, took.TotalMilliseconds, calls.Count, visits.Count, agents.Count, listed.TotalMilliseconds, cleared);
            await publisher.MarkAllDirtyAsync();
        }
        finally
        {
            await store.ReleaseLockAsync(token);
        }
    }

    async Task ProjectAsync(Action<Touched> fill, string token, CancellationToken ct)
    {
        var touched = new Touched();
        fill(touched);
        await projector.ProjectAsync(touched, ct, rebuilding: true);
        if (!await store.RenewLockAsync(token, LockTtl)) throw new TimeoutException("the rebuild lock was lost");
    }

    async Task TrimAsync()
    {
        var now = time.GetUtcNow();
        foreach (var queue in (await store.QueuesAsync()).Append(LiveKeys.Center))
            while (await store.TrimAsync(queue, now, 1_000) == 1_000) { }
    }

    static int Compare(FeedCursor a, FeedCursor b) => a.Tx != b.Tx ? a.Tx.CompareTo(b.Tx) : a.Position.CompareTo(b.Position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live state cannot follow the log now, retrying: {Reason}")]
    static partial void LogFollowFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Live state failed to apply a step of the log; retrying")]
    static partial void LogFollowBroken(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live state of queue {Queue} projected again with its new thresholds in {Milliseconds:F0} ms")]
    static partial void LogReprojected(ILogger logger, string queue, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Live state rebuilt from PostgreSQL: {Entities} entities in {Milliseconds:F0} ms ({Calls} calls, {Visits} visits, {Agents} agents; listed in {ListedMilliseconds:F0} ms; {Cleared} keys cleared first)")]
    static partial void LogRebuilt(ILogger logger, int entities, double milliseconds, int calls, int visits, int agents, double listedMilliseconds, int cleared);

    [LoggerMessage(Level = LogLevel.Information, Message = "Live state in Redis is of layout {Found}, older than this node's {Layout}: rebuilding it from PostgreSQL")]
    static partial void LogOlderLayout(ILogger logger, int found, int layout);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Live state in Redis is of layout {Found}, newer than this node's {Layout}: left to the nodes of that layout; this node follows no more")]
    static partial void LogNewerLayout(ILogger logger, int found, int layout);
}
