using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>
/// The demo center's traffic: the generator's center with two surges a day that its staffing cannot keep up with
/// (late morning and late afternoon, when calls wait past 30 s and the hour's ASA goes over target), the tech
/// queue resolving remotely below target, and field visits slower than target (some late, some overdue), so that
/// every kind of alert happens every day.
/// </summary>
/// <remarks>
/// It is made week by week: each week (from Monday 00:00 center time) is a simulation of its own, with its own seed
/// and ids, whose calls and visits play out to their end after the week is over. What is sent for any instant so
/// depends only on the options, never on when the demo was started: a restart sends the same events again, which
/// the service counts as duplicates.
/// </remarks>
public static class DemoTraffic
{
    public static readonly IReadOnlyList<Surge> Surges =
    [
        new(TimeSpan.FromHours(11), TimeSpan.FromHours(1), 1.35),
        new(TimeSpan.FromHours(16.5), TimeSpan.FromMinutes(45), 1.3),
    ];

    /// <summary>The demo center of <paramref name="operators"/> operators whose days play <paramref name="speed"/> times
    /// faster than the clock. Ids start with the prefix, the seed, the load and the week, so that another load or
    /// seed never sends an id already used with other content.</summary>
    public static TrafficOptions Center(int operators, double speed = 1, int seed = 1, string prefix = "demo")
    {
        var options = new TrafficOptions
        {
            Seed = seed,
            Operators = operators,
            DaySpeed = speed,
            IdPrefix = FormattableString.Invariant($"{prefix}{seed}-o{operators}-x{speed:0.###}"),
            Surges = Surges,
            VisitWithin24Share = 0.78,
            VisitPast48Share = 0.05,
        };
        options.Validate();
        return options;
    }

    /// <summary>
    /// The events from <paramref name="from"/> on, for ever, in order of <c>at</c>. A call or visit that began before
    /// <paramref name="from"/> is left out entirely (the service would otherwise get its end without its start).
    /// </summary>
    public static IEnumerable<EventDocs.Event> Run(TrafficOptions center, DateTimeOffset from)
    {
        var streams = new PriorityQueue<IEnumerator<EventDocs.Event>, (long At, long Week)>();
        var nextWeek = WeekStart(from, center.CenterOffset);
        var skippedCalls = new HashSet<string>(StringComparer.Ordinal);
        var skippedVisits = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            if (!streams.TryPeek(out var head, out var key) || key.At >= nextWeek.UtcTicks)
            {
                var week = Week(center, nextWeek).GetEnumerator();
                if (week.MoveNext()) streams.Enqueue(week, (week.Current.At.UtcTicks, nextWeek.UtcTicks));
                nextWeek = nextWeek.AddDays(7);
                continue;
            }
            streams.Dequeue();
            var e = head.Current;
            if (head.MoveNext()) streams.Enqueue(head, (head.Current.At.UtcTicks, key.Week));
            if (Keep(e, e.At >= from, skippedCalls, skippedVisits)) yield return e;
        }
    }

    /// <summary>Monday 00:00 center time of the week holding <paramref name="at"/>.</summary>
    public static DateTimeOffset WeekStart(DateTimeOffset at, TimeSpan offset)
    {
        var date = at.ToOffset(offset).Date;
        return new DateTimeOffset(date.AddDays(-(((int)date.DayOfWeek + 6) % 7)), offset);
    }

    static IEnumerable<EventDocs.Event> Week(TrafficOptions center, DateTimeOffset monday)
    {
        var end = monday.AddDays(7);
        var days = monday.UtcTicks / TimeSpan.TicksPerDay;
        var week = center with
        {
            Seed = unchecked((center.Seed * 7_919) + (int)days),
            IdPrefix = FormattableString.Invariant($"{center.IdPrefix}-{monday:yyyyMMdd}"),
        };
        // After its end a week only finishes its calls and visits; the next week's simulation has the operators.
        return new TrafficGenerator(week).Run(monday, null, end).Where(e => e is not EventDocs.AgentStatusChanged || e.At < end);
    }

    static bool Keep(EventDocs.Event e, bool inRange, HashSet<string> calls, HashSet<string> visits)
    {
        switch (e)
        {
            case EventDocs.CallQueued q:
                if (!inRange) calls.Add(q.CallId);
                return inRange;
            case EventDocs.CallCompleted c when calls.Remove(c.CallId):
                if (c.VisitId is not null) visits.Add(c.VisitId);
                return false;
            case EventDocs.CallAbandoned a when calls.Remove(a.CallId):
                return false;
            case EventDocs.CallAnswered a: return inRange && !calls.Contains(a.CallId);
            case EventDocs.CallTransferred t: return inRange && !calls.Contains(t.CallId);
            case EventDocs.VisitCreated v when !inRange || visits.Contains(v.VisitId):
                visits.Add(v.VisitId);
                return false;
            case EventDocs.VisitResolved r when visits.Remove(r.VisitId):
                return false;
            case EventDocs.VisitCancelled c when visits.Remove(c.VisitId):
                return false;
            default:
                return inRange;
        }
    }
}
