using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>Something the simulation plans for a later time: the timeline holds them in time order.</summary>
internal abstract record Happening
{
    public sealed record DayPlan(long Day) : Happening;
    public sealed record Arrival : Happening;
    public sealed record ShiftStart(Operator Operator, long End) : Happening;
    public sealed record ShiftEnd(Operator Operator) : Happening;
    public sealed record BreakStart(Operator Operator, TimeSpan Length) : Happening;
    public sealed record BreakEnd(Operator Operator) : Happening;
    public sealed record Connect(Operator Operator, Call Call, int Leg) : Happening;
    public sealed record RingOut(Operator Operator, Call Call, int Leg) : Happening;
    public sealed record Abandon(Call Call, int Leg) : Happening;
    public sealed record TalkEnd(Operator Operator, Call Call) : Happening;
    public sealed record WrapEnd(Operator Operator) : Happening;
    public sealed record VisitCreate(string VisitId, Call Call) : Happening;
    public sealed record VisitClose(string VisitId, bool Cancelled) : Happening;
}

/// <summary>
/// The simulation's time: "now", the happenings planned for later (ordered by time, then by the order they were
/// planned, so that the stream is deterministic), and the events emitted at "now". Nothing is emitted for a time
/// later than "now", so the stream is in time order.
/// </summary>
internal sealed class Timeline(long start, TimeSpan centerOffset)
{
    readonly PriorityQueue<Happening, (long At, long Seq)> agenda = new();
    readonly List<EventDocs.Event> emitted = [];
    long planned;

    /// <summary>Now, in UTC ticks.</summary>
    public long Now { get; private set; } = start;

    /// <summary>Now as a source would write it: center time, to the millisecond.</summary>
    public DateTimeOffset Stamp => new DateTimeOffset(Now - (Now % TimeSpan.TicksPerMillisecond), TimeSpan.Zero).ToOffset(centerOffset);

    public IReadOnlyList<EventDocs.Event> Emitted => emitted;

    public void At(long ticks, Happening happening) => agenda.Enqueue(happening, (ticks, planned++));

    public void After(TimeSpan delay, Happening happening) => At(Now + delay.Ticks, happening);

    public void Emit(EventDocs.Event e) => emitted.Add(e);

    /// <summary>Moves now to the next happening, if one is planned up to <paramref name="end"/>; what was emitted before is cleared.</summary>
    public bool Next(long end, out Happening happening)
    {
        emitted.Clear();
        if (agenda.TryPeek(out _, out var when) && when.At <= end)
        {
            happening = agenda.Dequeue();
            Now = when.At;
            return true;
        }
        happening = null!;
        return false;
    }
}
