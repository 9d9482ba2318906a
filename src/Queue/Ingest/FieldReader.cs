using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Queue.EventLog;
using Queue.Events;

namespace Queue.Ingest;

/// <summary>
/// Reads one field's JSON value against its rule: a good value is kept in its slot, anything else is described.
/// A caller's number is hashed here and never kept, nor echoed, in clear.
/// </summary>
internal sealed class FieldReader(CallerHasher hasher, IngestOptions limits, TimeSpan historyReach)
{
    /// <summary>The longest ring a missed offer may report: a day, in seconds.</summary>
    const double MaxRingSeconds = 86_400;

    public static readonly WireNames<EventType> Types = new(Wire.Types);
    static readonly WireNames<Resolution> Resolutions = new(Wire.Resolutions);
    static readonly WireNames<AgentStatus> Statuses = new(Wire.Statuses);
    static readonly WireNames<AbandonReason> AbandonReasons = new(Wire.AbandonReasons);

    /// <summary>Stores a good value in its slot and returns null, or returns what is wrong with it.</summary>
    public string? Read(EventField field, EventType? type, JsonElement v, DateTimeOffset now, DateTimeOffset oldest, ref FieldValues values)
    {
        switch (field)
        {
            case EventField.At:
                if (v.ValueKind != JsonValueKind.String || !Rfc3339.TryParse(v.GetString(), out var instant))
                    return "must be " + Rfc3339.Expected;
                if (instant > now + limits.MaxFuture)
                    return $"is more than {limits.MaxFuture.TotalMinutes:0} minutes in the future";
                if (instant < oldest)
                    return now - oldest == limits.Lateness
                        ? $"is older than the accepted lateness ({limits.Lateness.TotalDays:0.##} days); history is loaded with a key of role import"
                        : $"is older than history can be loaded ({historyReach.TotalDays:0.##} days: a day less than the event log keeps raw events, Queue:Retention:RawEvents)";
                values.At = instant;
                return null;
            case EventField.Caller:
                // The number is never echoed back, whatever is wrong with it.
                if (v.ValueKind != JsonValueKind.String) return "must be a string (a phone number)";
                // Exchanges send a word for a withheld number: there is then no number to keep.
                if (CallerHasher.IsWithheld(v.GetString()!)) return null;
                var hash = hasher.HashNumber(v.GetString()!);
                if (hash is null) return "must be a phone number: 5 to 20 digits, optionally with a leading +, spaces, dashes and brackets (or anonymous, unknown, restricted, private, unavailable for a withheld number)";
                values.Text[(int)field] = hash;
                return null;
            case EventField.Resolution:
                if (v.ValueKind != JsonValueKind.String || !Resolutions.TryGet(v, out var resolution)) return Resolutions.OneOf;
                values.Resolution = resolution;
                return null;
            case EventField.Reason when type == EventType.CallAbandoned:
                if (v.ValueKind != JsonValueKind.String || !AbandonReasons.TryGet(v, out var reason)) return AbandonReasons.OneOf;
                values.AbandonReason = reason;
                return null;
            case EventField.Id or EventField.Reason:
                // An event's id, or a pause or break reason as the PBX or its agents name it: free text, never a control character.
                var text = v.ValueKind == JsonValueKind.String ? v.GetString()! : null;
                if (text is null || !Identifiers.IsEventId(text)) return "must be a string of 1 to 100 characters, without control characters";
                values.Text[(int)field] = text;
                return null;
            case EventField.RingSeconds:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var ring) || !double.IsFinite(ring) || ring is < 0 or > MaxRingSeconds)
                    return $"must be a number of seconds from 0 to {MaxRingSeconds:0}";
                values.RingSeconds = ring;
                return null;
            case EventField.Status:
                if (v.ValueKind != JsonValueKind.String || !Statuses.TryGet(v, out values.Status)) return Statuses.OneOf;
                return null;
            case EventField.Queues:
                return ReadQueues(v, out values.Queues);
            default:
                var identifier = v.ValueKind == JsonValueKind.String ? v.GetString()! : null;
                if (identifier is null || !Identifiers.IsValid(identifier)) return Identifiers.Rule;
                values.Text[(int)field] = identifier;
                return null;
        }
    }

    static string? ReadQueues(JsonElement v, out List<string>? queues)
    {
        queues = null;
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() > 100)
            return "must be an array of at most 100 queue identifiers";
        var list = new List<string>(v.GetArrayLength());
        foreach (var q in v.EnumerateArray())
        {
            var queue = q.ValueKind == JsonValueKind.String ? q.GetString()! : null;
            if (queue is null || !Identifiers.IsValid(queue))
                return "must be an array of queue identifiers; each " + Identifiers.Rule;
            if (!list.Contains(queue, StringComparer.Ordinal)) list.Add(queue);
        }
        list.Sort(StringComparer.Ordinal);
        queues = list;
        return null;
    }
}

/// <summary>An event's good values so far: text fields by <see cref="EventField"/>, the rest by name.</summary>
internal struct FieldValues
{
    public TextFields Text;
    public DateTimeOffset At;
    public Resolution? Resolution;
    public AbandonReason? AbandonReason;
    public double? RingSeconds;
    public AgentStatus Status;
    public List<string>? Queues;
}

[InlineArray((int)EventField.Count)]
internal struct TextFields
{
    string? first;
}

/// <summary>Wire names of an enum, matched against a JSON string without making a string of it.</summary>
internal sealed class WireNames<T>(IReadOnlyDictionary<string, T> names)
{
    readonly (byte[] Name, T Value)[] entries = [.. names.Select(p => (Encoding.UTF8.GetBytes(p.Key), p.Value))];

    public string OneOf { get; } = "must be one of: " + string.Join(", ", names.Keys);

    public bool TryGet(JsonElement text, out T value)
    {
        foreach (var (name, v) in entries)
        {
            if (text.ValueEquals(name)) { value = v; return true; }
        }
        value = default!;
        return false;
    }
}
