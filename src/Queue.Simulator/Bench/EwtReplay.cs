using Queue.Events;
using Queue.Figures;
using Queue.Ingest;
using Queue.Live;
using Queue.Staffing;
using Queue.Targets;

namespace Queue.Simulator.Bench;

/// <summary>What the replay needs of an event: a call's steps in a queue, and agents' statuses.</summary>
internal abstract record EwtStep(DateTimeOffset At)
{
    public sealed record Queued(DateTimeOffset At, string CallId, string Queue) : EwtStep(At);
    public sealed record Answered(DateTimeOffset At, string CallId) : EwtStep(At);
    public sealed record Abandoned(DateTimeOffset At, string CallId) : EwtStep(At);
    public sealed record Transferred(DateTimeOffset At, string CallId, string ToQueue) : EwtStep(At);
    public sealed record Completed(DateTimeOffset At, string CallId) : EwtStep(At);
    public sealed record Agent(DateTimeOffset At, string AgentId, string Status, IReadOnlyList<string>? Queues) : EwtStep(At);

    /// <summary>A generated event (the demo's traffic); null for visits.</summary>
    public static EwtStep? Of(EventDocs.Event e) => e switch
    {
        EventDocs.CallQueued q => new Queued(q.At, q.CallId, q.Queue),
        EventDocs.CallAnswered a => new Answered(a.At, a.CallId),
        EventDocs.CallAbandoned a => new Abandoned(a.At, a.CallId),
        EventDocs.CallTransferred t => new Transferred(t.At, t.CallId, t.ToQueue),
        EventDocs.CallCompleted c => new Completed(c.At, c.CallId),
        EventDocs.AgentStatusChanged a => new Agent(a.At, a.AgentId, a.Status, a.Queues),
        _ => null,
    };

    /// <summary>A stored event (read back from the event log); null for visits.</summary>
    public static EwtStep? Of(QueueEvent e) => e switch
    {
        CallQueued q => new Queued(q.At, q.CallId, q.Queue),
        CallAnswered a => new Answered(a.At, a.CallId),
        CallAbandoned a => new Abandoned(a.At, a.CallId),
        CallTransferred t => new Transferred(t.At, t.CallId, t.ToQueue),
        CallCompleted c => new Completed(c.At, c.CallId),
        AgentStatusChanged a => new Agent(a.At, a.AgentId, Wire.Name(a.Status), a.Queues),
        _ => null,
    };
}

/// <summary>
/// Events in the order of <c>at</c> through what the live model keeps of each queue (callers waiting, agents by
/// status, the per-minute sums of arrivals, talk, abandoned waits and its agents' wrap-up episodes, the rolling hour's
/// answers and abandons), and,
/// as each caller joins a queue, the answer <c>GET /api/queues/{queue}/ewt</c> would give then: the same pure functions
/// (<see cref="StaffingNow.Of"/> → <see cref="ExpectedWaitAnswer.Of(string, DateTimeOffset, long, IReadOnlyDictionary{string, long}, LiveStaffing, int?)"/>),
/// at the default position (calls waiting + 1). When the caller is answered, the answer is scored against its wait.
/// </summary>
internal sealed class EwtReplay(TargetOptions targets)
{
    static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    static readonly long MinuteTicks = TimeSpan.TicksPerMinute;

    sealed class QueueState
    {
        public HashSet<string> Waiting { get; } = new(StringComparer.Ordinal);
        public Queue<DateTimeOffset> Arrivals { get; } = new();
        public Queue<(DateTimeOffset At, long Micros)> Talk { get; } = new();
        public Queue<(DateTimeOffset At, long WaitMicros)> Answers { get; } = new();
        public Queue<(DateTimeOffset At, long WaitMicros)> Abandons { get; } = new();
    }

    readonly Dictionary<string, QueueState> queues = new(StringComparer.Ordinal);
    readonly Dictionary<string, (string Status, DateTimeOffset Since, IReadOnlyList<string> Queues)> agents = new(StringComparer.Ordinal);
    // Each agent's wrap-up episodes by when they ended: they count in the queues the agent is logged in to now (LiveParts.OfAgent).
    readonly Dictionary<string, Queue<(DateTimeOffset End, long Micros)>> wrapUps = new(StringComparer.Ordinal);
    readonly Dictionary<string, (string Queue, DateTimeOffset Since, ExpectedWaitAnswer? Told)> legs = new(StringComparer.Ordinal);
    readonly Dictionary<string, (string Queue, DateTimeOffset At)> answered = new(StringComparer.Ordinal);

    public EwtScore Score { get; } = new();

    public void Apply(EwtStep step)
    {
        switch (step)
        {
            // A status without queues keeps the agent's queues (as the service does); a wrap-up ends at the next status.
            case EwtStep.Agent a:
                var known = agents.TryGetValue(a.AgentId, out var was);
                if (known && was.Status == "wrap_up")
                {
                    if (!wrapUps.TryGetValue(a.AgentId, out var episodes)) wrapUps[a.AgentId] = episodes = new();
                    episodes.Enqueue((a.At, Micros(a.At - was.Since)));
                }
                agents[a.AgentId] = (a.Status, a.At, a.Queues ?? (known ? was.Queues : []));
                break;
            case EwtStep.Queued q: Join(q.CallId, q.Queue, q.At); break;
            case EwtStep.Answered a: Leave(a.CallId, a.At, LegOutcome.Answered); break;
            case EwtStep.Abandoned a: Leave(a.CallId, a.At, LegOutcome.Abandoned); break;
            case EwtStep.Transferred t:
                Leave(t.CallId, t.At, LegOutcome.Transferred);
                Join(t.CallId, t.ToQueue, t.At);
                break;
            case EwtStep.Completed c when answered.Remove(c.CallId, out var ans):
                Of(ans.Queue).Talk.Enqueue((c.At, Micros(c.At - ans.At)));
                break;
        }
    }

