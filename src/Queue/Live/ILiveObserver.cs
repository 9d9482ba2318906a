namespace Queue.Live;

/// <summary>
/// Follows every snapshot a node computes (alerts do): live state publishes, observers subscribe by registering one.
/// Each may answer the next instant the queue must be looked at again with no event (a wait passing its target),
/// and the publisher wakes the queue then.
/// </summary>
public interface ILiveObserver
{
    Task<DateTimeOffset?> QueueChangedAsync(QueueSnapshot snapshot, CancellationToken ct);

    /// <summary>The center changed: its visits (which belong to no queue or to several).</summary>
    Task<DateTimeOffset?> CenterChangedAsync(CancellationToken ct);
}
