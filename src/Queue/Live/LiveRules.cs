using Queue.Targets;

namespace Queue.Live;

/// <summary>How thresholds and the calendar shape live state: the same for every node.</summary>
public sealed record LiveRules(TimeSpan ServiceLevelThreshold, TimeSpan ShortAbandon, TimeZoneInfo Zone, TimeSpan RetainEnded, TimeSpan RetainVisits)
{
    /// <summary>Queues whose thresholds differ from the defaults above.</summary>
    public IReadOnlyDictionary<string, QueueThresholds> Queues { get; init; } = new Dictionary<string, QueueThresholds>();

    public TimeSpan ServiceLevelOf(string queue) => Queues.TryGetValue(queue, out var q) ? q.ServiceLevel : ServiceLevelThreshold;

    /// <summary>A leg waiting longer than this is a ghost, in no live figure (<see cref="LiveOptions.GhostAfter"/>).</summary>
    public TimeSpan GhostAfter { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan ShortAbandonOf(string queue) => Queues.TryGetValue(queue, out var q) ? q.ShortAbandon : ShortAbandon;

    public static LiveRules From(TargetOptions targets, LiveOptions live, TimeZoneInfo zone) =>
        new(targets.ServiceLevelThreshold, targets.ShortAbandon, zone, live.RetainEnded, live.RetainVisits) { GhostAfter = live.GhostAfter };

    public static readonly TimeSpan TombstoneFor = TimeSpan.FromHours(1);

    /// <summary>
    /// What happened since then is kept member by member, for the rolling windows' edges; what happened before, only
    /// in quarter-hour counts. More than the longest rolling window (60 min), so that clocks a little apart agree.
    /// </summary>
    public static readonly TimeSpan RecentFor = TimeSpan.FromMinutes(65);

    public DateOnly LocalDay(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);
}
