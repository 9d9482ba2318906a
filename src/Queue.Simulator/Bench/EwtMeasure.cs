using System.Globalization;
using Queue.Ingest;
using Queue.Staffing;
using Queue.Simulator.Traffic;

namespace Queue.Simulator.Bench;

/// <summary>
/// <c>queue-sim ewt</c>: the expected wait the service would announce to each caller as it joins a queue (the same
/// function, from what the events up to then show: callers waiting, agents serving, the last hour's talk and
/// abandons), against the wait that then happened, over a simulated center's traffic. Callers who gave up have no
/// wait to compare and are counted apart.
/// </summary>
internal static class EwtMeasure
{
    sealed class QueueState
    {
        public Dictionary<string, DateTimeOffset> Waiting { get; } = new(StringComparer.Ordinal);
        public Queue<(DateTimeOffset At, double Seconds)> Talk { get; } = new();
        public Queue<(DateTimeOffset At, double Seconds, bool Abandoned)> Waits { get; } = new();
    }

    public static int Run(Args args)
    {
        var options = new TrafficOptions
        {
            Operators = args.Int("--operators", 200),
            Seed = args.Int("--seed", 1),
            IdPrefix = "ewt",
        };
        var hours = args.Double("--hours", 8);
        args.EnsureAllUsed();
        var end = DateTimeOffset.UtcNow;
        var queues = new Dictionary<string, QueueState>(StringComparer.Ordinal);
        var agents = new Dictionary<string, (string Status, string[] Queues)>(StringComparer.Ordinal);
        var legOf = new Dictionary<string, (string Queue, DateTimeOffset Since)>(StringComparer.Ordinal);
        var answeredAt = new Dictionary<string, (string Queue, DateTimeOffset At)>(StringComparer.Ordinal);
        var estimates = new Dictionary<string, WaitEstimate>(StringComparer.Ordinal);
        var errors = new List<double>();
        var waited = new List<(double Error, bool InRange)>();
        long inRange = 0, abandoned = 0, unestimated = 0;
        QueueState Of(string q) => queues.TryGetValue(q, out var s) ? s : queues[q] = new QueueState();

        void Join(string call, string queue, DateTimeOffset at)
        {
            var s = Of(queue);
            while (s.Talk.TryPeek(out var t) && t.At < at.AddHours(-1)) s.Talk.Dequeue();
            while (s.Waits.TryPeek(out var w) && w.At < at.AddHours(-1)) s.Waits.Dequeue();
            int available = 0, busy = 0, wrapUp = 0;
            foreach (var (status, served) in agents.Values)
            {
                if (!served.Contains(queue)) continue;
                if (status == "available") available++;
                else if (status == "busy") busy++;
                else if (status == "wrap_up") wrapUp++;
            }
            var talk = s.Talk.Count == 0 ? (double?)null : s.Talk.Average(t => t.Seconds);
            var lost = s.Waits.Count(w => w.Abandoned);
            TimeSpan? patience = lost == 0 ? null : TimeSpan.FromSeconds(s.Waits.Sum(w => w.Seconds) / lost);
            var position = s.Waiting.Count + 1;
            s.Waiting[call] = at;
            legOf[call] = (queue, at);
            if (talk is not { } x || x <= 0) { estimates.Remove(call); return; }
            var aht = TimeSpan.FromSeconds(x * (1 + (busy == 0 ? 0 : (double)wrapUp / busy)));
            if (ExpectedWait.Of(position, available, available + busy + wrapUp, aht, patience) is { } e) estimates[call] = e;
            else estimates.Remove(call);
        }

        void Leave(string call, DateTimeOffset at, bool answered)
        {
            if (!legOf.Remove(call, out var leg)) return;
            var s = Of(leg.Queue);
            s.Waiting.Remove(call);
            var wait = (at - leg.Since).TotalSeconds;
            s.Waits.Enqueue((at, wait, !answered));
            var had = estimates.Remove(call, out var e);
            if (!answered) { abandoned++; return; }
            answeredAt[call] = (leg.Queue, at);
            if (!had) { unestimated++; return; }
            errors.Add(e!.MeanSeconds - wait);
            var inside = wait >= e.LowSeconds && wait <= e.HighSeconds;
            if (inside) inRange++;
            if (e.Stages > 0) waited.Add((e.MeanSeconds - wait, inside));
        }

        foreach (var ev in new TrafficGenerator(options).Run(end.AddHours(-hours), end))
        {
            switch (ev)
            {
                // A status without queues keeps the agent's queues (as the service does).
                case EventDocs.AgentStatusChanged a:
                    agents[a.AgentId] = (a.Status, a.Queues ?? (agents.TryGetValue(a.AgentId, out var was) ? was.Queues : []));
                    break;
                case EventDocs.CallQueued q: Join(q.CallId, q.Queue, q.At); break;
                case EventDocs.CallAnswered a: Leave(a.CallId, a.At, answered: true); break;
                case EventDocs.CallAbandoned a: Leave(a.CallId, a.At, answered: false); break;
                case EventDocs.CallTransferred t:
                    Leave(t.CallId, t.At, answered: true);
                    Join(t.CallId, t.ToQueue, t.At);
                    break;
                case EventDocs.CallCompleted c when answeredAt.Remove(c.CallId, out var ans):
                    Of(ans.Queue).Talk.Enqueue((c.At, (c.At - ans.At).TotalSeconds));
                    break;
            }
        }
        var n = errors.Count;
        string F(double x) => x.ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine($"ewt: {options.Operators} operators, {F(hours)} h of simulated traffic (seed {options.Seed})");
        Console.WriteLine($"  answered with an estimate: {n} (answered without one: {unestimated}; abandoned: {abandoned})");
        if (n == 0) return 0;
        Console.WriteLine($"  mean absolute error: {F(errors.Average(Math.Abs))} s; mean error (estimate − wait): {F(errors.Average())} s");
        Console.WriteLine($"  within ±30 s: {F(100.0 * errors.Count(x => Math.Abs(x) <= 30) / n)} %; inside the 10–90 % range: {F(100.0 * inRange / n)} %");
        if (waited.Count > 0)
            Console.WriteLine($"  told they would wait ({waited.Count}): mean absolute error {F(waited.Average(w => Math.Abs(w.Error)))} s; within ±30 s: "
                + $"{F(100.0 * waited.Count(w => Math.Abs(w.Error) <= 30) / waited.Count)} %; inside the 10–90 % range: {F(100.0 * waited.Count(w => w.InRange) / waited.Count)} %");
        return 0;
    }
}
