using Queue.Events;
using Queue.Redis;

namespace Queue.Live;

public static partial class LiveParts
{
    /// <summary>
    /// The agent in each queue it is logged in to, and there its wrap-up episodes that ended in the last
    /// <see cref="LiveRules.RecentFor"/>: each a sample of the time the queue's agents spend wrapping up a call (ADR 0006).
    /// </summary>
    public static IEnumerable<LivePart> OfAgent(AgentRow agent, DateTimeOffset now)
    {
        var entity = EntityKey.Agent(agent.AgentId);
        var current = new HashSet<string>(agent.Queues ?? [], StringComparer.Ordinal) { LiveKeys.Center };
        var queues = new SortedSet<string>(agent.QueuesSeen, StringComparer.Ordinal);
        queues.UnionWith(current);
        var info = RedisJson.Write(new AgentInfo(Wire.Name(agent.Status), agent.StatusAt, agent.Queues, agent.StatusReason));
        var wrapUps = WrapUps(agent.Recent, now - LiveRules.RecentFor);
        foreach (var queue in queues)
        {
            var ops = new List<LiveOp>();
            if (current.Contains(queue)) ops.Add(RedisLayout.Agents.Set(agent.AgentId, info));
            // The center has no staffing figure (its agents serve different queues), so it keeps no wrap-up sums.
            if (current.Contains(queue) && queue != LiveKeys.Center)
            {
                foreach (var (minute, count, micros) in wrapUps)
                {
                    ops.Add(RedisLayout.StaffSums.Add(StaffField.Of(minute, StaffKind.WrappedUp), count));
                    ops.Add(RedisLayout.StaffSums.Add(StaffField.Of(minute, StaffKind.WrapUp), micros));
                }
            }
            yield return new LivePart(queue, entity, agent.Version, null, ops);
        }
    }

    /// <summary>
    /// Pure: an agent's status events in SPEC §2 order → its wrap-up episodes that ended at or after
    /// <paramref name="since"/>, summed by the minute they ended: an episode runs from a <c>wrap_up</c> status to the
    /// agent's next status, whatever that is. One still under way has not ended and counts nothing yet.
    /// </summary>
    public static IReadOnlyList<(long Minute, long Count, long Micros)> WrapUps(IReadOnlyList<AgentMark> marks, DateTimeOffset since)
    {
        var byMinute = new SortedDictionary<long, (long Count, long Micros)>();
        for (var i = 0; i + 1 < marks.Count; i++)
        {
            if (marks[i].Status != AgentStatus.WrapUp || marks[i + 1].At < since) continue;
            var end = Micros.Of(marks[i + 1].At);
            var minute = Micros.Minute(end);
            var (count, micros) = byMinute.GetValueOrDefault(minute);
            byMinute[minute] = (count + 1, micros + end - Micros.Of(marks[i].At));
        }
        return [.. byMinute.Select(m => (m.Key, m.Value.Count, m.Value.Micros))];
    }
}
