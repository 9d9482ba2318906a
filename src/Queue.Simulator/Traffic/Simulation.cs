using Queue.Events;
using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>
/// A discrete-event simulation of the center. Happenings wait on an agenda ordered by time (then by the order
/// they were planned, so that the stream is deterministic); handling one may emit events at the current time
/// and plan later happenings. Nothing is emitted for a time later than "now", so the stream is in time order.
/// </summary>
internal sealed class Simulation
{
    abstract record Happening;
    sealed record DayPlan(long Day) : Happening;
    sealed record Arrival : Happening;
    sealed record ShiftStart(Operator Operator, long End) : Happening;
    sealed record ShiftEnd(Operator Operator) : Happening;
    sealed record BreakStart(Operator Operator, TimeSpan Length) : Happening;
    sealed record BreakEnd(Operator Operator) : Happening;
    sealed record Connect(Operator Operator, Call Call, int Leg) : Happening;
    sealed record RingOut(Operator Operator, Call Call, int Leg) : Happening;
    sealed record Abandon(Call Call, int Leg) : Happening;
    sealed record TalkEnd(Operator Operator, Call Call) : Happening;
    sealed record WrapEnd(Operator Operator) : Happening;
    sealed record VisitCreate(string VisitId, Call Call) : Happening;
    sealed record VisitClose(string VisitId, bool Cancelled) : Happening;

    sealed class QueueState
    {
        /// <summary>Waiting legs, oldest first. Stale entries (abandoned, or taken) are skipped when read.</summary>
        public Queue<(Call Call, int Leg)> Waiting { get; } = new();

        /// <summary>Idle operators serving this queue, longest idle first.</summary>
        public SortedSet<(long IdleSince, int Operator)> Idle { get; } = [];
    }

    static readonly Resolution[] Resolutions = [Resolution.Resolved, Resolution.FieldVisit, Resolution.Escalated, Resolution.Unresolved];
    static readonly TimeSpan MinRing = TimeSpan.FromSeconds(1);
    static readonly TimeSpan MaxRing = TimeSpan.FromSeconds(6);

    readonly TrafficOptions options;
    readonly Random random;
    readonly Callers callers;
    readonly Operator[] operators;
    readonly QueueState[] queues;
    readonly double[] queueShares;
    readonly PriorityQueue<Happening, (long At, long Seq)> agenda = new();
    readonly List<EventDocs.Event> emitted = [];
    readonly TimeSpan meanGap;
    readonly double maxSurge;
    readonly long start;
    readonly long dayLength;
    readonly long origin;
    long arrivalsUntil = long.MaxValue;
    long planned;
    long now;
    int onShift;
    int calls;
    int visits;

    public Simulation(TrafficOptions options, DateTimeOffset start)
    {
        this.options = options;
        random = new Random(options.Seed);
        callers = new Callers(options, random);
        operators = RosterBuilder.Build(options, random);
        queues = [.. options.Queues.Select(_ => new QueueState())];
        queueShares = [.. options.Queues.Select(q => q.Share)];
        this.start = now = start.UtcTicks;
        // Days are counted from the center's midnight before the start, each 24 h ÷ DaySpeed long.
        dayLength = (long)(TimeSpan.TicksPerDay / options.DaySpeed);
        origin = LocalMidnight(new DateTime(this.start, DateTimeKind.Unspecified).Add(options.CenterOffset).Date);
        // Candidate arrivals come at the rate of the whole roster on shift; each is kept with the share of
        // operators actually on shift (thinning), so the arrival rate follows the shifts through the day.
        var perOperatorPerSecond = options.CallsPerOperatorPerDay / ShiftPattern.Length.TotalSeconds;
        // Surges come on top: candidates at the highest surge's rate, thinned down outside it.
        maxSurge = options.Surges.Count == 0 ? 1 : Math.Max(1, options.Surges.Max(s => s.Factor));
        meanGap = TimeSpan.FromSeconds(1 / (perOperatorPerSecond * options.Operators * maxSurge));
    }

    /// <summary>The events up to <paramref name="end"/>. From <paramref name="arrivalsUntil"/> on no call arrives and no
    /// new day is planned: the calls and visits already begun play out to their end, and then the stream ends.</summary>
    public IEnumerable<EventDocs.Event> Run(DateTimeOffset end, DateTimeOffset? arrivalsUntil = null)
    {
        this.arrivalsUntil = arrivalsUntil?.UtcTicks ?? long.MaxValue;
        var today = (start - origin) / dayLength;
        PlanDay(today - 1);
        PlanDay(today);
        At(DayStart(today + 1), new DayPlan(today + 1));
        At(now + Draw.Exponential(random, meanGap).Ticks, new Arrival());

        while (agenda.TryPeek(out _, out var when) && when.At <= end.UtcTicks)
        {
            var happening = agenda.Dequeue();
            now = when.At;
            Handle(happening);
            foreach (var e in emitted) yield return e;
            emitted.Clear();
        }
    }

