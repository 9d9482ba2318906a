using Queue.Events;
using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>
/// The operators' working days: shifts and breaks planned each day (a little early or late, as people are), an
/// operator free again after a call, a break or the start of a shift, and the status each change sends.
/// </summary>
internal sealed class Shifts(TrafficOptions options, Random random, Timeline timeline, CenterDay day, Operator[] operators, Distributor distributor)
{
    /// <summary>Operators between the start and the end of their shift, on a call, a break or not.</summary>
    public int OnShift { get; private set; }

    public void PlanDay(long d)
    {
        var now = timeline.Now;
        foreach (var op in operators)
        {
            var shiftStart = day.Start(d) + day.Scaled(op.Shift.Start + Draw.Uniform(random, TimeSpan.FromMinutes(-10), TimeSpan.FromMinutes(10))).Ticks;
            var shiftEnd = shiftStart + day.Scaled(ShiftPattern.Length).Ticks;
            if (shiftEnd <= now) continue;
            timeline.At(Math.Max(shiftStart, now), new Happening.ShiftStart(op, shiftEnd));
            foreach (var (offset, length) in ShiftPattern.Breaks)
            {
                var breakAt = shiftStart + day.Scaled(offset + Draw.Uniform(random, TimeSpan.FromMinutes(-15), TimeSpan.FromMinutes(15))).Ticks;
                if (breakAt > now) timeline.At(breakAt, new Happening.BreakStart(op, day.Scaled(length)));
            }
            timeline.At(shiftEnd, new Happening.ShiftEnd(op));
        }
    }

    public void StartShift(Operator op, long end)
    {
        OnShift++;
        op.ShiftEnd = end;
        op.PendingOffline = false;
        if (op.Phase == OperatorPhase.Offline) Ready(op, startsShift: true);
    }

    public void EndShift(Operator op)
    {
        OnShift--;
        if (op.Phase == OperatorPhase.Idle)
        {
            distributor.LeaveIdle(op);
            GoOffline(op);
        }
        else if (op.Phase != OperatorPhase.Offline) op.PendingOffline = true; // after the call or the break
    }

    public void StartBreak(Operator op, TimeSpan length)
    {
        switch (op.Phase)
        {
            case OperatorPhase.Idle:
                distributor.LeaveIdle(op);
                TakeBreak(op, length);
                break;
            case OperatorPhase.Ringing or OperatorPhase.Talking or OperatorPhase.WrapUp:
                op.PendingBreak = length; // taken once the call is wrapped up
                break;
        }
    }

    /// <summary>The operator is free again (a new shift, a break or wrap-up over): offline, on break, or taking calls.</summary>
    public void Ready(Operator op, bool startsShift = false, bool announce = true)
    {
        if (op.PendingOffline || (!startsShift && timeline.Now >= op.ShiftEnd)) { GoOffline(op); return; }
        if (op.PendingBreak is { } length)
        {
            op.PendingBreak = null;
            TakeBreak(op, length);
            return;
        }
        if (announce) Status(op, AgentStatus.Available, startsShift ? op.SkillNames : null);
        distributor.TakeNext(op);
    }

    public void Status(Operator op, AgentStatus status, string[]? queueNames = null, string? reason = null) =>
        timeline.Emit(new EventDocs.AgentStatusChanged($"{options.IdPrefix}-{op.Id}:{++op.StatusCount}", timeline.Stamp, op.Id, Wire.Name(status), queueNames, reason));

    void TakeBreak(Operator op, TimeSpan length)
    {
        op.Phase = OperatorPhase.Break;
        Status(op, AgentStatus.Break, reason: options.BreakReasons ? BreakReason(length) : null);
        timeline.After(length, new Happening.BreakEnd(op));
    }

    void GoOffline(Operator op)
    {
        op.Phase = OperatorPhase.Offline;
        op.PendingOffline = false;
        op.PendingBreak = null;
        Status(op, AgentStatus.Offline);
    }

    string BreakReason(TimeSpan length) => length >= day.Scaled(TimeSpan.FromMinutes(30)) ? "lunch" : "break";
}
