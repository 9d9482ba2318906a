using Queue.Events;

namespace Queue.Agents;

/// <summary>One status event of an agent, as the report reads it: the queues it names, if any, and its reason.</summary>
public sealed record StatusMark(string AgentId, string Id, DateTimeOffset At, AgentStatus Status, string? Reason, IReadOnlyList<string>? Queues);

/// <summary>A leg answered by an agent: when, in which queue.</summary>
public sealed record AnsweredLeg(string AgentId, string Queue, DateTimeOffset At);

/// <summary>A call completed after its last leg was answered: the agent's talk, from the answer to the completion.</summary>
public sealed record Talk(string AgentId, string Queue, DateTimeOffset AnsweredAt, DateTimeOffset CompletedAt);

/// <summary>What the report is asked: a window [From, To), the instant it is asked at, and the queues it is narrowed to (null: all).</summary>
public sealed record ReportScope(DateTimeOffset From, DateTimeOffset To, DateTimeOffset Now, IReadOnlyCollection<string>? Queues);

/// <summary>What a report reads: status events, legs answered, talks and offers missed.</summary>
/// <param name="Marks">
/// Every agent's status events in the window, the last one before it (its status carries in), and the last one before
/// it that named queues (the queues it was logged in to as the window began).
/// </param>
/// <param name="Answered">Legs answered in the window.</param>
/// <param name="Talks">Calls completed in the window after an answer in their last leg.</param>
/// <param name="Missed">Offers missed in the window.</param>
public sealed record ReportInput(IReadOnlyList<StatusMark> Marks, IReadOnlyList<AnsweredLeg> Answered, IReadOnlyList<Talk> Talks, IReadOnlyList<MissedOffer> Missed);

/// <summary>An agent's time on break with one reason (null: none given).</summary>
public sealed record BreakSpan(string? Reason, TimeSpan Time);

/// <summary>One agent over a window: time in each status, the calls it answered, missed and talked, and its wrap-ups.</summary>
public sealed record AgentTally(
    string AgentId,
    IReadOnlyList<string> Queues,
    TimeSpan Available,
    TimeSpan Busy,
    TimeSpan WrapUp,
    IReadOnlyList<BreakSpan> Breaks,
    int Answered,
    int Missed,
    int Talked,
    TimeSpan TalkTime,
    int WrapUps,
    TimeSpan WrapUpEpisodes)
{
    public TimeSpan OnBreak => Breaks.Aggregate(TimeSpan.Zero, (sum, b) => sum + b.Time);

    /// <summary>Every status but offline.</summary>
    public TimeSpan LoggedIn => Available + Busy + WrapUp + OnBreak;

    public TimeSpan? AverageTalk => Talked == 0 ? null : TalkTime / Talked;

    public TimeSpan? AverageWrapUp => WrapUps == 0 ? null : WrapUpEpisodes / WrapUps;

    /// <summary>
    /// The mean talk plus the mean wrap-up episode, as live staffing takes a queue's handle time (ADR 0006): with no
    /// wrap-up ended in the window the agent did not wrap up, and it is the talk; with no talk, nothing.
    /// </summary>
    public TimeSpan? AverageHandle => AverageTalk is { } talk ? talk + (AverageWrapUp ?? TimeSpan.Zero) : null;

    /// <summary>Busy and wrap-up over available, busy and wrap-up; null when the agent was none of them.</summary>
    public double? Occupancy
    {
        get
        {
            var working = Busy + WrapUp;
            var serving = Available + working;
            return serving == TimeSpan.Zero ? null : working / serving;
        }
    }
}

