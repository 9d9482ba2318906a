using Queue.Api;
using Queue.Redis;
namespace Queue.Live;

/// <summary>Snapshots as the API and the hub serve them, read from Redis.</summary>
internal sealed class LiveView(LiveReader reader, LiveStore store, LiveKeys keys, Targets.QueueTargets targets, TimeProvider time)
{
    public Task<IReadOnlyList<string>> QueuesAsync() => store.QueuesAsync();

    public async Task<QueueSnapshot> QueueAsync(string queue, long? seq = null, QueueCounts? counts = null)
    {
        counts ??= await reader.ReadAsync(queue, time.GetUtcNow());
        return Snapshot.Of(queue, seq ?? await store.PublishedSeqAsync(keys.Of(queue, RedisLayout.Published)), counts, targets.For(queue));
    }

    public async Task<IReadOnlyList<QueueSnapshot>> AllAsync(KeyScope? scope = null)
    {
        var queues = (scope ?? KeyScope.All).Filter(await store.QueuesAsync());
        return await Task.WhenAll(queues.Select(q => QueueAsync(q)));
    }

    /// <summary>The center as a key sees it: the whole center, or for a key scoped to a team the sum of its queues.</summary>
    public Task<QueueSnapshot> CenterAsync(KeyScope scope) =>
        scope.Queues is { } queues ? TeamAsync([.. queues.Order(StringComparer.Ordinal)]) : CenterAsync();

    /// <summary>
    /// A team's queues added up, every agent once, as the center of a key scoped to them (SPEC §6). Visits with no call
    /// belong to no queue, so no team counts them. Its <c>seq</c> is the team's own, numbered as published
    /// (<paramref name="seq"/>, or the last published if null).
    /// </summary>
    public async Task<QueueSnapshot> TeamAsync(IReadOnlyList<string> queues, long? seq = null, LiveReads? reads = null)
    {
        reads ??= Reads();
        var counts = await Task.WhenAll(queues.Select(reads.ReadAsync));
        var agents = new Dictionary<string, AgentInfo>(StringComparer.Ordinal);
        foreach (var c in counts)
            foreach (var (agent, info) in c.Agents) agents.TryAdd(agent, info);
        var sum = counts.Skip(1).Aggregate(counts[0], (total, c) => total.Plus(c)) with { Agents = agents, Staffing = null };
        return Snapshot.Of(null, seq ?? await store.PublishedSeqAsync(keys.PublishedTeams, TeamFields(queues)), sum, targets.Defaults);
    }

    /// <summary>The fields of a team's center in <see cref="LiveKeys.PublishedTeams"/>.</summary>
    public static string TeamFields(IReadOnlyList<string> queues) => KeyScope.TeamIdOf(queues) + ":";

    /// <summary>
    /// The sum of a team's queues' numbers: what numbered its center before it had a number of its own. It only grows,
    /// so a team's own number starting above it is above any a screen holds.
    /// </summary>
    public async Task<long> TeamFloorAsync(IReadOnlyList<string> queues) =>
        (await Task.WhenAll(queues.Select(q => store.PublishedSeqAsync(keys.Of(q, RedisLayout.Published))))).Sum();

    /// <summary>The whole center: every queue's counts added up (visits without a call included), every agent once.</summary>
    public async Task<QueueSnapshot> CenterAsync(long? seq = null, LiveReads? reads = null)
    {
        var counts = await CenterCountsAsync(reads ?? Reads());
        return Snapshot.Of(null, seq ?? await store.PublishedSeqAsync(keys.PublishedCenter), counts, targets.Defaults);
    }

    /// <summary>The center's counts now, or at <paramref name="at"/> (a check reads live state at one instant, again and again).</summary>
    public Task<QueueCounts> CenterCountsAsync(DateTimeOffset? at = null) => CenterCountsAsync(Reads(at));

    async Task<QueueCounts> CenterCountsAsync(LiveReads reads)
    {
        var queues = await store.QueuesAsync();
        var all = await Task.WhenAll(queues.Prepend(LiveKeys.Center).Select(reads.ReadAsync));
        return all.Skip(1).Aggregate(all[0], (sum, q) => sum.Plus(q));
    }

    /// <summary>Reads of one instant (now, or <paramref name="at"/>), each queue's once however often asked.</summary>
    public LiveReads Reads(DateTimeOffset? at = null) => new(reader, at ?? time.GetUtcNow());

    /// <summary>A queue in full; an agent's queues as the key may see them (<paramref name="scope"/>).</summary>
    public async Task<QueueDetail> DetailAsync(string queue, KeyScope? scope = null)
    {
        scope ??= KeyScope.All;
        var now = Micros.Truncate(time.GetUtcNow());
        var counts = await reader.ReadAsync(queue, now);
        var snapshot = await QueueAsync(queue, counts: counts);
        var waiting = (await reader.WaitingAsync(queue, now))
            .Select(w => new WaitingLeg(w.Info.CallId, w.Info.Leg, w.Info.Since, Math.Max(0, (now - w.Info.Since).TotalSeconds),
                w.Info.Region, w.Info.Language, w.Info.Segment))
            .ToList();
        var day = await reader.AgentDayAsync(queue, now, [.. counts.Agents.Keys]);
        var agents = counts.Agents
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(a =>
            {
                var handled = day.GetValueOrDefault(AgentDayField.Handled(a.Key));
                double? handle = handled == 0 ? null : day.GetValueOrDefault(AgentDayField.Handle(a.Key)) / 1e6 / handled;
                return new AgentLive(a.Key, a.Value.Status, a.Value.Since, Math.Max(0, (now - a.Value.Since).TotalSeconds),
                    day.GetValueOrDefault(AgentDayField.Answered(a.Key)), handle, a.Value.Queues is { } q ? scope.Filter(q) : null, a.Value.Reason,
                    day.GetValueOrDefault(AgentDayField.Missed(a.Key)));
            })
            .ToList();
        return new QueueDetail(snapshot, waiting, agents);
    }
}
