using Queue.Events;

namespace Queue.Tests.Visits;

/// <summary>Worked examples of a visit's events → its deadlines and outcome (SPEC §2–3). Pure: no database, no clock.</summary>
public sealed class VisitFoldTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(5));

    static DateTimeOffset At(double hours) => T0.AddHours(hours);

    static VisitCreated Created(string id, double at, string? callId = "c1") => new(id, At(at), "v1", callId, "ural");

    static VisitResolved Resolved(string id, double at) => new(id, At(at), "v1");

    static VisitCancelled Cancelled(string id, double at) => new(id, At(at), "v1");

    [Fact]
    public void Deadlines_are_24_and_48_hours_after_creation()
    {
        var visit = VisitFold.Fold([Created("e1", 0)]);

        Assert.Equal(At(24), visit.Due24);
        Assert.Equal(At(48), visit.Due48);
        Assert.False(visit.IsClosed);
    }

    [Fact]
    public void Resolved_then_cancelled_stays_resolved()
    {
        var visit = VisitFold.Fold([Cancelled("e3", 30), Created("e1", 0), Resolved("e2", 24)]);

        Assert.Equal(At(24), visit.ResolvedAt);
        Assert.Null(visit.CancelledAt);
    }

    [Fact]
    public void Cancelled_then_resolved_stays_cancelled()
    {
        var visit = VisitFold.Fold([Resolved("e3", 30), Created("e1", 0), Cancelled("e2", 2)]);

        Assert.Equal(At(2), visit.CancelledAt);
        Assert.Null(visit.ResolvedAt);
    }

    [Fact]
    public void Resolved_and_cancelled_at_one_instant_is_resolved()
    {
        var visit = VisitFold.Fold([Created("e1", 0), Cancelled("a-2", 24), Resolved("z-2", 24)]);

        Assert.Equal(At(24), visit.ResolvedAt);
        Assert.Null(visit.CancelledAt);
    }

    [Fact]
    public void A_second_created_moves_neither_the_deadlines_nor_the_call()
    {
        var visit = VisitFold.Fold([Created("e2", 5, callId: null), Created("e1", 0), Created("e1", 0)]);

        Assert.Equal(At(0), visit.CreatedAt);
        Assert.Equal("c1", visit.CallId);
        Assert.Equal(At(24), visit.Due24);
    }
}