    QueueState Of(string queue) => queues.TryGetValue(queue, out var s) ? s : queues[queue] = new QueueState();

    void Join(string call, string queue, DateTimeOffset at)
    {
        var s = Of(queue);
        var told = Ask(queue, s, at);
        s.Waiting.Add(call);
        s.Arrivals.Enqueue(at);
        legs[call] = (queue, at, told);
    }

    void Leave(string call, DateTimeOffset at, LegOutcome outcome)
    {
        if (!legs.Remove(call, out var leg)) return;
        var s = Of(leg.Queue);
        s.Waiting.Remove(call);
        var wait = at - leg.Since;
        switch (outcome)
        {
            case LegOutcome.Answered:
                s.Answers.Enqueue((at, Micros(wait)));
                answered[call] = (leg.Queue, at);
                Score.Add(leg.Told, wait);
                break;
            case LegOutcome.Abandoned:
                s.Abandons.Enqueue((at, Micros(wait)));
                Score.Abandoned++;
                break;
            default:
                Score.Transferred++;
                break;
        }
    }

    /// <summary>The endpoint's answer for the next caller of the queue at <paramref name="now"/>, from the live counts then.</summary>
    ExpectedWaitAnswer Ask(string queue, QueueState s, DateTimeOffset now)
    {
        // The per-minute sums cover the minutes from the one the window starts in to the one under way (LiveReader).
        var first60 = (now - Hour).UtcTicks / MinuteTicks * MinuteTicks;
        var first15 = (now - TimeSpan.FromMinutes(15)).UtcTicks / MinuteTicks * MinuteTicks;
        bool InMinutesFrom(DateTimeOffset at, long first) => at.UtcTicks / MinuteTicks * MinuteTicks >= first;
        Drop(s.Arrivals, a => !InMinutesFrom(a, first60));
        Drop(s.Talk, t => !InMinutesFrom(t.At, first60));
        Drop(s.Answers, a => a.At < now - Hour);
        Drop(s.Abandons, a => !InMinutesFrom(a.At, first60));

        var byStatus = new Dictionary<string, long>(StringComparer.Ordinal);
        long wrappedUp = 0, wrapUpMicros = 0;
        foreach (var (agent, (status, _, served)) in agents)
        {
            if (!served.Contains(queue)) continue;
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            if (!wrapUps.TryGetValue(agent, out var episodes)) continue;
            Drop(episodes, e => !InMinutesFrom(e.End, first60));
            wrappedUp += episodes.Count;
            wrapUpMicros += episodes.Sum(e => e.Micros);
        }

        var counts = new StaffingCounts(
            TimeSpan.FromTicks(now.UtcTicks - first15), TimeSpan.FromTicks(now.UtcTicks - first60),
            s.Arrivals.Count(a => InMinutesFrom(a, first15)), s.Arrivals.Count,
            s.Talk.Count, s.Talk.Sum(t => t.Micros),
            s.Abandons.Sum(a => a.WaitMicros), wrappedUp, wrapUpMicros);
        // The rolling hour [now − 1 h, now] of SPEC §3: answers and their waits, abandons (short ones apart).
        var from = now - Hour;
        var answers = s.Answers.Where(a => a.At >= from).ToList();
        var abandons = s.Abandons.Where(a => a.At >= from).ToList();
        var shortAbandon = Micros(targets.ShortAbandon);
        var m60 = new WindowCounts(from, now, new FigureCounts
        {
            Answered = answers.Count, WaitSeconds = answers.Sum(a => a.WaitMicros) / 1e6,
            Abandoned = abandons.Count(a => a.WaitMicros >= shortAbandon), ShortAbandoned = abandons.Count(a => a.WaitMicros < shortAbandon),
        });

        var staffing = StaffingNow.Of(counts, m60, byStatus, targets);
        return ExpectedWaitAnswer.Of(queue, now, s.Waiting.Count, byStatus, staffing, position: null);
    }

    static void Drop<T>(Queue<T> queue, Func<T, bool> old)
    {
        while (queue.TryPeek(out var head) && old(head)) queue.Dequeue();
    }

    static long Micros(TimeSpan span) => span.Ticks / 10;
}

/// <summary>Told against waited, over answered callers: the figures of docs/performance.md, "Expected wait".</summary>
internal sealed class EwtScore
{
    readonly List<(double Error, bool Inside, bool ToldToWait)> scored = [];

    public long Unestimated { get; private set; }
    public long Abandoned { get; set; }
    public long Transferred { get; set; }

    public void Add(ExpectedWaitAnswer? told, TimeSpan wait)
    {
        if (told is not { MeanSeconds: { } mean, LowSeconds: { } low, HighSeconds: { } high })
        {
            Unestimated++;
            return;
        }
        var w = wait.TotalSeconds;
        scored.Add((mean - w, w >= low && w <= high, mean > 0));
    }

    public Figures All() => Figures.Of(scored);

    public Figures ToldToWait() => Figures.Of(scored.Where(s => s.ToldToWait).ToList());

    public sealed record Figures(int Count, double MeanAbsoluteError, double MeanError, double Within30, double InsideRange)
    {
        public static Figures Of(IReadOnlyCollection<(double Error, bool Inside, bool ToldToWait)> s) => s.Count == 0
            ? new(0, double.NaN, double.NaN, double.NaN, double.NaN)
            : new(s.Count, s.Average(x => Math.Abs(x.Error)), s.Average(x => x.Error),
                (double)s.Count(x => Math.Abs(x.Error) <= 30) / s.Count, (double)s.Count(x => x.Inside) / s.Count);
    }
}
