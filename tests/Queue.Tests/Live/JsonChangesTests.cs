using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Queue.Live;

namespace Queue.Tests.Live;

/// <summary>
/// What a screen is sent of a snapshot it holds (<see cref="JsonChanges"/>): applied as the pages apply it, it makes the
/// new snapshot exactly, and it holds nothing that did not change.
/// </summary>
public sealed class JsonChangesTests
{
    // Two objects of one shape: the second is the first with some values changed (to any kind: a figure, null, an object).
    static readonly Gen<(JsonObject Before, JsonObject After)> Pairs = Gen.Int.Select(seed =>
    {
        var random = new Random(seed);
        var before = Tree(random, 3);
        return (before, Changed(random, before, 3));
    });

    [Fact]
    public void Applied_to_the_snapshot_held_the_changes_make_the_new_one() =>
        Pairs.Sample((before, after) =>
        {
            var changes = JsonChanges.Of(Element(before), Element(after));
            var applied = (JsonObject)before.DeepClone();
            Apply(applied, changes);
            return JsonNode.DeepEquals(applied, after);
        }, iter: 2_000);

    [Fact]
    public void The_changes_hold_only_what_differs() =>
        Pairs.Sample((before, after) =>
        {
            var changes = JsonChanges.Of(Element(before), Element(after));
            return OnlyDiffering(Element(before), changes);
        }, iter: 2_000);

    [Fact]
    public void A_snapshot_like_the_one_held_changes_nothing()
    {
        var snapshot = JsonSerializer.SerializeToElement(new { queue = "q", seq = 4, windows = new { m15 = new { answered = 3, asaSeconds = (double?)null } } });
        Assert.True(JsonChanges.IsEmpty(JsonChanges.Of(snapshot, snapshot)));
        var later = JsonSerializer.SerializeToElement(new { queue = "q", seq = 5, windows = new { m15 = new { answered = 3, asaSeconds = (double?)12.5 } } });
        Assert.Equal("""{"seq":5,"windows":{"m15":{"asaSeconds":12.5}}}""", JsonChanges.Of(snapshot, later).GetRawText());
        // A figure that becomes null is told as null, not left out.
        Assert.Equal("""{"seq":4,"windows":{"m15":{"asaSeconds":null}}}""", JsonChanges.Of(later, snapshot).GetRawText());
    }

    // The pages' way (live.ts applyChange): an object into an object member by member, anything else replaced.
    static void Apply(JsonObject into, JsonElement changes)
    {
        foreach (var member in changes.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Object && into[member.Name] is JsonObject inner) Apply(inner, member.Value);
            else into[member.Name] = JsonNode.Parse(member.Value.GetRawText());
        }
    }

    static bool OnlyDiffering(JsonElement before, JsonElement changes)
    {
        foreach (var member in changes.EnumerateObject())
        {
            var old = before.GetProperty(member.Name);
            if (JsonElement.DeepEquals(old, member.Value)) return false;
            if (old.ValueKind == JsonValueKind.Object && member.Value.ValueKind == JsonValueKind.Object && !OnlyDiffering(old, member.Value)) return false;
        }
        return true;
    }

    static JsonElement Element(JsonNode node) => JsonSerializer.SerializeToElement(node);

    static JsonObject Tree(Random random, int depth)
    {
        var tree = new JsonObject();
        foreach (var name in new[] { "a", "b", "c", "d", "e" }.Where(_ => random.Next(4) > 0)) tree[name] = Value(random, depth);
        return tree;
    }

    static JsonNode? Value(Random random, int depth) => random.Next(depth > 0 ? 6 : 5) switch
    {
        0 => null,
        1 => random.Next(-3, 4),
        2 => Math.Round(random.NextDouble() * 10, random.Next(4)),
        3 => random.Next(2) == 0 ? "ok" : "breach",
        4 => random.Next(2) == 0,
        _ => Tree(random, depth - 1),
    };

    static JsonObject Changed(Random random, JsonObject before, int depth)
    {
        var after = new JsonObject();
        foreach (var (name, value) in before)
        {
            after[name] = random.Next(3) switch
            {
                // An object stays an object of the same members, or becomes a figure or null: snapshots keep their shape.
                0 => value is JsonObject ? (random.Next(2) == 0 ? null : random.Next(-3, 4)) : Value(random, depth),
                1 when value is JsonObject inner => Changed(random, inner, depth - 1),
                _ => value?.DeepClone(),
            };
        }
        return after;
    }
}
