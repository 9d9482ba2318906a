using Queue.Events;
using Queue.Redis;
namespace Queue.Live;

/// <summary>The entities whose stored state changed: live state re-projects exactly these.</summary>
internal sealed class Touched
{
    public HashSet<string> Calls { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Visits { get; } = new(StringComparer.Ordinal);
    public HashSet<string> Agents { get; } = new(StringComparer.Ordinal);

    public bool IsEmpty => Calls.Count == 0 && Visits.Count == 0 && Agents.Count == 0;

    public void Add(Events.QueueEvent e)
    {
        switch (e)
        {
            case Events.CallEvent c: Calls.Add(c.CallId); break;
            case Events.VisitEvent v: Visits.Add(v.VisitId); break;
            case Events.AgentStatusChanged a: Agents.Add(a.AgentId); break;
        }
    }
}

/// <summary>
/// Thin shell around <see cref="LiveParts"/>: reads the touched rows from PostgreSQL, projects them, and applies the
/// parts to Redis queue by queue. Safe to run on every node at once: parts carry versions.
/// </summary>
internal sealed class LiveProjector(LiveSource source, LiveStore store, LiveRules defaults, Targets.QueueTargets targets, TimeProvider time)
{
    /// <summary>The rules as they stand now: the defaults, and the thresholds of queues that set their own.</summary>
    public LiveRules Rules => defaults with { Queues = targets.Thresholds };

    /// <summary>
    /// Projects the touched entities; returns the queues whose live state changed. A rebuild projects every live
    /// visit anyway, so it need not follow calls to their visits, and it mostly finds nothing stored to replace; what
    /// it finds (a step of another node that landed after the rebuild cleared live state) it replaces even at the same
    /// version, since its parts are made from the rows as they are now.
    /// </summary>
    public async Task<IReadOnlySet<string>> ProjectAsync(Touched touched, CancellationToken ct, bool rebuilding = false)
    {
        var rules = Rules;
        var now = time.GetUtcNow();
        var calls = await source.CallsAsync(touched.Calls, ct);
        var parts = new List<LivePart>();
        foreach (var call in calls) parts.AddRange(LiveParts.OfCall(call, rules, now));

        // A visit's queue follows its call: a changed call re-projects its visits. A visit's version is already the
        // highest of its own and its calls' (LiveSource), so it needs no raising here: raising it to another
        // entity's number could put it above the version of a later state, which would then be refused.
        var visitIds = new HashSet<string>(touched.Visits, StringComparer.Ordinal);
        if (!rebuilding) visitIds.UnionWith(await source.LinkedVisitsAsync(touched.Calls, ct));
        foreach (var visit in await source.VisitsAsync(visitIds, ct)) parts.AddRange(LiveParts.OfVisit(visit, rules, now));

        foreach (var agent in await source.AgentsAsync(touched.Agents, now - LiveRules.RecentFor, ct)) parts.AddRange(LiveParts.OfAgent(agent, now));
        return await ApplyAsync(parts, likelyNew: rebuilding, replaceEqual: rebuilding);
    }

    /// <summary>
    /// Projects again the calls that ended a leg in <paramref name="queue"/> since <paramref name="since"/>, with the
    /// queue's thresholds as they are now: a part of the same version is replaced if it was projected with others.
    /// </summary>
    public async Task ReprojectAsync(string queue, DateTimeOffset since, CancellationToken ct)
    {
        var rules = Rules;
        foreach (var chunk in (await source.CallIdsEndedInAsync(queue, since, ct)).Chunk(2_000))
        {
            var now = time.GetUtcNow();
            var parts = (await source.CallsAsync(chunk, ct)).SelectMany(c => LiveParts.OfCall(c, rules, now)).Where(p => p.Queue == queue).ToList();
            await ApplyAsync(parts, likelyNew: false, replaceEqual: true);
        }
    }

    async Task<IReadOnlySet<string>> ApplyAsync(List<LivePart> parts, bool likelyNew, bool replaceEqual = false)
    {
        var byQueue = parts.GroupBy(p => p.Queue, StringComparer.Ordinal).ToList();
        var queues = byQueue.Where(g => g.Key != LiveKeys.Center && g.Any(p => p.Ops.Count > 0)).Select(g => g.Key).ToList();
        if (queues.Count > 0) await store.RegisterQueuesAsync(queues);
        var results = await Task.WhenAll(byQueue.Select(async g => (g.Key, Changed: await store.ApplyAsync(g.Key, g.ToList(), likelyNew, replaceEqual))));
        return results.Where(r => r.Changed).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
    }
}
