using System.Collections.Concurrent;
using Queue.Redis;

namespace Queue.Live;

/// <summary>
/// Live counts of one instant, each queue's read once however often asked: a publishing round's queues, its center (the
/// sum of every queue) and its teams' sums come from the same reads. So a round reads each queue once, not once for
/// itself and again for the center and each team, and the center a screen gets in a round is the sum of the queues it
/// gets in it.
/// </summary>
internal sealed class LiveReads(LiveReader reader, DateTimeOffset now)
{
    readonly ConcurrentDictionary<string, Lazy<Task<QueueCounts>>> read = new(StringComparer.Ordinal);

    /// <summary>The instant every count is read at.</summary>
    public DateTimeOffset Now { get; } = Micros.Truncate(now);

    /// <summary>A queue's counts at <see cref="Now"/> (<see cref="LiveKeys.Center"/>: what belongs to no queue), read when first asked for.</summary>
    public Task<QueueCounts> ReadAsync(string queue) =>
        read.GetOrAdd(queue, q => new Lazy<Task<QueueCounts>>(() => reader.ReadAsync(q, Now))).Value;
}
