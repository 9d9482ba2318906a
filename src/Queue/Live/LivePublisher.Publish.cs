using Queue.Redis;

namespace Queue.Live;

internal sealed partial class LivePublisher
{
    // Answers whether something went out: to the joined groups or to this node's watching screens. The round's
    // delivery waits for the snapshot alone (part): what the joined groups, the alerts and the details are sent after it
    // does not hold back the screens.
    async Task<bool> PublishAsync(string queue, LiveDelivery.RoundPart? part, LiveReads reads)
    {
        // Live state being rebuilt (of an older layout, flushed, lost) or of a newer layout holds no figures to push or
        // to judge alerts by: pushed, it would empty the screens and clear every open alert, to raise them again as new
        // ones once rebuilt. The API answers 503 meanwhile; the rebuild marks every queue when it is done.
        if (await store.ReadCursorAsync() is not { IsCurrent: true }) return false;
        if (queue.StartsWith(TeamPrefix, StringComparison.Ordinal))
        {
            if (!teams.TryGetValue(queue, out var team)) return false;
            // Numbered by a claim of its own, as the center is: a sum of its queues' numbers lags its figures, which
            // are read live, and a screen would hold two different snapshots under one number.
            var teamCenter = await view.TeamAsync(team, seq: 0, reads);
            var teamSeq = await store.ClaimPublishAsync(keys.PublishedTeams, LiveContent.Of(teamCenter), LiveView.TeamFields(team),
                await view.TeamFloorAsync(team));
            var teamNews = delivery.Offer(queue, teamCenter with { Seq = Math.Abs(teamSeq) });
            part?.Done();
            if (teamSeq > 0) await hub.Clients.Group(LiveHub.TeamGroup(queue[TeamPrefix.Length..])).CenterUpdated(teamCenter with { Seq = teamSeq });
            return teamSeq > 0 || teamNews;
        }
        if (queue == CenterKey)
        {
            var center = await view.CenterAsync(seq: 0, reads);
            var seq = await store.ClaimPublishAsync(keys.PublishedCenter, LiveContent.Of(center));
            var offered = delivery.Offer(queue, center with { Seq = Math.Abs(seq) });
            part?.Done();
            if (seq > 0) await hub.Clients.Group(LiveHub.CenterGroup).CenterUpdated(center with { Seq = seq });
            await ObserveAsync(queue, (o, ct) => o.CenterChangedAsync(ct));
            return seq > 0 || offered;
        }
        var snapshot = await view.QueueAsync(queue, seq: 0, await reads.ReadAsync(queue));
        var claimed = await store.ClaimPublishAsync(keys.Of(queue, RedisLayout.Published), LiveContent.Of(snapshot));
        // News to this node's screens, whichever node claimed it: the teams it belongs to are news too.
        var published = snapshot with { Seq = Math.Abs(claimed) };
        var news = delivery.Offer(queue, published);
        part?.Done();
        if (claimed > 0) await hub.Clients.Groups([LiveHub.QueueGroup(queue), LiveHub.CenterGroup]).QueueUpdated(published);
        if (claimed > 0 || news) await MarkTeamsAsync(queue);
        await ObserveAsync(queue, (o, ct) => o.QueueChangedAsync(snapshot, ct));
        await detailPushes.PushAsync(queue);
        return claimed > 0 || news;
    }

    async Task MarkTeamsAsync(string queue)
    {
        IReadOnlyList<IReadOnlyList<string>> all;
        try
        {
            all = await apiKeys.TeamsAsync(stopping);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            LogPublishFailed(logger, "(teams)", e.Message);
            return;
        }
        foreach (var team in all)
        {
            if (!team.Contains(queue, StringComparer.Ordinal)) continue;
            var key = TeamPrefix + Api.KeyScope.TeamIdOf(team);
            teams[key] = team;
            dirty[key] = 0;
            wake.Writer.TryWrite(true);
        }
    }

    // Observers (alerts) follow every snapshot a node computes; the earliest deadline they name wakes the queue again.
    async Task ObserveAsync(string queue, Func<ILiveObserver, CancellationToken, Task<DateTimeOffset?>> observe)
    {
        DateTimeOffset? next = null;
        try
        {
            foreach (var observer in observers)
                if (await observe(observer, CancellationToken.None) is { } due && (next is null || due < next)) next = due;
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            LogAlertsFailed(logger, queue, e.Message);
            return;
        }
        deadlines.Set(queue, next, q => PublishOrRetryAsync(q));
    }
}
