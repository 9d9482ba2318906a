using System.Text.Json;
using Microsoft.Extensions.Options;
using Queue.EventLog;
using Queue.Events;

namespace Queue.Ingest;

/// <summary>The outcome of validating a batch: its events, or every problem found, keyed <c>[index].field</c>.</summary>
public sealed record ParsedBatch(IReadOnlyList<QueueEvent> Events, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Validates a whole batch against the ingest contract (SPEC §2) and builds the events. Every bad event is
/// reported by index and field; a caller's number is hashed by <see cref="FieldReader"/> and never leaves it in clear.
/// </summary>
internal sealed class EventParser
{
    readonly TimeProvider time;
    readonly IngestOptions limits;
    readonly FieldReader reader;

    public EventParser(CallerHasher hasher, TimeProvider time, IOptions<IngestOptions> options,
        IOptions<RetentionOptions>? retention = null)
    {
        this.time = time;
        limits = options.Value;
        HistoryReach = retention is null
            ? TimeSpan.FromDays(365_000)
            : retention.Value.RawEvents - RetentionOptions.MarginOverLateness;
        reader = new FieldReader(hasher, limits, HistoryReach);
    }

    /// <summary>How far back history may be loaded: what the event log keeps of raw events, less a day.</summary>
    public TimeSpan HistoryReach { get; }

    /// <summary>
    /// Validates a batch. <paramref name="history"/>: the sender may load history (role <c>import</c>): events as old as
    /// the event log keeps raw events, less a day, so that one retention drops is refused again rather than stored
    /// twice (its id forgotten with it); none in the future all the same.
    /// </summary>
    public ParsedBatch Parse(JsonElement root, bool history = false)
    {
        var oldest = time.GetUtcNow() - (history ? HistoryReach : limits.Lateness);
        var errors = new ParseErrors();
        var events = new List<QueueEvent>(root.ValueKind == JsonValueKind.Array ? root.GetArrayLength() : 1);
        var now = time.GetUtcNow();
        if (root.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in root.EnumerateArray())
            {
                var e = ParseOne(item, i++, now, oldest, errors);
                if (e is not null) events.Add(e);
            }
        }
        else
        {
            var e = ParseOne(root, 0, now, oldest, errors);
            if (e is not null) events.Add(e);
        }
        return new ParsedBatch(events, errors.ToDictionary());
    }

    QueueEvent? ParseOne(JsonElement item, int index, DateTimeOffset now, DateTimeOffset oldest, ParseErrors errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(index, "must be a JSON object (an event)");
            return null;
        }

        // First pass: duplicates and the type, which decides the allowed fields. Like TryGetProperty, the last "type" counts.
        var seen = 0;
        HashSet<string>? otherNames = null;
        var duplicated = false;
        JsonElement? typeElement = null;
        foreach (var p in item.EnumerateObject())
        {
            var field = EventSchema.FieldOf(p);
            bool repeated;
            if (field == EventField.Unknown) repeated = !(otherNames ??= new(StringComparer.Ordinal)).Add(p.Name);
            else
            {
                repeated = (seen & EventSchema.Bit(field)) != 0;
                seen |= EventSchema.Bit(field);
                if (field == EventField.Type) typeElement = p.Value;
            }
            if (repeated)
            {
                errors.Add(index, p.Name, "appears more than once in the event; send each field once");
                duplicated = true;
            }
        }
        EventSchema? schema = null;
        if (typeElement is { } typeValue)
        {
            if (typeValue.ValueKind == JsonValueKind.String && FieldReader.Types.TryGet(typeValue, out var t)) schema = EventSchema.Of(t);
            else errors.Add(index, "type", FieldReader.Types.OneOf);
        }
        else errors.Add(index, "type", "is required");

        var values = new FieldValues();
        var ok = true;
        foreach (var p in item.EnumerateObject())
        {
            var field = EventSchema.FieldOf(p);
            if (field == EventField.Type) continue;
            var common = field is EventField.Id or EventField.At;
            if (!common && (field == EventField.Unknown || schema is null || (schema.Allowed & EventSchema.Bit(field)) == 0))
            {
                if (schema is not null) errors.Add(index, p.Name, $"is not a field of {Wire.Name(schema.Type)}");
                else if (field == EventField.Unknown) errors.Add(index, p.Name, "is not a field of any event type");
                ok = false;
                continue;
            }
            if (p.Value.ValueKind == JsonValueKind.Null && !common && (schema!.Required & EventSchema.Bit(field)) == 0)
                continue; // An optional field sent as null is absent.
            var problem = reader.Read(field, schema?.Type, p.Value, now, oldest, ref values);
            if (problem is not null)
            {
                errors.Add(index, EventSchema.Names[(int)field], problem);
                ok = false;
            }
        }

        if ((seen & EventSchema.Bit(EventField.Id)) == 0) { errors.Add(index, "id", "is required"); ok = false; }
        if ((seen & EventSchema.Bit(EventField.At)) == 0) { errors.Add(index, "at", "is required"); ok = false; }
        if (schema is null) return null;
        foreach (var (field, required) in schema.Fields)
        {
            if (required && (seen & EventSchema.Bit(field)) == 0)
            {
                errors.Add(index, EventSchema.Names[(int)field], $"is required for {Wire.Name(schema.Type)}");
                ok = false;
            }
        }
        return ok && !duplicated ? schema.Build(ref values) : null;
    }
}
