using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Queue.Events;
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
    double? AverageTalkSeconds,
    double? AverageHandleSeconds = null);

/// <summary>Every agent now, or those of some queues, as of <see cref="AsOf"/>.</summary>
public sealed record AgentsNow(DateTimeOffset AsOf, IReadOnlyList<string>? Queues, IReadOnlyList<AgentNow> Agents);

/// <summary>
/// The agents' live list, from Redis: each agent's latest status as live state keeps it under the center, and its day's
/// counts added up over the queues asked for (all of them without a filter). The handle time today (talk and the wrap-up
/// after it) needs the day's status events, which live state does not keep: it is the agents report's over today so far,
/// from PostgreSQL, read at most every <see cref="HandleFor"/> for the same queues.
/// </summary>
internal sealed class AgentsLive(
    LiveReader reader, LiveStore store, AgentReportQuery report, IMemoryCache cache, IOptions<CenterOptions> center, TimeProvider time)
{
    public static readonly TimeSpan HandleFor = TimeSpan.FromSeconds(5);

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

        var handle = await HandleTodayAsync(queues, now);
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
                answered, missed, talk, handle.GetValueOrDefault(id)));
        }
        return new AgentsNow(now, queues is null ? null : [.. queues.Order(StringComparer.Ordinal)], list);
    }

    async Task<IReadOnlyDictionary<string, double?>> HandleTodayAsync(IReadOnlyCollection<string>? queues, DateTimeOffset now)
    {
        var key = "agents-handle:" + (queues is null ? "*" : string.Join('\n', queues.Order(StringComparer.Ordinal)));
        if (cache.TryGetValue(key, out IReadOnlyDictionary<string, double?>? cached)) return cached!;
        var (from, _) = LiveWindows.Today(now, center.Value.Zone());
        var tallies = await report.ReportAsync(new ReportScope(from, now, now, queues), CancellationToken.None);
        IReadOnlyDictionary<string, double?> handle = tallies.ToDictionary(t => t.AgentId, t => t.AverageHandle?.TotalSeconds, StringComparer.Ordinal);
        cache.Set(key, handle, HandleFor);
        return handle;
    }
}
