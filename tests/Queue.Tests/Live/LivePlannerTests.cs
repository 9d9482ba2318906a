using Queue.Live;
using Queue.Redis;

namespace Queue.Tests.Live;

/// <summary>The plan that replaces stored parts: undo the old, do the new, in few commands, and never go back a version.</summary>
public sealed class LivePlannerTests
{
    static string Key(string name) => "q:" + name;

    static LivePart Part(string entity, long version, params LiveOp[] ops) => new("q", entity, version, 1_000, ops);

    static LivePlan Plan(IReadOnlyList<LivePart> parts, params string?[] stored) => LivePlanner.Apply(Key, "q:parts", "q:expiry", parts, stored);

    static LiveCommand Command(LivePlan plan, string name, string key) => Assert.Single(plan.Commands, c => c.Name == name && c.Key == key);

    [Fact]
    public void A_new_part_adds_its_ops_gathered_per_key_and_is_stored_with_its_expiry()
    {
        var plan = Plan(
            [Part("c:1", 5, LiveOp.SortedSetAdd("answered", "c:1|0", 100), LiveOp.HashIncrement("waitsum", "7", 20)),
             Part("c:2", 6, LiveOp.SortedSetAdd("answered", "c:2|0", 200), LiveOp.HashIncrement("waitsum", "7", 30))],
            null, null);
        Assert.True(plan.Changed);
        Assert.Equal(["100", "c:1|0", "200", "c:2|0"], Command(plan, "ZADD", "q:answered").Args);
        Assert.Equal(["7", "50"], Command(plan, LiveCommand.AddToCounters, "q:waitsum").Args);
        Assert.Equal(["c:1", LivePlanner.Stored(Part("c:1", 5, LiveOp.SortedSetAdd("answered", "c:1|0", 100), LiveOp.HashIncrement("waitsum", "7", 20))), "c:2",
            LivePlanner.Stored(Part("c:2", 6, LiveOp.SortedSetAdd("answered", "c:2|0", 200), LiveOp.HashIncrement("waitsum", "7", 30)))], Command(plan, "HSET", "q:parts").Args);
        Assert.Equal(["1000", "c:1", "1000", "c:2"], Command(plan, "ZADD", "q:expiry").Args);
        Assert.Equal(["", ""], plan.Expected);
    }

    [Fact]
    public void A_newer_part_undoes_the_old_one_first_and_counters_meet_in_one_increment()
    {
        var old = Part("c:1", 5, LiveOp.SortedSetAdd("answered", "c:1|0", 100), LiveOp.HashIncrement("waitsum", "7", 20), LiveOp.SortedSetAdd("insl", "c:1|0", 100));
        var now = Part("c:1", 9, LiveOp.SortedSetAdd("answered", "c:1|0", 160), LiveOp.HashIncrement("waitsum", "7", 45));
        var plan = Plan([now], LivePlanner.Stored(old));
        var removeAt = plan.Commands.ToList().FindIndex(c => c.Name == "ZREM" && c.Key == "q:answered");
        var addAt = plan.Commands.ToList().FindIndex(c => c.Name == "ZADD" && c.Key == "q:answered");
        Assert.InRange(removeAt, 0, addAt - 1); // the member moves: removed, then added with its new score
        Assert.Equal(["c:1|0"], Command(plan, "ZREM", "q:insl").Args);
        Assert.Equal(["7", "25"], Command(plan, LiveCommand.AddToCounters, "q:waitsum").Args);
        Assert.Equal([LivePlanner.Stored(old)], plan.Expected);
    }

    [Fact]
    public void An_older_part_or_the_same_part_again_changes_nothing()
    {
        var stored = Part("c:1", 9, LiveOp.SortedSetAdd("answered", "c:1|0", 100));
        Assert.True(Plan([Part("c:1", 5, LiveOp.SortedSetAdd("answered", "c:1|0", 50))], LivePlanner.Stored(stored)).IsEmpty);
        Assert.True(Plan([stored], LivePlanner.Stored(stored)).IsEmpty);

        // The same ops at a higher version: only the stored version moves.
        var again = Plan([stored with { Version = 12 }], LivePlanner.Stored(stored));
        Assert.False(again.Changed);
        Assert.DoesNotContain(again.Commands, c => c.Key == "q:answered");
        Assert.Contains(again.Commands, c => c.Name == "HSET" && c.Key == "q:parts");
    }

    [Fact]
    public void A_counter_undone_to_nothing_sends_no_increment_and_a_tombstone_keeps_its_version()
    {
        var old = Part("c:1", 5, LiveOp.HashIncrement("waitsum", "7", 20));
        var plan = Plan([Part("c:1", 6)], LivePlanner.Stored(old));
        Assert.Equal(["7", "-20"], Command(plan, LiveCommand.AddToCounters, "q:waitsum").Args);
        var moved = Plan([Part("c:1", 7, LiveOp.HashIncrement("waitsum", "7", 20))], LivePlanner.Stored(old));
        Assert.DoesNotContain(moved.Commands, c => c.Key == "q:waitsum");
        Assert.Equal("6|[]", Command(plan, "HSET", "q:parts").Args[1]);
    }

    [Fact]
    public void Removing_aged_parts_undoes_them_and_deletes_them()
    {
        var old = Part("v:1", 5, LiveOp.SortedSetAdd("due24", "v:1", 100), LiveOp.HashSet("waitinfo", "v:1", "{}"));
        var plan = LivePlanner.Remove(Key, "q:parts", "q:expiry", ["v:1", "v:gone"], [LivePlanner.Stored(old), null]);
        Assert.Equal(["v:1"], Command(plan, "ZREM", "q:due24").Args);
        Assert.Equal(["v:1"], Command(plan, "HDEL", "q:waitinfo").Args);
        Assert.Equal(["v:1", "v:gone"], Command(plan, "HDEL", "q:parts").Args);
        Assert.Equal(["v:1", "v:gone"], Command(plan, "ZREM", "q:expiry").Args);
        Assert.Equal([LivePlanner.Stored(old), ""], plan.Expected);
    }

    [Fact]
    public void A_part_of_the_same_version_with_other_ops_replaces_the_stored_one_only_when_thresholds_changed()
    {
        var counted = Part("c:1", 5, LiveOp.HashIncrement("quarters", "9:a", 1), LiveOp.HashIncrement("quarters", "9:s", 1));
        var recounted = Part("c:1", 5, LiveOp.HashIncrement("quarters", "9:a", 1));
        Assert.True(Plan([recounted], LivePlanner.Stored(counted)).IsEmpty);

        var plan = LivePlanner.Apply(Key, "q:parts", "q:expiry", [recounted], [LivePlanner.Stored(counted)], replaceEqual: true);
        Assert.True(plan.Changed);
        Assert.Equal(["9:s", "-1"], Command(plan, LiveCommand.AddToCounters, "q:quarters").Args);
        Assert.Equal(["c:1", LivePlanner.Stored(recounted)], Command(plan, "HSET", "q:parts").Args);

        // The same ops again: nothing to do. An older version: never, whatever the thresholds.
        Assert.True(LivePlanner.Apply(Key, "q:parts", "q:expiry", [recounted], [LivePlanner.Stored(recounted)], replaceEqual: true).Commands
            .All(c => c.Key == "q:parts" || c.Key == "q:expiry"));
        Assert.True(LivePlanner.Apply(Key, "q:parts", "q:expiry", [recounted], [LivePlanner.Stored(counted with { Version = 6 })], replaceEqual: true).IsEmpty);
    }
}
