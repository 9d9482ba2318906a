using System.Buffers;
using System.Text.Json;

namespace Queue.Live;

/// <summary>
/// A watched snapshot's change, as an <c>Updated</c> message carries it (ADR 0009): the figures that differ from the
/// snapshot numbered <see cref="Base"/>, which the screen holds, so that it then holds the one numbered <see cref="Seq"/>.
/// </summary>
/// <param name="Queue">The queue; null for the center (the whole one, or a team's).</param>
/// <param name="Seq">The number of the snapshot the change makes.</param>
/// <param name="Base">The number of the snapshot it applies to; 0: <see cref="Set"/> is the whole snapshot.</param>
/// <param name="Set">
/// What changed, as the snapshot's JSON has it: each member whose value differs, with its new value (null included);
/// an object that was an object before carries only its own members that changed.
/// </param>
public sealed record SnapshotChange(string? Queue, long Seq, long Base, JsonElement Set);

/// <summary>What a watching screen receives in one message: what changed among what it watches, since the last one.</summary>
/// <param name="Center">The change of the center it watches (the whole one, or its team's), if that changed; null otherwise.</param>
/// <param name="Queues">The change of each of its queues that changed.</param>
public sealed record LiveChanges(SnapshotChange? Center, IReadOnlyList<SnapshotChange> Queues);

/// <summary>Pure: the members of one JSON object that differ from another's, nested objects member by member.</summary>
public static class JsonChanges
{
    /// <summary>
    /// What makes <paramref name="before"/> into <paramref name="after"/> (two objects of the same shape): each member of
    /// <paramref name="after"/> whose value differs, objects on both sides compared member by member. A member only
    /// <paramref name="before"/> has is not told (snapshots have a fixed shape).
    /// </summary>
    public static JsonElement Of(JsonElement before, JsonElement after)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer)) Write(writer, before, after);
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>Whether <paramref name="changes"/> (an object of <see cref="Of"/>) holds no change.</summary>
    public static bool IsEmpty(JsonElement changes) => !changes.EnumerateObject().Any();

    static void Write(Utf8JsonWriter writer, JsonElement before, JsonElement after)
    {
        writer.WriteStartObject();
        foreach (var member in after.EnumerateObject())
        {
            if (!before.TryGetProperty(member.Name, out var old))
            {
                member.WriteTo(writer);
            }
            else if (old.ValueKind == JsonValueKind.Object && member.Value.ValueKind == JsonValueKind.Object)
            {
                if (JsonElement.DeepEquals(old, member.Value)) continue;
                writer.WritePropertyName(member.Name);
                Write(writer, old, member.Value);
            }
            else if (!JsonElement.DeepEquals(old, member.Value))
            {
                member.WriteTo(writer);
            }
        }
        writer.WriteEndObject();
    }
}
