using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>
/// A discrete-event simulation of the center. Happenings wait on a <see cref="Timeline"/>; handling one may emit
/// events at the current time and plan later happenings. Calls arrive here; the operators' days are
/// <see cref="Shifts"/>, a call's way through the center is <see cref="CallFlow"/>, and who takes which call is the
/// <see cref="Distributor"/>'s.
/// </summary>
internal sealed class Simulation
{
    readonly Random random;
    readonly Operator[] operators;
    readonly Timeline timeline;
    readonly CenterDay day;
    readonly Shifts shifts;
    readonly CallFlow calls;
    readonly TimeSpan meanGap;
    readonly double maxSurge;
    long arrivalsUntil = long.MaxValue;

    public Simulation(TrafficOptions options, DateTimeOffset start)
    {
        random = new Random(options.Seed);
        operators = RosterBuilder.Build(options, random);
        timeline = new Timeline(start.UtcTicks, options.CenterOffset);
        day = new CenterDay(options, start.UtcTicks);
        var distributor = new Distributor(options, random, timeline, operators);
        shifts = new Shifts(options, random, timeline, day, operators, distributor);
        calls = new CallFlow(options, random, timeline, shifts, distributor);
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
        var today = day.Of(timeline.Now);
        shifts.PlanDay(today - 1);
        shifts.PlanDay(today);
        timeline.At(day.Start(today + 1), new Happening.DayPlan(today + 1));
        timeline.After(Draw.Exponential(random, meanGap), new Happening.Arrival());

        while (timeline.Next(end.UtcTicks, out var happening))
        {
            Handle(happening);
            foreach (var e in timeline.Emitted) yield return e;
        }
    }

    void Handle(Happening happening)
    {
        var now = timeline.Now;
        switch (happening)
        {
            case Happening.DayPlan d when now < arrivalsUntil:
                shifts.PlanDay(d.Day);
                timeline.At(day.Start(d.Day + 1), new Happening.DayPlan(d.Day + 1));
                break;
            case Happening.Arrival when now < arrivalsUntil:
                if (random.NextDouble() * operators.Length * maxSurge < shifts.OnShift * day.SurgeFactor(now)) calls.NewCall();
                timeline.After(Draw.Exponential(random, meanGap), new Happening.Arrival());
                break;
            case Happening.ShiftStart s:
                shifts.StartShift(s.Operator, s.End);
                break;
            case Happening.ShiftEnd s:
                shifts.EndShift(s.Operator);
                break;
            case Happening.BreakStart b:
                shifts.StartBreak(b.Operator, b.Length);
                break;
            case Happening.BreakEnd b:
                shifts.Ready(b.Operator);
                break;
            case Happening.Connect c when c.Call.Phase == CallPhase.Ringing && c.Call.Leg == c.Leg && c.Call.Operator == c.Operator:
                calls.Answer(c.Operator, c.Call);
                break;
            case Happening.RingOut r when r.Call.Phase == CallPhase.Ringing && r.Call.Leg == r.Leg && r.Call.Operator == r.Operator:
                calls.Miss(r.Operator, r.Call);
                break;
            case Happening.Abandon a when a.Call.Leg == a.Leg && a.Call.Phase is CallPhase.Waiting or CallPhase.Ringing:
                calls.GiveUp(a.Call);
                break;
            case Happening.TalkEnd t:
                calls.EndTalk(t.Operator, t.Call);
                break;
            case Happening.WrapEnd w:
                shifts.Ready(w.Operator);
                break;
            case Happening.VisitCreate v:
                calls.CreateVisit(v.VisitId, v.Call);
                break;
            case Happening.VisitClose v:
                calls.CloseVisit(v.VisitId, v.Cancelled);
                break;
        }
    }
}
