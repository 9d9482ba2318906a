using Microsoft.Extensions.Options;
using Npgsql;
using Queue.Figures;
using Queue.Redis;
using StackExchange.Redis;

namespace Queue.Targets;

/// <summary>A queue whose targets changed; <see cref="Thresholds"/> if its service-level T or short-abandon threshold did.</summary>
public sealed record TargetChange(string Queue, bool Thresholds);

/// <summary>
/// Every queue's targets as this node knows them: the configured defaults, overridden per queue by what PostgreSQL
/// holds. Read again when a node changes them (a message on Redis tells every node at once) and every
/// <see cref="TargetOptions.ReloadInterval"/> whatever happens, so a node that missed the message still learns.
/// Changes are told to <see cref="Changed"/>: snapshots are published again with the new targets, alerts are decided
/// against them, and a queue whose thresholds changed has its live state projected again.
/// </summary>
internal sealed partial class QueueTargets(
    QueueTargetsStore store, IOptions<TargetOptions> defaults, IConnectionMultiplexer redis, LiveKeys keys, ILogger<QueueTargets> logger)
    : BackgroundService
{
    sealed record State(IReadOnlyDictionary<string, StoredTargets> Rows, IReadOnlyDictionary<string, TargetOptions> Effective,
        IReadOnlyDictionary<string, QueueThresholds> Thresholds);

    static readonly State Empty = new(new Dictionary<string, StoredTargets>(), new Dictionary<string, TargetOptions>(), new Dictionary<string, QueueThresholds>());

    volatile State state = Empty;
    readonly SemaphoreSlim reloading = new(1, 1);

    public event Action<IReadOnlyList<TargetChange>>? Changed;

    public TargetOptions Defaults => defaults.Value;

    /// <summary>The queue's targets (the defaults for the whole center, or a queue that set none).</summary>
    public TargetOptions For(string? queue) =>
        queue is not null && state.Effective.TryGetValue(queue, out var t) ? t : defaults.Value;

    public IReadOnlyDictionary<string, StoredTargets> Stored => state.Rows;

    /// <summary>The thresholds that shape live state, for queues that set their own.</summary>
    public IReadOnlyDictionary<string, QueueThresholds> Thresholds => state.Thresholds;

    RedisChannel Channel => RedisChannel.Literal(keys.Prefix + "targets");

    /// <summary>Tells every node (this one included) to read the targets again.</summary>
    public async Task AnnounceAsync(CancellationToken ct)
    {
        await ReloadAsync(ct);
        try
        {
            await redis.GetSubscriber().PublishAsync(Channel, "changed");
        }
        catch (RedisException e)
        {
            // The other nodes still learn at their next reload.
            LogAnnounceFailed(logger, e.Message);
        }
    }

    public async Task ReloadAsync(CancellationToken ct)
    {
        await reloading.WaitAsync(ct);
        try
        {
            var rows = (await store.ListAsync(ct)).ToDictionary(r => r.Queue, StringComparer.Ordinal);
            var next = Build(rows, defaults.Value);
            var before = state;
            state = next;
            var changes = Compare(before, next, defaults.Value);
            if (changes.Count > 0 && !ReferenceEquals(before, Empty))
            {
                foreach (var c in changes) LogChanged(logger, c.Queue, c.Thresholds);
                Changed?.Invoke(changes);
            }
        }
        finally
        {
            reloading.Release();
        }
    }

    public override async Task StartAsync(CancellationToken ct)
    {
        // Before live state is followed: a node must not project a queue with the default thresholds it overrides.
        try
        {
            await ReloadAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogReloadFailed(logger, e.Message);
        }
        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        try
        {
            await redis.GetSubscriber().SubscribeAsync(Channel, (_, _) => _ = ReloadQuietlyAsync(ct));
        }
        catch (RedisException e)
        {
            LogAnnounceFailed(logger, e.Message);
        }
        using var timer = new PeriodicTimer(defaults.Value.ReloadInterval);
        while (await timer.WaitForNextTickAsync(ct)) await ReloadQuietlyAsync(ct);
    }

    async Task ReloadQuietlyAsync(CancellationToken ct)
    {
        try
        {
            await ReloadAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogReloadFailed(logger, e.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    static State Build(Dictionary<string, StoredTargets> rows, TargetOptions d)
    {
        var effective = new Dictionary<string, TargetOptions>(StringComparer.Ordinal);
        var thresholds = new Dictionary<string, QueueThresholds>(StringComparer.Ordinal);
        foreach (var (queue, row) in rows)
        {
            var t = Effective(row.Set, d);
            effective[queue] = t;
            if (t.ServiceLevelThreshold != d.ServiceLevelThreshold || t.ShortAbandon != d.ShortAbandon)
                thresholds[queue] = new QueueThresholds(t.ServiceLevelThreshold, t.ShortAbandon);
        }
        return new State(rows, effective, thresholds);
    }

    /// <summary>Overrides on top of the defaults.</summary>
    public static TargetOptions Effective(TargetOverrides o, TargetOptions d) => new()
    {
        Wait = o.WaitSeconds is { } w ? Seconds(w) : d.Wait,
        Remote = o.Remote ?? d.Remote,
        Visit24 = o.Visit24 ?? d.Visit24,
        Visit48 = o.Visit48 ?? d.Visit48,
        ServiceLevelThreshold = o.ServiceLevelThresholdSeconds is { } sl ? Seconds(sl) : d.ServiceLevelThreshold,
        ShortAbandon = o.ShortAbandonSeconds is { } s ? Seconds(s) : d.ShortAbandon,
        MinimumSample = o.MinimumSample ?? d.MinimumSample,
        ServiceLevel = o.ServiceLevel ?? d.ServiceLevel,
        Abandonment = o.Abandonment ?? d.Abandonment,
        ReloadInterval = d.ReloadInterval,
    };

    // Targets are kept to the millisecond (the API refuses finer), so seconds convert without drift.
    static TimeSpan Seconds(double seconds) => TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));

    static List<TargetChange> Compare(State before, State after, TargetOptions d)
    {
        var changes = new List<TargetChange>();
        foreach (var queue in before.Effective.Keys.Union(after.Effective.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var a = before.Effective.GetValueOrDefault(queue) ?? d;
            var b = after.Effective.GetValueOrDefault(queue) ?? d;
            if (TargetStates.Of(a) != TargetStates.Of(b))
                changes.Add(new TargetChange(queue, before.Thresholds.GetValueOrDefault(queue) != after.Thresholds.GetValueOrDefault(queue)));
        }
        return changes;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Targets of queue {Queue} changed (thresholds of live state changed: {Thresholds})")]
    static partial void LogChanged(ILogger logger, string queue, bool thresholds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Targets could not be read, keeping those known: {Reason}")]
    static partial void LogReloadFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Other nodes could not be told of changed targets now; they read them again within their reload interval: {Reason}")]
    static partial void LogAnnounceFailed(ILogger logger, string reason);
}
