namespace Queue.Simulator.Traffic;

/// <summary>
/// The PBX's call distribution: per queue, the legs waiting (oldest first) and the operators idle (longest idle
/// first); a leg goes to the operator of its queue idle the longest, an operator free again takes the oldest leg
/// waiting in any of their queues, and an offer rings until the operator answers or lets it ring out.
/// </summary>
internal sealed class Distributor(TrafficOptions options, Random random, Timeline timeline, Operator[] operators)
{
    static readonly TimeSpan MinRing = TimeSpan.FromSeconds(1);
    static readonly TimeSpan MaxRing = TimeSpan.FromSeconds(6);

    readonly QueueState[] queues = [.. options.Queues.Select(_ => new QueueState())];

    sealed class QueueState
    {
        /// <summary>Waiting legs, oldest first. Stale entries (abandoned, or taken) are skipped when read.</summary>
        public Queue<(Call Call, int Leg)> Waiting { get; } = new();

        /// <summary>Idle operators serving this queue, longest idle first.</summary>
        public SortedSet<(long IdleSince, int Operator)> Idle { get; } = [];
    }

    /// <summary>The call's current leg rings the longest-idle operator of its queue, or waits for one.</summary>
    public void OfferOrWait(Call call)
    {
        var idle = queues[call.Queue].Idle;
        if (idle.Count > 0)
        {
            var op = operators[idle.Min.Operator];
            LeaveIdle(op);
            Offer(op, call);
        }
        else queues[call.Queue].Waiting.Enqueue((call, call.Leg));
    }

    /// <summary>The operator is free: rung by the oldest leg waiting in their queues, or idle until one comes.</summary>
    public void TakeNext(Operator op)
    {
        if (TakeWaiting(op) is { } call) Offer(op, call);
        else
        {
            op.Phase = OperatorPhase.Idle;
            op.IdleSince = timeline.Now;
            foreach (var q in op.Skills) queues[q].Idle.Add((timeline.Now, op.Index));
        }
    }

    public void LeaveIdle(Operator op)
    {
        foreach (var q in op.Skills) queues[q].Idle.Remove((op.IdleSince, op.Index));
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
            timeline.After(options.RingTimeout, new Happening.RingOut(op, call, call.Leg));
        else timeline.After(Draw.Uniform(random, MinRing, MaxRing), new Happening.Connect(op, call, call.Leg));
    }
}
