using System.Collections.Concurrent;

namespace Queue.Live;

/// <summary>
/// Per queue (and the center, for visits), a timer for the next alert deadline: the instant a waiting call's wait
/// passes its target, or an open visit its deadline. It looks at the queue then, so the alert needs no event. Disposed
/// with its node: a stopped node's timers look at nothing more.
/// </summary>
internal sealed class LiveDeadlines(TimeProvider time) : IDisposable
{
    readonly ConcurrentDictionary<string, ITimer> timers = new(StringComparer.Ordinal);
    volatile bool disposed;

    /// <summary>The queue's next deadline, in place of the one before (none: no timer); <paramref name="look"/> runs then.</summary>
    public void Set(string queue, DateTimeOffset? next, Func<string, Task> look)
    {
        if (next is not { } at || disposed)
        {
            if (timers.TryRemove(queue, out var old)) old.Dispose();
            return;
        }
        var after = at - time.GetUtcNow();
        // The deadline is looked at on its own, at once: through the publisher's loop it would wait for the round in
        // progress (every queue, every second) and then for the queue's push interval, up to a few hundred ms more.
        var timer = time.CreateTimer(_ => _ = look(queue), null, after < TimeSpan.Zero ? TimeSpan.Zero : after, Timeout.InfiniteTimeSpan);
        timers.AddOrUpdate(queue, timer, (_, replaced) =>
        {
            replaced.Dispose();
            return timer;
        });
        // Disposed meanwhile: this timer goes too.
        if (disposed) Dispose();
    }

    public void Dispose()
    {
        disposed = true;
        foreach (var queue in timers.Keys)
            if (timers.TryRemove(queue, out var timer)) timer.Dispose();
    }
}
