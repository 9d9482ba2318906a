using System.Collections.Concurrent;
using Queue.Api;

namespace Queue.Live;

/// <summary>
/// What a screen watches (<see cref="LiveHub.Watch"/>): the whole center, its team's center (a key scoped to a team),
/// or named queues. Screens watching the same thing share a group of this node, so that one message a round, serialized
/// once, serves them all (ADR 0009).
/// </summary>
internal sealed record LiveViewSpec(bool Center, string? TeamId, IReadOnlySet<string>? Queues)
{
    /// <summary>Whether the published key (a queue, <see cref="LivePublisher.CenterKey"/>, or a team's center) is shown.</summary>
    public bool Shows(string key) =>
        key == LivePublisher.CenterKey ? Center && TeamId is null
        : key.StartsWith(LivePublisher.TeamPrefix, StringComparison.Ordinal) ? Center && TeamId == key[LivePublisher.TeamPrefix.Length..]
        : Queues is null || Queues.Contains(key);

    /// <summary>Whether <paramref name="key"/> is a center (the whole one or a team's) rather than a queue.</summary>
    public static bool IsCenter(string key) => key == LivePublisher.CenterKey || key.StartsWith(LivePublisher.TeamPrefix, StringComparison.Ordinal);

    public string Name => Center ? "center:" + (TeamId ?? "") : "queues:" + KeyScope.TeamIdOf(Queues!);
}

/// <summary>The screens of this node and what each watches, grouped by what they watch.</summary>
internal sealed class LiveViews
{
    readonly ConcurrentDictionary<string, string> groupOf = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (LiveViewSpec Spec, ConcurrentDictionary<string, byte> Connections)> groups = new(StringComparer.Ordinal);
    readonly Lock gate = new();

    /// <summary>Records that <paramref name="connection"/> now watches <paramref name="spec"/>, instead of what it watched before.</summary>
    public void Watch(string connection, LiveViewSpec spec)
    {
        lock (gate)
        {
            Leave(connection);
            groups.GetOrAdd(spec.Name, _ => (spec, new(StringComparer.Ordinal))).Connections[connection] = 0;
            groupOf[connection] = spec.Name;
        }
    }

    /// <summary>Forgets what <paramref name="connection"/> watched.</summary>
    public void Forget(string connection)
    {
        lock (gate) Leave(connection);
    }

    void Leave(string connection)
    {
        if (!groupOf.TryRemove(connection, out var group)) return;
        if (groups.TryGetValue(group, out var members))
        {
            members.Connections.TryRemove(connection, out _);
            if (members.Connections.IsEmpty) groups.TryRemove(group, out _);
        }
    }

    /// <summary>What each group of screens watches, and its screens' connections.</summary>
    public IReadOnlyList<(LiveViewSpec Spec, ICollection<string> Screens)> Groups() => [.. groups.Values.Select(g => (g.Spec, g.Connections.Keys))];

    public bool IsEmpty => groups.IsEmpty;

    /// <summary>How many screens of this node watch something.</summary>
    public int Screens => groupOf.Count;
}
