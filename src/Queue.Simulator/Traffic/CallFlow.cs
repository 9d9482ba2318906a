using Queue.Events;
using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>
/// A call's way through the center: queued, offered, answered, missed or abandoned, transferred, completed, and the
/// field visit some completions book, resolved or called off hours later. Each step sends its event.
/// </summary>
internal sealed class CallFlow(TrafficOptions options, Random random, Timeline timeline, Shifts shifts, Distributor distributor)
{
    static readonly Resolution[] Resolutions = [Resolution.Resolved, Resolution.FieldVisit, Resolution.Escalated, Resolution.Unresolved];

    readonly Callers callers = new(options, random);
    readonly double[] queueShares = [.. options.Queues.Select(q => q.Share)];
    int calls;
    int visits;

    public void NewCall()
    {
        var q = Draw.Weighted(random, queueShares);
        var profile = options.Queues[q];
        var caller = callers.Next(profile);
        var call = new Call($"{options.IdPrefix}-c{++calls:D7}", caller);
        timeline.Emit(new EventDocs.CallQueued($"{call.Id}:queued", timeline.Stamp, call.Id, profile.Name,
            Maybe(options.RegionShare, caller.Region), Maybe(options.LanguageShare, caller.Language),
            Maybe(options.SegmentShare, caller.Segment), caller.Number));
        StartLeg(call, q);
    }

    public void Answer(Operator op, Call call)
    {
        call.Phase = CallPhase.Talking;
        op.Phase = OperatorPhase.Talking;
        timeline.Emit(new EventDocs.CallAnswered($"{call.Id}:answered.{call.Leg}", timeline.Stamp, call.Id, op.Id));
        shifts.Status(op, AgentStatus.Busy);
        var talk = Draw.LogNormal(random, options.MeanTalk, 0.7);
        talk = TimeSpan.FromTicks(Math.Clamp(talk.Ticks, TimeSpan.FromSeconds(20).Ticks, TimeSpan.FromMinutes(40).Ticks));
        timeline.After(talk, new Happening.TalkEnd(op, call));
    }

    /// <summary>The operator let the offer ring out: the call goes to another free operator of its queue, or waits
    /// again; the operator is free for the next call.</summary>
    public void Miss(Operator op, Call call)
    {
        timeline.Emit(new EventDocs.CallMissed($"{call.Id}:missed.{call.Leg}.{++call.Misses}", timeline.Stamp, call.Id, op.Id, options.RingTimeout.TotalSeconds));
        op.Call = null;
        call.Phase = CallPhase.Waiting;
        call.Operator = null;
        distributor.OfferOrWait(call);
        shifts.Ready(op, announce: false);
    }

    public void GiveUp(Call call)
    {
        if (call.Phase == CallPhase.Ringing && call.Operator is { } op)
        {
            // The caller hung up while it rang: the operator never had the call and stays available.
            op.Call = null;
            shifts.Ready(op, announce: false);
        }
        call.Phase = CallPhase.Done;
        timeline.Emit(new EventDocs.CallAbandoned($"{call.Id}:abandoned.{call.Leg}", timeline.Stamp, call.Id));
    }

    public void EndTalk(Operator op, Call call)
    {
        if (call.Leg == 0 && queueShares.Length > 1 && random.NextDouble() < options.TransferShare)
        {
            var to = Draw.Weighted(random, [.. queueShares.Select((s, q) => q == call.Queue ? 0 : s)]);
            timeline.Emit(new EventDocs.CallTransferred($"{call.Id}:transferred.{call.Leg}", timeline.Stamp, call.Id, options.Queues[to].Name));
            call.Leg++;
            StartLeg(call, to);
        }
        else Complete(call);

        op.Phase = OperatorPhase.WrapUp;
        op.Call = null;
        shifts.Status(op, AgentStatus.WrapUp);
        timeline.After(Draw.Uniform(random, options.MinWrapUp, options.MaxWrapUp), new Happening.WrapEnd(op));
    }

    public void CreateVisit(string visitId, Call call)
    {
        timeline.Emit(new EventDocs.VisitCreated($"{visitId}:created", timeline.Stamp, visitId, call.Id, call.Caller.Region));
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
        timeline.After(after, new Happening.VisitClose(visitId, cancelled));
    }

    public void CloseVisit(string visitId, bool cancelled) =>
        timeline.Emit(cancelled
            ? new EventDocs.VisitCancelled($"{visitId}:cancelled", timeline.Stamp, visitId)
            : new EventDocs.VisitResolved($"{visitId}:resolved", timeline.Stamp, visitId));

    void StartLeg(Call call, int q)
    {
        call.Queue = q;
        call.LegStart = timeline.Now;
        call.Phase = CallPhase.Waiting;
        call.Operator = null;
        var patience = random.NextDouble() < options.ImpatientShare
            ? Draw.Uniform(random, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5))
            : Draw.Exponential(random, options.MeanPatience);
        timeline.After(patience, new Happening.Abandon(call, call.Leg));
        distributor.OfferOrWait(call);
    }

    void Complete(Call call)
    {
        var mix = options.Queues[call.Queue].Resolutions;
        var resolution = Resolutions[Draw.Weighted(random, [mix.Resolved, mix.FieldVisit, mix.Escalated, mix.Unresolved])];
        string? visitId = null;
        if (resolution == Resolution.FieldVisit)
        {
            visitId = $"{options.IdPrefix}-v{++visits:D7}";
            timeline.After(Draw.Uniform(random, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2)), new Happening.VisitCreate(visitId, call));
        }
        call.Phase = CallPhase.Done;
        timeline.Emit(new EventDocs.CallCompleted($"{call.Id}:completed", timeline.Stamp, call.Id, Wire.Name(resolution), visitId));
    }

    string? Maybe(double share, string value) => random.NextDouble() < share ? value : null;
}
