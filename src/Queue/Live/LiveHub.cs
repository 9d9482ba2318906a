using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Queue.Api;
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

    /// <summary>A watched queue in full, when its waiting calls, agents or figures changed (to clients that joined its detail).</summary>
    Task DetailUpdated(QueueDetail detail);

    /// <summary>
    /// To a client that called <see cref="LiveHub.Watch"/>: once a publishing round, what changed among what it watches,
    /// each as the figures that differ from the snapshot it holds (<see cref="SnapshotChange.Base"/>). A change of a
    /// lower or equal number than the one held is passed over; one against another number than the one held means a
    /// change was missed: watch again.
    /// </summary>
    Task Updated(LiveChanges changes);

    // Alerts push AlertChanged through this hub too (Alerts.AlertEvaluator.PushAsync): live state does not know them.
}

/// <summary>What a client gets on joining the whole center: its totals and every queue, at once.</summary>
public sealed record CenterJoined(QueueSnapshot Center, IReadOnlyList<QueueSnapshot> Queues);

/// <summary>
/// Live pushes at <c>/hubs/live</c>, for keys of role wallboard and above. A client joins queues or the whole center
/// and gets their snapshots at once as the answer; then changes, coalesced, through the Redis backplane from
/// whichever node saw them. A key scoped to queues (a team) joins and gets those queues only, and as its center their sum.
/// </summary>
[Authorize(Policy = Policies.Read)]
internal sealed class LiveHub(LiveView view, DetailWatchers details, LiveViews views, LiveDelivery delivery) : Hub<ILiveClient>
{
    public const string Path = "/hubs/live";
    public const string CenterGroup = "center";
    const int MaxQueues = 100;

    public static string QueueGroup(string queue) => "queue:" + queue;

    /// <summary>The alerts of every queue and of the center, for connections watching the whole center.</summary>
    public const string AlertsGroup = "alerts";

    /// <summary>A queue's alerts, for connections watching it (or their team's center).</summary>
    public static string QueueAlertsGroup(string queue) => "alerts:" + queue;

    /// <summary>The group of the connections of keys scoped to a team: its center (the sum of its queues) goes there.</summary>
    public static string TeamGroup(string teamId) => "team:" + teamId;

    KeyScope Scope => KeyScope.Of(Context.User!);

    // The queues this connection joined by name, so that leaving a team's center keeps them.
    HashSet<string> Joined => (HashSet<string>)(Context.Items.TryGetValue(nameof(Joined), out var joined)
        ? joined!
        : Context.Items[nameof(Joined)] = new HashSet<string>(StringComparer.Ordinal));