    void Handle(Happening happening)
    {
        switch (happening)
        {
            case DayPlan d when now < arrivalsUntil:
                PlanDay(d.Day);
                At(DayStart(d.Day + 1), new DayPlan(d.Day + 1));
                break;
            case Arrival when now < arrivalsUntil:
                if (random.NextDouble() * operators.Length * maxSurge < onShift * SurgeFactor()) NewCall();
                At(now + Draw.Exponential(random, meanGap).Ticks, new Arrival());
                break;
            case ShiftStart s:
                onShift++;
                s.Operator.ShiftEnd = s.End;
                s.Operator.PendingOffline = false;
                if (s.Operator.Phase == OperatorPhase.Offline) Ready(s.Operator, startsShift: true);
                break;
            case ShiftEnd s:
                onShift--;
                EndShift(s.Operator);
                break;
            case BreakStart b:
                StartBreak(b.Operator, b.Length);
                break;
            case BreakEnd b:
                Ready(b.Operator);
                break;
            case Connect c when c.Call.Phase == CallPhase.Ringing && c.Call.Leg == c.Leg && c.Call.Operator == c.Operator:
                Answer(c.Operator, c.Call);
                break;
            case RingOut r when r.Call.Phase == CallPhase.Ringing && r.Call.Leg == r.Leg && r.Call.Operator == r.Operator:
                Miss(r.Operator, r.Call);
                break;
            case Abandon a when a.Call.Leg == a.Leg && a.Call.Phase is CallPhase.Waiting or CallPhase.Ringing:
                GiveUp(a.Call);
                break;
            case TalkEnd t:
                EndTalk(t.Operator, t.Call);
                break;
            case WrapEnd w:
                Ready(w.Operator);
                break;
            case VisitCreate v:
                CreateVisit(v.VisitId, v.Call);
                break;
            case VisitClose v:
                Emit(v.Cancelled
                    ? new EventDocs.VisitCancelled($"{v.VisitId}:cancelled", Now, v.VisitId)
                    : new EventDocs.VisitResolved($"{v.VisitId}:resolved", Now, v.VisitId));
                break;
        }
    }

    // ---- shifts and breaks

    void PlanDay(long day)
    {
        foreach (var op in operators)
        {
            var shiftStart = DayStart(day) + Scaled(op.Shift.Start + Draw.Uniform(random, TimeSpan.FromMinutes(-10), TimeSpan.FromMinutes(10))).Ticks;
            var shiftEnd = shiftStart + Scaled(ShiftPattern.Length).Ticks;
            if (shiftEnd <= now) continue;
            At(Math.Max(shiftStart, now), new ShiftStart(op, shiftEnd));
            foreach (var (offset, length) in ShiftPattern.Breaks)
            {
                var breakAt = shiftStart + Scaled(offset + Draw.Uniform(random, TimeSpan.FromMinutes(-15), TimeSpan.FromMinutes(15))).Ticks;
                if (breakAt > now) At(breakAt, new BreakStart(op, Scaled(length)));
            }
            At(shiftEnd, new ShiftEnd(op));
        }
    }

    void StartBreak(Operator op, TimeSpan length)
    {
        switch (op.Phase)
        {
            case OperatorPhase.Idle:
                LeaveIdle(op);
                TakeBreak(op, length);
                break;
            case OperatorPhase.Ringing or OperatorPhase.Talking or OperatorPhase.WrapUp:
                op.PendingBreak = length; // taken once the call is wrapped up
                break;
        }
    }

    void TakeBreak(Operator op, TimeSpan length)
    {
        op.Phase = OperatorPhase.Break;
        Status(op, AgentStatus.Break, reason: options.BreakReasons ? BreakReason(length) : null);
        At(now + length.Ticks, new BreakEnd(op));
    }

    void EndShift(Operator op)
    {
        if (op.Phase == OperatorPhase.Idle)
        {
            LeaveIdle(op);
            GoOffline(op);
        }
        else if (op.Phase != OperatorPhase.Offline) op.PendingOffline = true; // after the call or the break
    }

    void GoOffline(Operator op)
    {
        op.Phase = OperatorPhase.Offline;
        op.PendingOffline = false;
        op.PendingBreak = null;
        Status(op, AgentStatus.Offline);
    }

