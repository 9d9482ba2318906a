using System.Collections.Concurrent;
using Queue.Api;

namespace Queue.Live;

/// <summary>
/// The connections of this node that show a queue in full (the console's drill-down): each gets the queue's
/// <see cref="QueueDetail"/> when it changes, as its key may see it. Kept per node: every node looks at every changed
/// queue, so each sends its own connections what they watch (ADR 0009).
/// </summary>
internal sealed class DetailWatchers
{
    readonly ConcurrentDictionary<string, ConcurrentDictionary<string, KeyScope>> byQueue = new(StringComparer.Ordinal);

    public void Watch(string connection, string queue, KeyScope scope) =>
        byQueue.GetOrAdd(queue, _ => new(StringComparer.Ordinal))[connection] = scope;

    public void Leave(string connection, string queue)
    {
        if (byQueue.TryGetValue(queue, out var watchers)) watchers.TryRemove(connection, out _);
    }

    public void Forget(string connection)
    {
        foreach (var watchers in byQueue.Values) watchers.TryRemove(connection, out _);
    }

    /// <summary>Who watches <paramref name="queue"/> here, by what their keys may see (one detail is read per scope).</summary>
    public IReadOnlyList<(KeyScope Scope, IReadOnlyList<string> Connections)> Of(string queue) =>
        byQueue.TryGetValue(queue, out var watchers) && !watchers.IsEmpty
            ? [.. watchers.GroupBy(w => w.Value.TeamId ?? "", StringComparer.Ordinal)
                .Select(g => (g.First().Value, (IReadOnlyList<string>)[.. g.Select(w => w.Key)]))]
            : [];
}
