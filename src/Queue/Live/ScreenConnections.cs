using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Queue.Telemetry;

namespace Queue.Live;

/// <summary>
/// The live hub's connections on this node, so that <see cref="LiveDelivery"/> writes a round's messages to this node's
/// watching screens itself: what they watch is grouped by this node alone (<see cref="LiveViews"/>), so a round needs
/// no trip through the Redis backplane and back (ADR 0009). Everything else — joined groups, alerts, what other nodes
/// send — goes through <paramref name="backplane"/> as before.
/// </summary>
internal sealed class ScreenConnections(RedisHubLifetimeManager<LiveHub> backplane, QueueMetrics metrics)
    : HubLifetimeManager<LiveHub>
{
    readonly ConcurrentDictionary<string, Screen> screens = new(StringComparer.Ordinal);
    // How many screens missed a round and wait to be caught up.
    int behind;

    /// <summary>
    /// Writes a round's <paramref name="change"/> (of <paramref name="keys"/>; null if the round has nothing for this
    /// screen's view) to <paramref name="connectionId"/>. A screen still taking the message before (its transport's
    /// buffers full: a slow or stalled network) is written nothing: no queue of messages is kept for it on the node, and
    /// the other screens' round does not wait for it. Once that write is done, <see cref="Freed"/> is called, and the
    /// next round — an empty one if nothing else changed — writes it instead what <paramref name="whole"/> makes of every
    /// key it missed and this round's: their snapshots whole, so that it shows the last state again without the changes
    /// it missed. Called by one writer at a time.
    /// </summary>
    public void Write(string connectionId, SerializedHubMessage? change, IReadOnlyCollection<string> keys,
        Func<IReadOnlyCollection<string>, SerializedHubMessage> whole)
    {
        if (!screens.TryGetValue(connectionId, out var screen)) return;
        if (screen.Writing is { IsCompleted: false } writing)
        {
            if (change is null) return;
            if (screen.Missed is null)
            {
                screen.Missed = new(StringComparer.Ordinal);
                if (screen.Count()) Interlocked.Increment(ref behind);
                writing.ContinueWith(static (_, self) => ((ScreenConnections)self!).Freed?.Invoke(), this, CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            screen.Missed.UnionWith(keys);
            metrics.RoundsMissed.Add(1);
            return;
        }
        var message = change;
        if (screen.Missed is { } missed)
        {
            missed.UnionWith(keys);
            message = whole(missed);
            screen.Missed = null;
            if (screen.Uncount()) Interlocked.Decrement(ref behind);
        }
        if (message is null) return;
        var write = screen.Connection.WriteAsync(message);
        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            screen.Writing = null;
        }
        else
        {
            // The connection logs and aborts itself if the write fails.
            screen.Writing = write.AsTask();
        }
    }

    /// <summary>Whether a screen missed a round and has not been written what it missed.</summary>
    public bool AnyBehind => Volatile.Read(ref behind) > 0;

    /// <summary>Called when a screen that missed a round has taken its last message: it can be caught up.</summary>
    public Action? Freed { get; set; }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        screens[connection.ConnectionId] = new Screen(connection);
        return backplane.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        if (screens.TryRemove(connection.ConnectionId, out var gone) && gone.Leave()) Interlocked.Decrement(ref behind);
        return backplane.OnDisconnectedAsync(connection);
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds,
        CancellationToken cancellationToken = default) =>
        backplane.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args,
        CancellationToken cancellationToken = default) =>
        backplane.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args,
        CancellationToken cancellationToken = default) =>
        backplane.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds,
        CancellationToken cancellationToken = default) =>
        backplane.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        backplane.SendUsersAsync(userIds, methodName, args, cancellationToken);

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        backplane.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        backplane.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        backplane.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        backplane.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        backplane.TryGetReturnType(invocationId, out type);

    sealed class Screen(HubConnectionContext connection)
    {
        public HubConnectionContext Connection { get; } = connection;

        // The write of the last message, while the transport has not taken it.
        public Task? Writing { get; set; }

        // The keys of the rounds not written to it: what it holds of them is older than the changes that follow.
        public HashSet<string>? Missed { get; set; }

        // Whether it is counted among the screens behind: 0 no, 1 yes, 2 disconnected. The round's writer and a
        // disconnect race: each answers true only if it is the one that moves the count.
        int counted;

        public bool Count() => Interlocked.CompareExchange(ref counted, 1, 0) == 0;

        public bool Uncount() => Interlocked.CompareExchange(ref counted, 0, 1) == 1;

        public bool Leave() => Interlocked.Exchange(ref counted, 2) == 1;
    }
}
