using System.ComponentModel.DataAnnotations;

namespace Queue.EventLog;

/// <summary>Limits and secrets of <c>POST /api/events</c> and what the event log takes (lateness, its database deadline), bound from <c>Queue:Ingest</c>.</summary>
public sealed class IngestOptions : IValidatableObject
{
    public const string Section = "Queue:Ingest";

    /// <summary>Key of the HMAC-SHA256 that replaces a caller's number. Required; at least 32 characters.</summary>
    [Required(ErrorMessage = "Queue:Ingest:CallerHashSecret is required (at least 32 characters): set Queue__Ingest__CallerHashSecret")]
    [MinLength(32, ErrorMessage = "Queue:Ingest:CallerHashSecret must be at least 32 characters")]
    public string CallerHashSecret { get; set; } = "";

    [Range(1, 100_000)]
    public int MaxBatchEvents { get; set; } = 5_000;

    [Range(1024, 256 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>Events older than this (by <c>at</c>) are rejected.</summary>
    public TimeSpan Lateness { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Events further than this in the future are rejected.</summary>
    public TimeSpan MaxFuture { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A batch not stored within this (waiting for its turn included) is answered 503: a database that does not
    /// answer is unavailable, and a client is better told so quickly than kept waiting.
    /// </summary>
    public TimeSpan DatabaseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The whole body must arrive within this, or the answer is 408: a client that sends part of a batch and stalls
    /// holds its connection no longer than that.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BodyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Batches this node writes at once; more wait their turn. Each locks every call and visit it touches
    /// (up to 5,000), so this bounds the node's share of PostgreSQL's lock table.
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentBatches { get; set; } = 8;

    /// <summary>
    /// Requests of at most this many events share a transaction with the others waiting on this node (group commit):
    /// one commit for many small posts instead of one each. Larger batches keep a transaction of their own. 0: none share.
    /// </summary>
    [Range(0, 1_000)]
    public int GroupRequestMaxEvents { get; set; } = 100;

    /// <summary>A group stops taking requests once it holds this many events; the rest go in the next one.</summary>
    [Range(1, 5_000)]
    public int GroupMaxEvents { get; set; } = 1_000;

    /// <summary>
    /// Groups written at once. A writer takes whatever is waiting when it is free, so while one commits the next
    /// gathers; each takes one of the <see cref="MaxConcurrentBatches"/> turns while it writes.
    /// </summary>
    [Range(1, 16)]
    public int GroupWriters { get; set; } = 2;

    /// <summary>
    /// How long a writer waits for more requests before writing a group that is not full. None by default: what is
    /// already waiting goes at once, and requests that arrive meanwhile fill the next group.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:00.100")]
    public TimeSpan GroupWait { get; set; } = TimeSpan.Zero;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (GroupRequestMaxEvents > GroupMaxEvents)
            yield return new ValidationResult(
                $"Queue:Ingest:GroupRequestMaxEvents ({GroupRequestMaxEvents}) must be at most Queue:Ingest:GroupMaxEvents ({GroupMaxEvents})",
                [nameof(GroupRequestMaxEvents), nameof(GroupMaxEvents)]);
        if (GroupWriters > MaxConcurrentBatches)
            yield return new ValidationResult(
                $"Queue:Ingest:GroupWriters ({GroupWriters}) must be at most Queue:Ingest:MaxConcurrentBatches ({MaxConcurrentBatches}), whose turns they take",
                [nameof(GroupWriters), nameof(MaxConcurrentBatches)]);
    }
}
