using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Queue.Live;

/// <summary>
/// Sends this node's watchers of a queue's detail (<see cref="DetailWatchers"/>) the detail when it changed. Every node
/// looks at every changed queue (and at all of them each second), so each tells its own watchers; a detail goes out when
/// its calls, agents or figures changed, not because waits and times in status grew.
/// </summary>
internal sealed class DetailPushes(DetailWatchers details, LiveView view, IHubContext<LiveHub, ILiveClient> hub)
{
    // The detail last sent to this node's watchers of a queue, per scope ("queue|team"): what makes the next one news.
    readonly ConcurrentDictionary<string, string> sent = new(StringComparer.Ordinal);

    public async Task PushAsync(string queue)
    {
        var watching = details.Of(queue);
        if (watching.Count == 0)
        {
            foreach (var key in sent.Keys.Where(k => k.StartsWith(queue + "|", StringComparison.Ordinal))) sent.TryRemove(key, out _);
            return;
        }
        foreach (var (scope, connections) in watching)
        {
            var detail = await view.DetailAsync(queue, scope);
            var content = LiveContent.Of(detail);
            var key = queue + "|" + scope.TeamId;
            if (sent.TryGetValue(key, out var last) && last == content) continue;
            sent[key] = content;
            await hub.Clients.Clients(connections).DetailUpdated(detail);
        }
    }
}