/// <summary>
/// Pure: an agents report over a window, from the agents' status events and the calls they answered, talked and missed.
/// The same events in any order, with any duplicates, give the same report: status events are sorted as SPEC §2 sorts
/// them (at, then id) and taken once by id.
/// </summary>
public static class AgentReport
{
    /// <summary>
    /// Per agent, ordered by id: time in each status (an episode runs from a status event to the agent's next one, clipped
    /// to the window and to now), breaks by reason, legs answered, offers missed, talk, and wrap-up episodes that ended in
    /// the window (whole, as live staffing counts them). With queues asked for, the calls counted are theirs, and an agent
    /// is listed if it answered or missed a call of one of them in the window or was logged in to one (the latest
    /// <c>queues</c> its status events gave, as the window began or within it); its times are its own, whole.
    /// </summary>
    public static IReadOnlyList<AgentTally> Of(ReportScope scope, ReportInput input)
    {
        var end = scope.Now < scope.To ? scope.Now : scope.To;
        var wanted = scope.Queues is null ? null : new HashSet<string>(scope.Queues, StringComparer.Ordinal);
        bool Counts(string? queue) => wanted is null || (queue is not null && wanted.Contains(queue));

        var answered = input.Answered.Where(a => Counts(a.Queue) && In(a.At, scope)).GroupBy(a => a.AgentId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var talks = input.Talks.Where(t => Counts(t.Queue) && In(t.CompletedAt, scope)).GroupBy(t => t.AgentId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var missed = input.Missed.Where(m => Counts(m.Queue) && In(m.At, scope)).GroupBy(m => m.AgentId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var marks = input.Marks.DistinctBy(m => m.Id).GroupBy(m => m.AgentId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(m => m.At).ThenBy(m => m.Id, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var agents = new SortedSet<string>(StringComparer.Ordinal);
        agents.UnionWith(answered.Keys);
        agents.UnionWith(talks.Keys);
        agents.UnionWith(missed.Keys);
        agents.UnionWith(marks.Keys);
        var tallies = new List<AgentTally>();
        foreach (var agent in agents)
        {
            var own = marks.GetValueOrDefault(agent) ?? [];
            var times = Times(own, scope.From, end);
            var (wrapUps, episodes) = WrapUps(own, scope.From, scope.To);
            var queues = LoggedIn(own, scope.From, scope.To);
            var agentTalks = talks.GetValueOrDefault(agent) ?? [];
            var tally = new AgentTally(agent, [.. queues],
                times.GetValueOrDefault((AgentStatus.Available, null)), times.GetValueOrDefault((AgentStatus.Busy, null)),
                times.GetValueOrDefault((AgentStatus.WrapUp, null)),
                [.. times.Where(t => t.Key.Status == AgentStatus.Break).Select(t => new BreakSpan(t.Key.Reason, t.Value))
                    .OrderBy(b => b.Reason is null).ThenBy(b => b.Reason, StringComparer.Ordinal)],
                answered.GetValueOrDefault(agent)?.Count ?? 0, missed.GetValueOrDefault(agent),
                agentTalks.Count, agentTalks.Aggregate(TimeSpan.Zero, (sum, t) => sum + (t.CompletedAt - t.AnsweredAt)),
                wrapUps, episodes);
            var active = tally.LoggedIn > TimeSpan.Zero || tally.Answered > 0 || tally.Missed > 0 || tally.Talked > 0
                || own.Any(m => In(m.At, scope));
            var member = wanted is null || queues.Overlaps(wanted) || tally.Answered > 0 || tally.Missed > 0 || tally.Talked > 0;
            if (active && member) tallies.Add(tally);
        }
        return tallies;
    }

    static bool In(DateTimeOffset at, ReportScope scope) => at >= scope.From && at < scope.To;

    // Each status (a break with its reason) and its time within [from, end): from each event to the next, the last to end.
    static Dictionary<(AgentStatus Status, string? Reason), TimeSpan> Times(List<StatusMark> marks, DateTimeOffset from, DateTimeOffset end)
    {
        var times = new Dictionary<(AgentStatus, string?), TimeSpan>();
        for (var i = 0; i < marks.Count; i++)
        {
            var start = marks[i].At < from ? from : marks[i].At;
            var stop = i + 1 < marks.Count && marks[i + 1].At < end ? marks[i + 1].At : end;
            if (stop <= start || marks[i].Status == AgentStatus.Offline) continue;
            var key = (marks[i].Status, marks[i].Status == AgentStatus.Break ? marks[i].Reason : null);
            times[key] = times.GetValueOrDefault(key) + (stop - start);
        }
        return times;
    }

    // Wrap-up episodes that ended in [from, to), whole: a wrap_up status to the agent's next status, whatever that is.
    static (int Count, TimeSpan Total) WrapUps(List<StatusMark> marks, DateTimeOffset from, DateTimeOffset to)
    {
        var (count, total) = (0, TimeSpan.Zero);
        for (var i = 0; i + 1 < marks.Count; i++)
        {
            if (marks[i].Status != AgentStatus.WrapUp || marks[i + 1].At < from || marks[i + 1].At >= to) continue;
            count++;
            total += marks[i + 1].At - marks[i].At;
        }
        return (count, total);
    }

    // The queues the agent was logged in to at some time in the window: the latest queues given as it began, and each
    // given within it.
    static SortedSet<string> LoggedIn(List<StatusMark> marks, DateTimeOffset from, DateTimeOffset to)
    {
        var queues = new SortedSet<string>(StringComparer.Ordinal);
        if (marks.LastOrDefault(m => m.At < from && m.Queues is not null) is { Queues: { } before }) queues.UnionWith(before);
        foreach (var m in marks)
            if (m.At >= from && m.At < to && m.Queues is not null) queues.UnionWith(m.Queues);
        return queues;
    }
}