    public async Task<CenterJoined> JoinCenter()
    {
        // Join first, then read: a change in between arrives as a push with a higher seq, not lost.
        var scope = Scope;
        if (scope.Team is not { } team)
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, CenterGroup);
            return new CenterJoined(await view.CenterAsync(), await view.AllAsync());
        }
        // A key scoped to a team sees its center as the sum of its queues, and its queues as they change: never the
        // center's group, which carries every queue.
        await Groups.AddToGroupAsync(Context.ConnectionId, TeamGroup(scope.TeamId!));
        foreach (var q in team) await Groups.AddToGroupAsync(Context.ConnectionId, QueueGroup(q));
        return new CenterJoined(await view.TeamAsync(team), await view.AllAsync(scope));
    }

    public async Task<IReadOnlyList<QueueSnapshot>> JoinQueues(string[] queues)
    {
        Check(queues);
        foreach (var q in queues) await Groups.AddToGroupAsync(Context.ConnectionId, QueueGroup(q));
        Joined.UnionWith(queues);
        return await Task.WhenAll(queues.Select(q => view.QueueAsync(q)));
    }

    /// <summary>
    /// Watches the whole center (no queues named: every queue and the center's totals, or for a key scoped to a team its
    /// queues and their sum) or the named queues, instead of whatever this connection watched before. Answers their
    /// snapshots at once, as this node's watching screens were last sent them; then one <c>Updated</c> a publishing round
    /// with what changed among them since (ADR 0009).
    /// </summary>
    public async Task<LiveUpdate> Watch(string[]? queues)
    {
        var scope = Scope;
        var center = queues is null || queues.Length == 0;
        if (!center) Check(queues!);
        var spec = center
            ? new LiveViewSpec(true, scope.TeamId, scope.Queues)
            : new LiveViewSpec(false, null, new HashSet<string>(queues!, StringComparer.Ordinal));
        // Join first, then read: a change in between arrives as an update with a higher seq, not lost.
        views.Watch(Context.ConnectionId, spec);
        // Its alerts as they change: the center's all, a team's or named queues' their own.
        string[] alerts = center && scope.Team is null ? [AlertsGroup] : [.. (center ? scope.Team! : queues!).Select(QueueAlertsGroup)];
        await LeaveAlertsAsync();
        foreach (var group in alerts) await Groups.AddToGroupAsync(Context.ConnectionId, group);
        Context.Items[nameof(AlertsGroup)] = alerts;
        // What the node's screens hold, so that the next changes apply; read now what they were never sent.
        return center
            ? new LiveUpdate(
                delivery.Delivered(scope.TeamId is null ? LivePublisher.CenterKey : LivePublisher.TeamPrefix + scope.TeamId) ?? await view.CenterAsync(scope),
                [.. (await view.AllAsync(scope)).Select(q => delivery.Delivered(q.Queue!) ?? q)])
            : new LiveUpdate(null, await Task.WhenAll(queues!.Distinct(StringComparer.Ordinal).Select(async q => delivery.Delivered(q) ?? await view.QueueAsync(q))));
    }

    /// <summary>Stops what <see cref="Watch"/> started.</summary>
    public async Task Unwatch()
    {
        views.Forget(Context.ConnectionId);
        await LeaveAlertsAsync();
    }

    async Task LeaveAlertsAsync()
    {
        if (!Context.Items.Remove(nameof(AlertsGroup), out var joined)) return;
        foreach (var group in (string[])joined!) await Groups.RemoveFromGroupAsync(Context.ConnectionId, group);
    }

    /// <summary>
    /// Shows one queue in full: answers its detail at once, then sends <c>DetailUpdated</c> when its waiting calls,
    /// agents or figures change, until <see cref="LeaveDetail"/> or the connection ends.
    /// </summary>
    public async Task<QueueDetail> JoinDetail(string queue)
    {
        Check([queue]);
        // Watch first, then read: a change in between arrives as a push, not lost.
        details.Watch(Context.ConnectionId, queue, Scope);
        return await view.DetailAsync(queue, Scope);
    }

    public Task LeaveDetail(string queue)
    {
        Check([queue]);
        details.Leave(Context.ConnectionId, queue);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        details.Forget(Context.ConnectionId);
        // SignalR forgets the connection's groups by itself; this node's own grouping of what it watches is forgotten here.
        views.Forget(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    public async Task LeaveQueues(string[] queues)
    {
        Check(queues);
        Joined.ExceptWith(queues);
        foreach (var q in queues) await Groups.RemoveFromGroupAsync(Context.ConnectionId, QueueGroup(q));
    }

    public async Task LeaveCenter()
    {
        var scope = Scope;
        if (scope.Team is not { } team)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, CenterGroup);
            return;
        }
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, TeamGroup(scope.TeamId!));
        foreach (var q in team.Except(Joined)) await Groups.RemoveFromGroupAsync(Context.ConnectionId, QueueGroup(q));
    }

    void Check(string[] queues)
    {
        if (queues is null || queues.Length is 0 or > MaxQueues)
            throw new HubException($"Name 1 to {MaxQueues} queues.");
        foreach (var q in queues)
        {
            if (!Identifiers.IsValid(q))
                throw new HubException($"'{Truncate(q)}' is not a queue name: 1–100 letters, digits, '.', '_', '-' or ':'.");
        }
        var scope = Scope;
        if (queues.FirstOrDefault(q => !scope.Allows(q)) is { } other)
            throw new HubException($"There is no queue '{Truncate(other)}' for this API key.");
    }

    static string Truncate(string? s) => s is null ? "" : s.Length > 40 ? s[..40] + "…" : s;
}
