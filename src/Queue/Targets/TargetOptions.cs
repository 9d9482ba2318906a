using System.ComponentModel.DataAnnotations;

namespace Queue.Targets;

/// <summary>
/// The center's service targets and the thresholds of SPEC §3, from <c>Queue:Targets</c>: the defaults of every queue,
/// which a queue may override (<c>PUT /api/targets/{queue}</c>).
/// </summary>
public sealed class TargetOptions
{
    public const string Section = "Queue:Targets";

    /// <summary>Average speed of answer target (<c>wait</c>).</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Share of completed calls resolved remotely (<c>remote</c>).</summary>
    [Range(0.0, 1.0)]
    public double Remote { get; set; } = 0.9;

    /// <summary>Share of visits resolved within 24 h (<c>visit24</c>).</summary>
    [Range(0.0, 1.0)]
    public double Visit24 { get; set; } = 0.8;

    /// <summary>Share of visits resolved within 48 h (<c>visit48</c>).</summary>
    [Range(0.0, 1.0)]
    public double Visit48 { get; set; } = 1.0;

    /// <summary>
    /// Whether the visits due within 48 h met <see cref="Visit48"/>: the share not overdue, as a ratio of counts (so
    /// that 9 of 10 meets 0.9 whatever the rounding); null with none due.
    /// </summary>
    public bool? Visit48Met(long due48, long overdue48) => due48 == 0 ? null : (double)(due48 - overdue48) / due48 >= Visit48 - 1e-9;

    /// <summary>
    /// Share of offered calls to answer within <see cref="ServiceLevelThreshold"/> (0.8 for 80/30). None by default
    /// (SPEC §1: service level is shown, not a target): when set, the service level figure is judged against it and
    /// the staffing need meets it as well as <see cref="Wait"/>.
    /// </summary>
    [Range(0.01, 0.999)]
    public double? ServiceLevel { get; set; }

    /// <summary>
    /// Abandonment rate to stay at or under (0.05 for 5 %). None by default (SPEC §1: abandonment is shown, not a
    /// target): when set, the abandonment figure is judged against it and <c>queue.abandonment</c> alerts past it.
    /// </summary>
    [Range(0.001, 0.999)]
    public double? Abandonment { get; set; }

    /// <summary>T of service level: answered within this counts as on time.</summary>
    public TimeSpan ServiceLevelThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Abandons shorter than this are short abandons, counted apart.</summary>
    public TimeSpan ShortAbandon { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A breach on a rate needs at least this many samples in its window.</summary>
    [Range(1, 10_000)]
    public int MinimumSample { get; set; } = 10;

    /// <summary>How often a node reads the per-queue targets again, whether or not it was told they changed.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>A queue's service-level T and short-abandon threshold, where they differ from the defaults.</summary>
public sealed record QueueThresholds(TimeSpan ServiceLevel, TimeSpan ShortAbandon);
