using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Queue.Auth;
using Queue.Events;
using Queue.Ingest;

namespace Queue.Live;

/// <summary>What live state calls on the live hub's clients (mirrored in TypeScript by src/Queue/Web/live.ts).</summary>
public interface ILiveClient
{
    /// <summary>A queue's new snapshot; keep it only if its <c>seq</c> is not lower than the one shown.</summary>
    Task QueueUpdated(QueueSnapshot snapshot);

    /// <summary>The whole center's new snapshot (to clients that joined the center).</summary>
    Task CenterUpdated(QueueSnapshot snapshot);

    // Alerts push AlertChanged through this hub too (Alerts.AlertEvaluator.PushAsync): live state does not know them.
}

/// <summary>What a client gets on joining the whole center: its totals and every queue, at once.</summary>
public sealed record CenterJoined(QueueSnapshot Center, IReadOnlyList<QueueSnapshot> Queues);

/// <summary>
/// Live pushes at <c>/hubs/live</c>, for keys of role wallboard and above. A client joins queues or the whole center
/// and gets their snapshots at once as the answer; then changes, coalesced, through the Redis backplane from
/// whichever node saw them.
/// </summary>
[Authorize(Policy = Policies.Read)]
internal sealed class LiveHub(LiveView view) : Hub<ILiveClient>
{
    public const string Path = "/hubs/live";
    public const string CenterGroup = "center";
    const int MaxQueues = 100;

    public static string QueueGroup(string queue) => "queue:" + queue;

    public async Task<CenterJoined> JoinCenter()
    {
        // Join first, then read: a change in between arrives as a push with a higher seq, not lost.
        await Groups.AddToGroupAsync(Context.ConnectionId, CenterGroup);
        return new CenterJoined(await view.CenterAsync(), await view.AllAsync());
    }

    public async Task<IReadOnlyList<QueueSnapshot>> JoinQueues(string[] queues)
    {
        Check(queues);
        foreach (var q in queues) await Groups.AddToGroupAsync(Context.ConnectionId, QueueGroup(q));
        return await Task.WhenAll(queues.Select(q => view.QueueAsync(q)));
    }

    public async Task LeaveQueues(string[] queues)
    {
        Check(queues);
        foreach (var q in queues) await Groups.RemoveFromGroupAsync(Context.ConnectionId, QueueGroup(q));
    }

    public Task LeaveCenter() => Groups.RemoveFromGroupAsync(Context.ConnectionId, CenterGroup);

    static void Check(string[] queues)
    {
        if (queues is null || queues.Length is 0 or > MaxQueues)
            throw new HubException($"Name 1 to {MaxQueues} queues.");
        foreach (var q in queues)
        {
            if (!Identifiers.IsValid(q))
                throw new HubException($"'{Truncate(q)}' is not a queue name: 1–100 letters, digits, '.', '_', '-' or ':'.");
        }
    }

    static string Truncate(string? s) => s is null ? "" : s.Length > 40 ? s[..40] + "…" : s;
}
