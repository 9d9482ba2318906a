using Queue.Events;
using Queue.Figures;
using Queue.Redis;
using Queue.Staffing;
using StackExchange.Redis;

namespace Queue.Live;

/// <summary>
/// Reads a queue's live counts from Redis in one transaction (one consistent view). Counts of the rolling windows
/// come from sorted sets scored by event time, so any edge is exact; their wait sums from per-minute buckets inside
/// the window and from the members themselves in its partial first and last minutes. Today's earlier quarter hours
/// come from quarter-hour counts.
/// </summary>
internal sealed class LiveReader(IConnectionMultiplexer redis, LiveKeys keys, LiveRules rules)
{
    readonly ParsedAgents parsedAgents = new();

    public async Task<QueueCounts> ReadAsync(string queue, DateTimeOffset now)
    {
        now = Micros.Truncate(now);
        var tx = redis.GetDatabase().CreateTransaction();
        // A leg waiting for longer than GhostAfter is a ghost or history (LiveParts.OfCall).
        var ghostsBefore = Micros.Of(now - rules.GhostAfter);
        var waiting = tx.SortedSetLengthAsync(keys.Of(queue, RedisLayout.Waiting), ghostsBefore, double.PositiveInfinity);
        var oldest = tx.SortedSetRangeByScoreWithScoresAsync(keys.Of(queue, RedisLayout.Waiting), ghostsBefore, double.PositiveInfinity, take: 1);
        var waitSums = tx.HashGetAllAsync(keys.Of(queue, RedisLayout.WaitSum));
        var m15 = Window(tx, queue, LiveWindows.M15(now));
        var m60 = Window(tx, queue, LiveWindows.M60(now));
        var today = Today(tx, queue, LiveWindows.Today(now, rules.Zone));
        var (vFrom, vTo) = LiveWindows.Visits(now);
        var open = tx.SortedSetLengthAsync(keys.Of(queue, RedisLayout.OpenVisits));
        // Late: past the 24 h deadline, i.e. created strictly before now − 24 h (on the deadline is on time).
        var late = tx.SortedSetLengthAsync(keys.Of(queue, RedisLayout.OpenVisits), double.NegativeInfinity, Micros.Of(now - VisitState.Deadline24), Exclude.Stop);
        var overdue = tx.SortedSetLengthAsync(keys.Of(queue, RedisLayout.OpenVisits), double.NegativeInfinity, Micros.Of(now - VisitState.Deadline48), Exclude.Stop);
        var due24 = Count(tx, keys.Of(queue, RedisLayout.Due24), vFrom, vTo);
        var met24 = Count(tx, keys.Of(queue, RedisLayout.Due24Met), vFrom, vTo);
        var overdue48 = Count(tx, keys.Of(queue, RedisLayout.Overdue48), vFrom, vTo);
        var agents = tx.HashGetAllAsync(keys.Of(queue, RedisLayout.Agents));
        var staffing = Staffing(tx, queue, now);
        await tx.ExecuteAsync();

        var sums = (await waitSums).ToDictionary(e => MinuteField.Parse(e.Name.ToString()), e => (long)e.Value);
        var first = await oldest;
        return new QueueCounts(now, await waiting, first.Length == 0 ? null : Micros.At((long)first[0].Score),
            await m15.Read(sums), await m60.Read(sums), await today.Read(sums),
            new VisitCounts(vFrom, vTo, await open, await late, await overdue, await due24, await met24, await overdue48),
            (await agents).ToDictionary(e => e.Name.ToString(), e => parsedAgents.Of(e.Value.ToString()), StringComparer.Ordinal),
            await staffing.Read());
    }

