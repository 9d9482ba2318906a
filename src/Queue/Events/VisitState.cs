
namespace Queue.Events;

/// <summary>
/// The state of one field visit. It ends at its first terminal event (resolved or cancelled) in source order;
/// later terminal events change nothing.
/// </summary>
public sealed record VisitState(
    DateTimeOffset? CreatedAt = null,
    string? CallId = null,
    string? Region = null,
    DateTimeOffset? ResolvedAt = null,
    DateTimeOffset? CancelledAt = null)
{
    public static readonly TimeSpan Deadline24 = TimeSpan.FromHours(24);
    public static readonly TimeSpan Deadline48 = TimeSpan.FromHours(48);

    public static readonly VisitState Empty = new();

    public DateTimeOffset? Due24 => CreatedAt + Deadline24;
    public DateTimeOffset? Due48 => CreatedAt + Deadline48;
    public bool IsClosed => ResolvedAt is not null || CancelledAt is not null;
}

public static class VisitFold
{
    public static VisitState Fold(IEnumerable<VisitEvent> events) =>
        events.DistinctBy(e => e.Id).Order(VisitEvent.SourceOrder).Aggregate(VisitState.Empty, Apply);

    static VisitState Apply(VisitState visit, VisitEvent e) => e switch
    {
        VisitCreated c when visit.CreatedAt is null => visit with { CreatedAt = c.At, CallId = c.CallId, Region = c.Region },
        VisitResolved r when !visit.IsClosed => visit with { ResolvedAt = r.At },
        VisitCancelled x when !visit.IsClosed => visit with { CancelledAt = x.At },
        _ => visit,
    };
}