    /// <summary>The operator is free again (a new shift, a break or wrap-up over): offline, on break, or taking calls.</summary>
    void Ready(Operator op, bool startsShift = false, bool announce = true)
    {
        if (op.PendingOffline || (!startsShift && now >= op.ShiftEnd)) { GoOffline(op); return; }
        if (op.PendingBreak is { } length)
        {
            op.PendingBreak = null;
            TakeBreak(op, length);
            return;
        }
        if (announce) Status(op, AgentStatus.Available, startsShift ? op.SkillNames : null);
        if (TakeWaiting(op) is { } call) Offer(op, call);
        else
        {
            op.Phase = OperatorPhase.Idle;
            op.IdleSince = now;
            foreach (var q in op.Skills) queues[q].Idle.Add((now, op.Index));
        }
    }

    string BreakReason(TimeSpan length) => length >= Scaled(TimeSpan.FromMinutes(30)) ? "lunch" : "break";

    void LeaveIdle(Operator op)
    {
        foreach (var q in op.Skills) queues[q].Idle.Remove((op.IdleSince, op.Index));
    }

    // ---- calls

    void NewCall()
    {
        var q = Draw.Weighted(random, queueShares);
        var profile = options.Queues[q];
        var caller = callers.Next(profile);
        var call = new Call($"{options.IdPrefix}-c{++calls:D7}", caller);
        Emit(new EventDocs.CallQueued($"{call.Id}:queued", Now, call.Id, profile.Name,
            Maybe(options.RegionShare, caller.Region), Maybe(options.LanguageShare, caller.Language),
            Maybe(options.SegmentShare, caller.Segment), caller.Number));
        StartLeg(call, q);
    }

    void StartLeg(Call call, int q)
    {
        call.Queue = q;
        call.LegStart = now;
        call.Phase = CallPhase.Waiting;
        call.Operator = null;
        var patience = random.NextDouble() < options.ImpatientShare
            ? Draw.Uniform(random, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5))
            : Draw.Exponential(random, options.MeanPatience);
        At(now + patience.Ticks, new Abandon(call, call.Leg));