    /// <summary>The staffing sums of the minutes from the one the hour started in to the one under way (61 minutes, one HMGET).</summary>
    StaffingRead Staffing(ITransaction tx, string queue, DateTimeOffset now)
    {
        var nowMicros = Micros.Of(now);
        var last = nowMicros / Micros.PerMinute;
        var first60 = Micros.Of(LiveWindows.M60(now).From) / Micros.PerMinute;
        var first15 = Micros.Of(LiveWindows.M15(now).From) / Micros.PerMinute;
        var fields = new List<RedisValue>();
        for (var m = first60; m <= last; m++)
            foreach (var kind in StaffField.Kinds) fields.Add(StaffField.Of(m, kind));
        return new StaffingRead(first60, first15, last, tx.HashGetAsync(keys.Of(queue, RedisLayout.StaffSums), fields.ToArray()));
    }

    // Arrival rates are of whole minutes: the 15 and 60 before the one under way, over exactly 15 and 60 minutes. A rate
    // over a span that ran to now would move every second with no call arriving, and every snapshot with it (ADR 0009).
    sealed record StaffingRead(long First60, long First15, long UnderWay, Task<RedisValue[]> Values)
    {
        public async Task<StaffingCounts> Read()
        {
            var values = await Values;
            long arrived15 = 0, arrived60 = 0, talked = 0, talk = 0, abandonWait = 0, wrappedUp = 0, wrapUp = 0;
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i].IsNull) continue;
                var minute = First60 + i / StaffField.Kinds.Length;
                var value = (long)values[i];
                switch (StaffField.Kinds[i % StaffField.Kinds.Length])
                {
                    case StaffKind.Arrived:
                        if (minute == UnderWay) break;
                        arrived60 += value;
                        if (minute >= First15) arrived15 += value;
                        break;
                    case StaffKind.Talked: talked += value; break;
                    case StaffKind.Talk: talk += value; break;
                    case StaffKind.AbandonWait: abandonWait += value; break;
                    case StaffKind.WrappedUp: wrappedUp += value; break;
                    case StaffKind.WrapUp: wrapUp += value; break;
                }
            }
            return new StaffingCounts(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), arrived15, arrived60, talked, talk, abandonWait, wrappedUp, wrapUp);
        }
    }

    /// <summary>The agents of the queue's <c>agents</c> hash (every agent, for the center) as live state keeps them.</summary>
    public async Task<IReadOnlyDictionary<string, AgentInfo>> AgentsAsync(string queue)
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(keys.Of(queue, RedisLayout.Agents));
        return entries.ToDictionary(e => e.Name.ToString(), e => parsedAgents.Of(e.Value.ToString()), StringComparer.Ordinal);
    }

    /// <summary>
    /// Today's counts per agent of the queue: answered, handled and their talk time, missed (<see cref="AgentDayField"/>);
    /// of <paramref name="agents"/> alone if given (a queue's day names every agent who took one of its calls, on a large
    /// floor thousands, where its detail shows the few logged in to it).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> AgentDayAsync(string queue, DateTimeOffset now, IReadOnlyCollection<string>? agents = null)
    {
        var key = keys.Of(queue, RedisLayout.AgentDay.On(rules.LocalDay(now)));
        if (agents is null)
        {
            var entries = await redis.GetDatabase().HashGetAllAsync(key);
            return entries.ToDictionary(e => e.Name.ToString(), e => (long)e.Value, StringComparer.Ordinal);
        }
        string[] fields = [.. agents.SelectMany(a => (string[])[AgentDayField.Answered(a), AgentDayField.Handled(a), AgentDayField.Handle(a), AgentDayField.Missed(a)])];
        if (fields.Length == 0) return new Dictionary<string, long>(StringComparer.Ordinal);
        var values = await redis.GetDatabase().HashGetAsync(key, [.. fields.Select(f => (RedisValue)f)]);
        var day = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Length; i++)
            if (!values[i].IsNull) day[fields[i]] = (long)values[i];
        return day;
    }

    /// <summary>
    /// A queue's open visits past their 24 h deadline now (strictly: created before now − 24 h), and when the next
    /// ones were created whose 24 h or 48 h deadline is still ahead.
    /// </summary>
    public async Task<(IReadOnlyList<(string VisitId, DateTimeOffset Created)> Late, IReadOnlyList<DateTimeOffset> Upcoming)> OpenVisitsAsync(string queue, DateTimeOffset now)
    {
        var tx = redis.GetDatabase().CreateTransaction();
        var key = keys.Of(queue, RedisLayout.OpenVisits);
        var late = tx.SortedSetRangeByScoreWithScoresAsync(key, double.NegativeInfinity, Micros.Of(now - VisitState.Deadline24), Exclude.Stop);
        var next24 = tx.SortedSetRangeByScoreWithScoresAsync(key, Micros.Of(now - VisitState.Deadline24), double.PositiveInfinity, take: 1);
        var next48 = tx.SortedSetRangeByScoreWithScoresAsync(key, Micros.Of(now - VisitState.Deadline48), double.PositiveInfinity, take: 1);
        await tx.ExecuteAsync();
        var visits = (await late).Select(e => (EntityKey.Id(e.Element.ToString()), Micros.At((long)e.Score))).ToList();
        var upcoming = (await next24).Concat(await next48).Select(e => Micros.At((long)e.Score)).ToList();
        return (visits, upcoming);
    }

    public async Task<IReadOnlyList<(string Member, WaitingInfo Info)>> WaitingAsync(string queue, DateTimeOffset now)
    {
        var db = redis.GetDatabase();
        var tx = db.CreateTransaction();
        var order = tx.SortedSetRangeByScoreAsync(keys.Of(queue, RedisLayout.Waiting), Micros.Of(now - rules.GhostAfter), double.PositiveInfinity);
        var info = tx.HashGetAllAsync(keys.Of(queue, RedisLayout.WaitInfo));
        await tx.ExecuteAsync();
        var byMember = (await info).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
        return (await order)
            .Select(m => m.ToString())
            .Where(byMember.ContainsKey)
            .Select(m => (m, RedisJson.Read<WaitingInfo>(byMember[m])))
            .ToList();
    }

    static Task<long> Count(ITransaction tx, string key, DateTimeOffset from, DateTimeOffset to) =>
        tx.SortedSetLengthAsync(key, Micros.Of(from), Micros.Of(to), Exclude.Stop);

    WindowRead Window(ITransaction tx, string queue, (DateTimeOffset From, DateTimeOffset To) w)
    {
        long from = Micros.Of(w.From), to = Micros.Of(w.To);
        var firstWhole = (from + Micros.PerMinute - 1) / Micros.PerMinute;   // first minute wholly inside
        var lastWhole = to / Micros.PerMinute;                                // first minute not wholly inside
        var head = tx.SortedSetRangeByScoreAsync(keys.Of(queue, RedisLayout.Answered), from, Math.Min(firstWhole * Micros.PerMinute, to), Exclude.Stop);
        var tail = lastWhole * Micros.PerMinute >= firstWhole * Micros.PerMinute
            ? tx.SortedSetRangeByScoreAsync(keys.Of(queue, RedisLayout.Answered), lastWhole * Micros.PerMinute, to, Exclude.Stop)
            : Task.FromResult(Array.Empty<RedisValue>());
        return new WindowRead(w.From, w.To, firstWhole, lastWhole, head, tail,
            Count(tx, keys.Of(queue, RedisLayout.Answered), w.From, w.To),
            Count(tx, keys.Of(queue, RedisLayout.InServiceLevel), w.From, w.To),
            Count(tx, keys.Of(queue, RedisLayout.Abandoned), w.From, w.To),
            Count(tx, keys.Of(queue, RedisLayout.ShortAbandoned), w.From, w.To),
            Count(tx, keys.Of(queue, RedisLayout.Completed), w.From, w.To),
            Count(tx, keys.Of(queue, RedisLayout.Resolved), w.From, w.To),
            Count(tx, keys.Of(queue, RedisLayout.Unknown), w.From, w.To));
    }

    /// <summary>
    /// Today: its whole quarter hours from their counts, the rest (the quarter under way, and the part of a quarter
    /// before midnight in a zone whose midnight is not on a quarter, of which there are none today) like a rolling window.
    /// </summary>
    TodayRead Today(ITransaction tx, string queue, (DateTimeOffset From, DateTimeOffset To) w)
    {
        long from = Micros.Of(w.From), to = Micros.Of(w.To);
        var firstWhole = (from + Micros.PerQuarterHour - 1) / Micros.PerQuarterHour;
        var lastWhole = to / Micros.PerQuarterHour;
        if (firstWhole >= lastWhole) return new TodayRead(w, firstWhole, firstWhole, null, [Window(tx, queue, w)]);
        var edges = new List<WindowRead>();
        if (from < firstWhole * Micros.PerQuarterHour) edges.Add(Window(tx, queue, (w.From, Micros.At(firstWhole * Micros.PerQuarterHour))));
        if (lastWhole * Micros.PerQuarterHour < to) edges.Add(Window(tx, queue, (Micros.At(lastWhole * Micros.PerQuarterHour), w.To)));
        return new TodayRead(w, firstWhole, lastWhole, tx.HashGetAllAsync(keys.Of(queue, RedisLayout.Quarters)), edges);
    }

    sealed record TodayRead((DateTimeOffset From, DateTimeOffset To) Window, long FirstWhole, long LastWhole,
        Task<HashEntry[]>? Quarters, IReadOnlyList<WindowRead> Edges)
    {
        public async Task<WindowCounts> Read(Dictionary<long, long> minuteSums)
        {
            var counts = new WindowCounts(Window.From, Window.To, FigureCounts.Zero);
            foreach (var edge in Edges) counts = counts.Plus(await edge.Read(minuteSums));
            if (Quarters is null) return counts;
            long answered = 0, inSl = 0, wait = 0, abandoned = 0, shortAbandoned = 0, completed = 0, resolved = 0, unknown = 0;
            foreach (var entry in await Quarters)
            {
                if (!QuarterField.TryParse(entry.Name.ToString(), out var quarter, out var kind) || quarter < FirstWhole || quarter >= LastWhole) continue;
                var value = (long)entry.Value;
                switch (kind)
                {
                    case QuarterKind.Answered: answered += value; break;
                    case QuarterKind.InServiceLevel: inSl += value; break;
                    case QuarterKind.Wait: wait += value; break;
                    case QuarterKind.Abandoned: abandoned += value; break;
                    case QuarterKind.ShortAbandoned: shortAbandoned += value; break;
                    case QuarterKind.Completed: completed += value; break;
                    case QuarterKind.Resolved: resolved += value; break;
                    case QuarterKind.Unknown: unknown += value; break;
                }
            }
            return counts.Plus(new WindowCounts(Window.From, Window.To, new FigureCounts
            {
                Answered = answered, AnsweredInTime = inSl, WaitSeconds = Micros.Seconds(wait), Abandoned = abandoned,
                ShortAbandoned = shortAbandoned, Completed = completed, Resolved = resolved, ResolutionUnknown = unknown,
            }));
        }
    }

    sealed record WindowRead(DateTimeOffset From, DateTimeOffset To, long FirstWhole, long LastWhole,
        Task<RedisValue[]> Head, Task<RedisValue[]> Tail,
        Task<long> Answered, Task<long> InSl, Task<long> Abandoned, Task<long> Short, Task<long> Completed, Task<long> Resolved, Task<long> Unknown)
    {
        public async Task<WindowCounts> Read(Dictionary<long, long> minuteSums)
        {
            long wait = 0;
            foreach (var (minute, sum) in minuteSums)
                if (minute >= FirstWhole && minute < LastWhole) wait += sum;
            foreach (var member in (await Head).Concat(await Tail)) wait += AnsweredMember.WaitOf(member.ToString());
            return new WindowCounts(From, To, new FigureCounts
            {
                Answered = await Answered, AnsweredInTime = await InSl, WaitSeconds = Micros.Seconds(wait), Abandoned = await Abandoned,
                ShortAbandoned = await Short, Completed = await Completed, Resolved = await Resolved, ResolutionUnknown = await Unknown,
            });
        }
    }
}
