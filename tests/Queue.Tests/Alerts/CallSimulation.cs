using Queue.Figures;
using Queue.Live;
using Queue.Staffing;

namespace Queue.Tests.Alerts;

/// <summary>One simulated call, in seconds from the start: it arrives, is answered at <see cref="Start"/> and done at <see cref="End"/>.</summary>
public readonly record struct SimCall(double Arrive, double Start, double End)
{
    public double Wait => Start - Arrive;
}

/// <summary>
/// A seeded discrete-event simulation of one queue, plain and independent of the service: Poisson arrivals at a rate
/// that changes with time (thinning), exponential handle times, agents serving first come first served, agents
/// joining at whole minutes and never leaving, callers with an exponential patience or none. First come first served
/// makes it one pass: the call at the head takes the agent free first (an agent who has not joined yet is free from
/// the minute it joins), unless its caller's patience runs out before, which leaves that agent to the next call.
/// </summary>
public sealed class CallSimulation
{
    public IReadOnlyList<SimCall> Calls { get; }
    readonly double[] _joins;

    CallSimulation(IReadOnlyList<SimCall> calls, double[] joins) => (Calls, _joins) = (calls, joins);

    /// <param name="callsPerHour">The true arrival rate at a minute (fractional) from the start.</param>
    /// <param name="agentsAt">The agents serving from a whole minute on; never fewer than at the minute before.</param>
    public static CallSimulation Run(int seed, int minutes, Func<double, double> callsPerHour, double peakCallsPerHour, Func<int, int> agentsAt,
        TimeSpan handleTime)
    {
        var rng = new Random(seed);
        double Exp(double mean) => -Math.Log(1 - rng.NextDouble()) * mean;

        var joins = new List<double>();
        for (var m = 0; m <= minutes; m++)
            while (joins.Count < agentsAt(m)) joins.Add(m * 60.0);
        var free = new PriorityQueue<double, double>();
        foreach (var j in joins) free.Enqueue(j, j);

        var calls = new List<SimCall>();
        var end = minutes * 60.0;
        var mean = 3600 / peakCallsPerHour;
        for (var t = Exp(mean); t < end; t += Exp(mean))
        {
            if (rng.NextDouble() * peakCallsPerHour >= callsPerHour(t / 60)) continue;
            var start = Math.Max(t, free.Dequeue());
            var done = start + Exp(handleTime.TotalSeconds);
            free.Enqueue(done, done);
            calls.Add(new SimCall(t, start, done));
        }
        return new CallSimulation(calls, [.. joins]);
    }

    /// <summary>
    /// What live state holds of the queue at <paramref name="second"/> (a whole minute): the rolling windows by when
    /// calls were answered and completed, the per-minute staffing sums (arrivals by when they came, talk from answer
    /// to completion by when calls completed; no abandons), the calls waiting and the agents by status (busy while
    /// talking, available otherwise: no wrap-up here).
    /// </summary>
    public QueueCounts Live(DateTimeOffset origin, double second, string queue)
    {
        DateTimeOffset At(double s) => origin.AddTicks((long)Math.Round(s * TimeSpan.TicksPerSecond));
        static long Micros(double seconds) => (long)Math.Round(seconds * 1e6);

        WindowCounts Window(double from)
        {
            long answered = 0, inSl = 0, wait = 0, completed = 0;
            foreach (var c in Calls)
            {
                if (c.Start >= from && c.Start < second)
                {
                    answered++;
                    wait += Micros(c.Wait);
                    if (c.Wait <= 30) inSl++;
                }
                if (c.End >= from && c.End < second) completed++;
            }
            return new WindowCounts(At(from), At(second), new FigureCounts
            {
                Answered = answered, AnsweredInTime = inSl, WaitSeconds = wait / 1e6, Completed = completed, Resolved = completed,
            });
        }

        long arrived15 = 0, arrived60 = 0, talked = 0, talk = 0, waiting = 0, busy = 0;
        double? oldest = null;
        foreach (var c in Calls)
        {
            if (c.Arrive > second) break;
            if (c.Arrive >= second - 900) arrived15++;
            if (c.Arrive >= second - 3600) arrived60++;
            if (c.End >= second - 3600 && c.End <= second)
            {
                talked++;
                talk += Micros(c.End - c.Start);
            }
            if (c.Start > second)
            {
                waiting++;
                oldest ??= c.Arrive;
            }
            else if (c.End > second) busy++;
        }

        var agents = new Dictionary<string, AgentInfo>(StringComparer.Ordinal);
        var joined = _joins.Count(j => j <= second);
        for (var i = 0; i < joined; i++)
            agents[$"a{i}"] = new AgentInfo(i < busy ? "busy" : "available", At(_joins[i]), [queue]);
        var staffing = new StaffingCounts(TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), arrived15, arrived60, talked, talk, 0, 0, 0);
        return new QueueCounts(At(second), waiting, oldest is { } o ? At(o) : null, Window(second - 900), Window(second - 3600), Window(0),
            new VisitCounts(At(second - 7 * 86400), At(second), 0, 0, 0, 0, 0, 0), agents, staffing);
    }

    /// <summary>
    /// The first instant the true rolling-hour ASA (answered calls' mean wait, over those answered in the hour before)
    /// is strictly past <paramref name="targetSeconds"/> on at least <paramref name="minimumSample"/> answers, from
    /// <paramref name="fromSecond"/> on; null if never.
    /// It can only change when a call is answered or an answer leaves the hour, so those instants are all it checks.
    /// </summary>
    public double? AsaBreach(double fromSecond, double targetSeconds, int minimumSample)
    {
        var answered = Calls.OrderBy(c => c.Start).ToArray();
        var starts = answered.Select(c => c.Start).ToArray();
        var sums = new double[answered.Length + 1];
        for (var i = 0; i < answered.Length; i++) sums[i + 1] = sums[i] + answered[i].Wait;
        // Index of the first start strictly after x.
        int After(double x)
        {
            var i = Array.BinarySearch(starts, x);
            if (i < 0) return ~i;
            while (i < starts.Length && starts[i] <= x) i++;
            return i;
        }
        foreach (var at in starts.Concat(starts.Select(s => s + 3600)).Append(fromSecond).Where(s => s >= fromSecond).Order())
        {
            int from = After(at - 3600), to = After(at);
            var n = to - from;
            if (n >= minimumSample && (sums[to] - sums[from]) / n > targetSeconds) return at;
        }
        return null;
    }
}
