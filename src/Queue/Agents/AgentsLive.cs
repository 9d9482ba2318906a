using Queue.Live;
using Queue.Redis;

namespace Queue.Agents;

/// <summary>An agent now: its status and reason, since when, the queues it is logged in to, and its day so far.</summary>
public sealed record AgentNow(
    string AgentId,
    string Status,
    string? Reason,
    DateTimeOffset Since,
    double StatusSeconds,
    IReadOnlyList<string>? Queues,
    long AnsweredToday,
    long MissedToday,
    double? AverageTalkSeconds);

/// <summary>Every agent now, or those of some queues, as of <see cref="AsOf"/>.</summary>
public sealed record AgentsNow(DateTimeOffset AsOf, IReadOnlyList<string>? Queues, IReadOnlyList<AgentNow> Agents);

/// <summary>
/// The agents' live list, from Redis: each agent's latest status as live state keeps it under the center, and its day's
/// counts added up over the queues asked for (all of them without a filter).
/// </summary>
internal sealed class AgentsLive(LiveReader reader, LiveStore store, TimeProvider time)
{
    /// <summary>
    /// Agents that have told a status. With queues asked for: those logged in to one of them now, or that answered or
    /// missed a call in one of them today; their counts are those queues' only.
    /// </summary>
    public async Task<AgentsNow> ListAsync(IReadOnlyCollection<string>? queues)
    {
        var now = Micros.Truncate(time.GetUtcNow());
        var agents = await reader.AgentsAsync(LiveKeys.Center);
        var counted = queues ?? await store.QueuesAsync();
        var days = await Task.WhenAll(counted.Select(q => reader.AgentDayAsync(q, now)));
        long Sum(Func<string, string> field, string agent) => days.Sum(d => d.GetValueOrDefault(field(agent)));

        var list = new List<AgentNow>();
        foreach (var (id, info) in agents.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            var answered = Sum(AgentDayField.Answered, id);
            var missed = Sum(AgentDayField.Missed, id);
            var member = queues is null || answered > 0 || missed > 0 || info.Queues?.Any(queues.Contains) == true;
            if (!member) continue;
            var handled = Sum(AgentDayField.Handled, id);
            double? talk = handled == 0 ? null : Sum(AgentDayField.Handle, id) / 1e6 / handled;
            list.Add(new AgentNow(id, info.Status, info.Reason, info.Since, Math.Max(0, (now - info.Since).TotalSeconds), info.Queues,
                answered, missed, talk));
        }
        return new AgentsNow(now, queues is null ? null : [.. queues.Order(StringComparer.Ordinal)], list);
    }
}