        var idle = queues[q].Idle;
        if (idle.Count > 0)
        {
            var op = operators[idle.Min.Operator];
            LeaveIdle(op);
            Offer(op, call);
        }
        else queues[q].Waiting.Enqueue((call, call.Leg));
    }

    /// <summary>The oldest waiting leg among the operator's queues, taken off its queue.</summary>
    Call? TakeWaiting(Operator op)
    {
        QueueState? best = null;
        foreach (var q in op.Skills)
        {
            var waiting = queues[q].Waiting;
            while (waiting.TryPeek(out var head) && (head.Call.Phase != CallPhase.Waiting || head.Call.Leg != head.Leg))
                waiting.Dequeue();
            if (waiting.TryPeek(out var candidate) &&
                (best is null || candidate.Call.LegStart < best.Waiting.Peek().Call.LegStart))
                best = queues[q];
        }
        return best?.Waiting.Dequeue().Call;
    }

    void Offer(Operator op, Call call)
    {
        op.Phase = OperatorPhase.Ringing;
        op.Call = call;
        call.Phase = CallPhase.Ringing;
        call.Operator = op;
        // Drawn only when missed offers are asked for: without them the stream is what it always was.
        if (options.MissedOfferShare > 0 && random.NextDouble() < options.MissedOfferShare)
            At(now + options.RingTimeout.Ticks, new RingOut(op, call, call.Leg));
        else At(now + Draw.Uniform(random, MinRing, MaxRing).Ticks, new Connect(op, call, call.Leg));
    }

    /// <summary>The operator let the offer ring out: the call goes to another free operator of its queue, or waits
    /// again; the operator is free for the next call.</summary>
    void Miss(Operator op, Call call)
    {
        Emit(new EventDocs.CallMissed($"{call.Id}:missed.{call.Leg}.{++call.Misses}", Now, call.Id, op.Id, options.RingTimeout.TotalSeconds));
        op.Call = null;
        call.Phase = CallPhase.Waiting;
        call.Operator = null;
        var idle = queues[call.Queue].Idle;
        if (idle.Count > 0)
        {
            var other = operators[idle.Min.Operator];
            LeaveIdle(other);
            Offer(other, call);
        }
        else queues[call.Queue].Waiting.Enqueue((call, call.Leg));
        Ready(op, announce: false);
    }

    void Answer(Operator op, Call call)
    {
        call.Phase = CallPhase.Talking;
        op.Phase = OperatorPhase.Talking;
        Emit(new EventDocs.CallAnswered($"{call.Id}:answered.{call.Leg}", Now, call.Id, op.Id));
        Status(op, AgentStatus.Busy);
        var talk = Draw.LogNormal(random, options.MeanTalk, 0.7);
        talk = TimeSpan.FromTicks(Math.Clamp(talk.Ticks, TimeSpan.FromSeconds(20).Ticks, TimeSpan.FromMinutes(40).Ticks));
        At(now + talk.Ticks, new TalkEnd(op, call));
    }

    void GiveUp(Call call)
    {
        if (call.Phase == CallPhase.Ringing && call.Operator is { } op)
        {
            // The caller hung up while it rang: the operator never had the call and stays available.
            op.Call = null;
            Ready(op, announce: false);
        }
        call.Phase = CallPhase.Done;
        Emit(new EventDocs.CallAbandoned($"{call.Id}:abandoned.{call.Leg}", Now, call.Id));
    }

    void EndTalk(Operator op, Call call)
    {
        if (call.Leg == 0 && queues.Length > 1 && random.NextDouble() < options.TransferShare)
        {
            var to = Draw.Weighted(random, [.. queueShares.Select((s, q) => q == call.Queue ? 0 : s)]);
            Emit(new EventDocs.CallTransferred($"{call.Id}:transferred.{call.Leg}", Now, call.Id, options.Queues[to].Name));
            call.Leg++;
            StartLeg(call, to);
        }
        else Complete(call);

        op.Phase = OperatorPhase.WrapUp;
        op.Call = null;
        Status(op, AgentStatus.WrapUp);
        At(now + Draw.Uniform(random, options.MinWrapUp, options.MaxWrapUp).Ticks, new WrapEnd(op));
    }

    void Complete(Call call)
    {
        var mix = options.Queues[call.Queue].Resolutions;
        var resolution = Resolutions[Draw.Weighted(random, [mix.Resolved, mix.FieldVisit, mix.Escalated, mix.Unresolved])];
        string? visitId = null;
        if (resolution == Resolution.FieldVisit)
        {
            visitId = $"{options.IdPrefix}-v{++visits:D7}";
            At(now + Draw.Uniform(random, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2)).Ticks, new VisitCreate(visitId, call));
        }
        call.Phase = CallPhase.Done;
        Emit(new EventDocs.CallCompleted($"{call.Id}:completed", Now, call.Id, Wire.Name(resolution), visitId));
    }

    // ---- field visits

    void CreateVisit(string visitId, Call call)
    {
        Emit(new EventDocs.VisitCreated($"{visitId}:created", Now, visitId, call.Id, call.Caller.Region));
        // Most visits are done within a day, some take two, a few run past the 48 h deadline (up to 60 h).
        var cancelled = random.NextDouble() < options.VisitCancelShare;
        var after = cancelled
            ? Draw.Uniform(random, TimeSpan.FromHours(1), TimeSpan.FromHours(30))
            : random.NextDouble() switch
            {
                var x when x < options.VisitWithin24Share => Draw.Uniform(random, TimeSpan.FromMinutes(20), TimeSpan.FromHours(24)),
                var x when x < 1 - options.VisitPast48Share => Draw.Uniform(random, TimeSpan.FromHours(24), TimeSpan.FromHours(48)),
                _ => Draw.Uniform(random, TimeSpan.FromHours(48), TimeSpan.FromHours(60)),
            };
        At(now + after.Ticks, new VisitClose(visitId, cancelled));
    }

    // ---- plumbing

    void Status(Operator op, AgentStatus status, string[]? queueNames = null, string? reason = null) =>
        Emit(new EventDocs.AgentStatusChanged($"{options.IdPrefix}-{op.Id}:{++op.StatusCount}", Now, op.Id, Wire.Name(status), queueNames, reason));

    string? Maybe(double share, string value) => random.NextDouble() < share ? value : null;

    void Emit(EventDocs.Event e) => emitted.Add(e);

    void At(long ticks, Happening happening) => agenda.Enqueue(happening, (ticks, planned++));

    long LocalMidnight(DateTime localDate) => localDate.Ticks - options.CenterOffset.Ticks;

    long DayStart(long day) => origin + (day * dayLength);

    /// <summary>A time of the center's day as it plays at <see cref="TrafficOptions.DaySpeed"/>.</summary>
    TimeSpan Scaled(TimeSpan time) => options.DaySpeed == 1 ? time : time / options.DaySpeed;

    double SurgeFactor()
    {
        if (options.Surges.Count == 0) return 1;
        var timeOfDay = TimeSpan.FromTicks((long)((((now - origin) % dayLength + dayLength) % dayLength) * options.DaySpeed));
        foreach (var surge in options.Surges)
            if (timeOfDay >= surge.At && timeOfDay < surge.At + surge.Length) return surge.Factor;
        return 1;
    }

    /// <summary>The current time as a source would write it: center time, to the millisecond.</summary>
    DateTimeOffset Now => new DateTimeOffset(now - (now % TimeSpan.TicksPerMillisecond), TimeSpan.Zero).ToOffset(options.CenterOffset);
}
