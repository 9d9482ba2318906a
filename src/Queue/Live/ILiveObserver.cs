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

    /// <summary>
    /// Completes once the observer can judge (alerts: once they have read what is open). Until then it names no instant,
    /// and once it can the publisher looks at every queue again, so that no deadline passed meanwhile is missed.
    /// </summary>
    Task Ready { get; }
}
