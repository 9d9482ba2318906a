using Queue.Events;

namespace Queue.Tests.Calls;

/// <summary>Worked examples of a call's events → its legs (SPEC §2–3). Pure: no database, no clock.</summary>
public sealed class CallFoldTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(5));

    static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    static CallQueued Queued(string id, double at, string queue = "b2c", string? region = null) =>
        new(id, At(at), "c1", queue, region, null, null, null);

    static CallAnswered Answered(string id, double at, string agent = "ag1") => new(id, At(at), "c1", agent);

    static CallAbandoned Abandoned(string id, double at) => new(id, At(at), "c1");

    static CallTransferred Transferred(string id, double at, string toQueue) => new(id, At(at), "c1", toQueue);

    static CallCompleted Completed(string id, double at, Resolution resolution, string? visitId = null) =>
        new(id, At(at), "c1", resolution, visitId);

    [Fact]
    public void Transfer_then_answer_gives_two_legs_each_with_its_own_outcome_and_wait()
    {
        var call = CallFold.Fold([Queued("e1", 0), Transferred("e2", 20, "b2b"), Answered("e3", 32, "ag7")]);

        Assert.Equal([new Leg("b2c", At(0), At(20), LegOutcome.Transferred), new Leg("b2b", At(20), At(32), LegOutcome.Answered, "ag7")], call.Legs);
        Assert.Null(call.Legs[0].Wait);
        Assert.Equal(TimeSpan.FromSeconds(12), call.Legs[1].Wait);
        Assert.Equal("b2b", call.LastQueue);
    }

    [Fact]
    public void Answer_arriving_before_its_queued_event_still_waits_from_the_queued_instant()
    {
        var call = CallFold.Fold([Answered("e2", 30), Queued("e1", 0)]);

        var leg = Assert.Single(call.Legs);
        Assert.Equal(LegOutcome.Answered, leg.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), leg.Wait);
    }

    [Fact]
    public void Every_arrival_order_with_duplicates_gives_the_same_state()
    {
        CallEvent[] events =
        [
            Queued("e1", 0, region: "ural"), Transferred("e2", 15, "b2b"), Answered("e3", 40), Completed("e4", 300, Resolution.FieldVisit, "v1"),
        ];
        var expected = CallFold.Fold(events);

        foreach (var order in Permutations(events))
        {
            var call = CallFold.Fold([.. order, order[0], order[^1]]);
            Assert.Equal(expected.Legs, call.Legs);
            Assert.Equal(["b2b", "b2c"], call.Seen);
            Assert.Equal(expected with { Legs = call.Legs, QueuesSeen = call.QueuesSeen }, call);
        }
    }

    [Fact]
    public void At_one_instant_queued_comes_before_transferred_and_transferred_before_answered()
    {
        // All at t=0: the call is queued, moved at once, and answered in the new queue without waiting.
        var call = CallFold.Fold([Answered("e3", 0), Transferred("e2", 0, "b2b"), Queued("e1", 0)]);

        Assert.Equal([LegOutcome.Transferred, LegOutcome.Answered], call.Legs.Select(l => l.Outcome));
        Assert.Equal("b2b", call.Legs[1].Queue);
        Assert.Equal(TimeSpan.Zero, call.Legs[1].Wait);
    }

    [Fact]
    public void Answered_and_abandoned_at_one_instant_is_an_answer()
    {
        var call = CallFold.Fold([Queued("e1", 0), Abandoned("e2", 9), Answered("e3", 9)]);

        Assert.Equal(LegOutcome.Answered, Assert.Single(call.Legs).Outcome);
    }

    [Fact]
    public void Two_answers_at_one_instant_are_ordered_by_id_byte_by_byte()
    {
        // 'B' (0x42) sorts before 'a' (0x61) by ordinal, though not in a dictionary: the first answer stands.
        var call = CallFold.Fold([Queued("e1", 0), Answered("a-2", 10, "ag-a"), Answered("B-2", 10, "ag-B")]);

        Assert.Equal("ag-B", Assert.Single(call.Legs).AgentId);
    }

    [Fact]
    public void A_second_queued_while_waiting_is_the_same_wait_and_only_fills_missing_details()
    {
        var call = CallFold.Fold([Queued("e1", 0, "b2c"), Queued("e2", 5, "b2b", region: "ural"), Answered("e3", 40)]);

        var leg = Assert.Single(call.Legs);
        Assert.Equal("b2c", leg.Queue);
        Assert.Equal(TimeSpan.FromSeconds(40), leg.Wait);
        Assert.Equal("ural", call.Region);
    }

    [Fact]
    public void A_transfer_after_the_answer_starts_a_new_waiting_leg()
    {
        var call = CallFold.Fold([Queued("e1", 0), Answered("e2", 10), Transferred("e3", 70, "b2b")]);

        Assert.Equal([new Leg("b2c", At(0), At(10), LegOutcome.Answered, "ag1"), new Leg("b2b", At(70))], call.Legs);
        Assert.Equal(call.Legs[1], call.OpenLeg);
    }

    [Fact]
    public void Only_the_first_completion_in_source_order_counts()
    {
        var call = CallFold.Fold([
            Queued("e1", 0), Answered("e2", 10), Completed("e4", 200, Resolution.Escalated), Completed("e3", 100, Resolution.Resolved, "v1"),
        ]);

        Assert.Equal(At(100), call.CompletedAt);
        Assert.Equal(Resolution.Resolved, call.Resolution);
        Assert.Equal("v1", call.VisitId);
    }

    static IEnumerable<T[]> Permutations<T>(T[] items) =>
        items.Length <= 1
            ? [items]
            : items.SelectMany((first, i) => Permutations([.. items[..i], .. items[(i + 1)..]]).Select(rest => (T[])[first, .. rest]));
}
