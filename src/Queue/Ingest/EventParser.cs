using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
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
/// reported by index and field; a caller's number is hashed here and never leaves this class in clear.
/// </summary>
internal sealed class EventParser(CallerHasher hasher, TimeProvider time, IOptions<IngestOptions> options,
    IOptions<EventLog.RetentionOptions>? retention = null)
{
    const int MaxReportedErrors = 1_000;

    // Every field name of the contract; a name's place here is its Field and its bit in the masks.
    static readonly string[] Names =
        ["id", "type", "at", "callId", "queue", "region", "language", "segment", "caller", "agentId", "toQueue", "resolution", "visitId", "status", "queues",
         "reason", "ringSeconds"];
    static readonly byte[][] Utf8Names = [.. Names.Select(Encoding.UTF8.GetBytes)];

    enum Field
    {
        Unknown = -1, Id, Type, At, CallId, Queue, Region, Language, Segment, Caller, AgentId, ToQueue, Resolution, VisitId, Status, Queues,
        Reason, RingSeconds, Count,
    }

    /// <summary>The longest ring a missed offer may report: a day, in seconds.</summary>
    const double MaxRingSeconds = 86_400;

    // Per type, its fields in the order missing ones are reported, and whether each is required. Id, type and at are common to all.
    static readonly Schema[] Schemas =
    [
        new(EventType.CallQueued, (Field.CallId, true), (Field.Queue, true), (Field.Region, false), (Field.Language, false),
            (Field.Segment, false), (Field.Caller, false)),
        new(EventType.CallAnswered, (Field.CallId, true), (Field.AgentId, true)),
        new(EventType.CallAbandoned, (Field.CallId, true), (Field.Reason, false)),
        new(EventType.CallTransferred, (Field.CallId, true), (Field.ToQueue, true)),
        new(EventType.CallCompleted, (Field.CallId, true), (Field.Resolution, false), (Field.VisitId, false)),
        new(EventType.AgentStatus, (Field.AgentId, true), (Field.Status, true), (Field.Queues, false), (Field.Reason, false)),
        new(EventType.VisitCreated, (Field.VisitId, true), (Field.CallId, false), (Field.Region, false)),
        new(EventType.VisitResolved, (Field.VisitId, true)),
        new(EventType.VisitCancelled, (Field.VisitId, true)),
        new(EventType.CallResolution, (Field.CallId, true), (Field.Resolution, true), (Field.VisitId, false)),
        new(EventType.CallMissed, (Field.CallId, true), (Field.AgentId, true), (Field.RingSeconds, false)),
    ];

    static readonly WireNames<EventType> Types = new(Wire.Types);
    static readonly WireNames<Resolution> Resolutions = new(Wire.Resolutions);
    static readonly WireNames<AgentStatus> Statuses = new(Wire.Statuses);
    static readonly WireNames<AbandonReason> AbandonReasons = new(Wire.AbandonReasons);

    readonly IngestOptions limits = options.Value;

    /// <summary>How far back history may be loaded: what the event log keeps of raw events, less a day.</summary>
    public TimeSpan HistoryReach { get; } = retention is null
        ? TimeSpan.FromDays(365_000)
        : retention.Value.RawEvents - EventLog.RetentionOptions.MarginOverLateness;

    /// <summary>
    /// Validates a batch. <paramref name="history"/>: the sender may load history (role <c>import</c>): events as old as
    /// the event log keeps raw events, less a day, so that one retention drops is refused again rather than stored
    /// twice (its id forgotten with it); none in the future all the same.
    /// </summary>
    public ParsedBatch Parse(JsonElement root, bool history = false)
    {
        var oldest = time.GetUtcNow() - (history ? HistoryReach : limits.Lateness);
        var errors = new Errors();
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

    QueueEvent? ParseOne(JsonElement item, int index, DateTimeOffset now, DateTimeOffset oldest, Errors errors)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"[{index}]", "must be a JSON object (an event)");
            return null;
        }

        // First pass: duplicates and the type, which decides the allowed fields. Like TryGetProperty, the last "type" counts.
        var seen = 0;
        HashSet<string>? otherNames = null;
        var duplicated = false;
        JsonElement? typeElement = null;
        foreach (var p in item.EnumerateObject())
        {
            var field = FieldOf(p);
            bool repeated;
            if (field == Field.Unknown) repeated = !(otherNames ??= new(StringComparer.Ordinal)).Add(p.Name);
            else
            {
                repeated = (seen & Bit(field)) != 0;
                seen |= Bit(field);
                if (field == Field.Type) typeElement = p.Value;
            }
            if (repeated)
            {
                errors.Add(Key(index, p.Name), "appears more than once in the event; send each field once");
                duplicated = true;
            }
        }
        Schema? schema = null;
        if (typeElement is { } typeValue)
        {
            if (typeValue.ValueKind == JsonValueKind.String && Types.TryGet(typeValue, out var t)) schema = Schemas[(int)t];
            else errors.Add(Key(index, "type"), Types.OneOf);
        }
        else errors.Add(Key(index, "type"), "is required");

        var values = new Values();
        var ok = true;
        foreach (var p in item.EnumerateObject())
        {
            var field = FieldOf(p);
            if (field == Field.Type) continue;
            var common = field is Field.Id or Field.At;
            if (!common && (field == Field.Unknown || schema is null || (schema.Allowed & Bit(field)) == 0))
            {
                if (schema is not null) errors.Add(Key(index, p.Name), $"is not a field of {Wire.Name(schema.Type)}");
                else if (field == Field.Unknown) errors.Add(Key(index, p.Name), "is not a field of any event type");
                ok = false;
                continue;
            }
            if (p.Value.ValueKind == JsonValueKind.Null && !common && (schema!.Required & Bit(field)) == 0)
                continue; // An optional field sent as null is absent.
            var problem = Read(field, schema?.Type, p.Value, now, oldest, ref values);
            if (problem is not null)
            {
                errors.Add(Key(index, Names[(int)field]), problem);
                ok = false;
            }
        }

        if ((seen & Bit(Field.Id)) == 0) { errors.Add(Key(index, "id"), "is required"); ok = false; }
        if ((seen & Bit(Field.At)) == 0) { errors.Add(Key(index, "at"), "is required"); ok = false; }
        if (schema is null) return null;
        foreach (var (field, required) in schema.Fields)
        {
            if (required && (seen & Bit(field)) == 0)
            {
                errors.Add(Key(index, Names[(int)field]), $"is required for {Wire.Name(schema.Type)}");
                ok = false;
            }
        }
        return ok && !duplicated ? Build(schema.Type, ref values) : null;
    }

    // Stores a good value in its slot and returns null, or returns what is wrong with it.
    string? Read(Field field, EventType? type, JsonElement v, DateTimeOffset now, DateTimeOffset oldest, ref Values values)
    {
        switch (field)
        {
            case Field.Id:
                var id = v.ValueKind == JsonValueKind.String ? v.GetString()! : null;
                if (id is null || !Identifiers.IsEventId(id)) return "must be a string of 1 to 100 characters, without control characters";
                values.Text[(int)field] = id;
                return null;
            case Field.At:
                if (v.ValueKind != JsonValueKind.String || !Rfc3339.TryParse(v.GetString(), out var instant))
                    return "must be " + Rfc3339.Expected;
                if (instant > now + limits.MaxFuture)
                    return $"is more than {limits.MaxFuture.TotalMinutes:0} minutes in the future";
                if (instant < oldest)
                    return now - oldest == limits.Lateness
                        ? $"is older than the accepted lateness ({limits.Lateness.TotalDays:0.##} days); history is loaded with a key of role import"
                        : $"is older than history can be loaded ({HistoryReach.TotalDays:0.##} days: a day less than the event log keeps raw events, Queue:Retention:RawEvents)";
                values.At = instant;
                return null;
            case Field.Caller:
                // The number is never echoed back, whatever is wrong with it.
                if (v.ValueKind != JsonValueKind.String) return "must be a string (a phone number)";
                // Exchanges send a word for a withheld number: there is then no number to keep.
                if (CallerHasher.IsWithheld(v.GetString()!)) return null;
                var hash = hasher.HashNumber(v.GetString()!);
                if (hash is null) return "must be a phone number: 5 to 20 digits, optionally with a leading +, spaces, dashes and brackets (or anonymous, unknown, restricted, private, unavailable for a withheld number)";
                values.Text[(int)field] = hash;
                return null;
            case Field.Resolution:
                if (v.ValueKind != JsonValueKind.String || !Resolutions.TryGet(v, out var resolution)) return Resolutions.OneOf;
                values.Resolution = resolution;
                return null;
            case Field.Reason when type == EventType.CallAbandoned:
                if (v.ValueKind != JsonValueKind.String || !AbandonReasons.TryGet(v, out var reason)) return AbandonReasons.OneOf;
                values.AbandonReason = reason;
                return null;
            case Field.Reason:
                // A pause or break reason, as the PBX or its agents name it: free text, never a control character.
                var why = v.ValueKind == JsonValueKind.String ? v.GetString()! : null;
                if (why is null || !Identifiers.IsEventId(why)) return "must be a string of 1 to 100 characters, without control characters";
                values.Text[(int)field] = why;
                return null;
            case Field.RingSeconds:
                if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var ring) || !double.IsFinite(ring) || ring is < 0 or > MaxRingSeconds)
                    return $"must be a number of seconds from 0 to {MaxRingSeconds:0}";
                values.RingSeconds = ring;
                return null;
            case Field.Status:
                if (v.ValueKind != JsonValueKind.String || !Statuses.TryGet(v, out values.Status)) return Statuses.OneOf;
                return null;
            case Field.Queues:
                return ReadQueues(v, out values.Queues);
            default:
                var text = v.ValueKind == JsonValueKind.String ? v.GetString()! : null;
                if (text is null || !Identifiers.IsValid(text)) return Identifiers.Rule;
                values.Text[(int)field] = text;
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

    static QueueEvent Build(EventType type, ref Values v)
    {
        var id = v.Text[(int)Field.Id]!;
        var at = v.At;
        var t = v.Text;
        string S(Field field) => t[(int)field]!;
        string? O(Field field) => t[(int)field];
        return type switch
        {
            EventType.CallQueued => new CallQueued(id, at, S(Field.CallId), S(Field.Queue), O(Field.Region), O(Field.Language), O(Field.Segment), O(Field.Caller)),
            EventType.CallAnswered => new CallAnswered(id, at, S(Field.CallId), S(Field.AgentId)),
            EventType.CallAbandoned => new CallAbandoned(id, at, S(Field.CallId), v.AbandonReason),
            EventType.CallTransferred => new CallTransferred(id, at, S(Field.CallId), S(Field.ToQueue)),
            EventType.CallCompleted => new CallCompleted(id, at, S(Field.CallId), v.Resolution, O(Field.VisitId)),
            EventType.CallResolution => new CallResolutionTold(id, at, S(Field.CallId), v.Resolution!.Value, O(Field.VisitId)),
            EventType.CallMissed => new CallMissed(id, at, S(Field.CallId), S(Field.AgentId), v.RingSeconds),
            EventType.AgentStatus => new AgentStatusChanged(id, at, S(Field.AgentId), v.Status, v.Queues, O(Field.Reason)),
            EventType.VisitCreated => new VisitCreated(id, at, S(Field.VisitId), O(Field.CallId), O(Field.Region)),
            EventType.VisitResolved => new VisitResolved(id, at, S(Field.VisitId)),
            EventType.VisitCancelled => new VisitCancelled(id, at, S(Field.VisitId)),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    static int Bit(Field field) => 1 << (int)field;

    // Names are compared as raw UTF-8, without making a string per property. An escaped name ("t\u0079pe")
    // means its unescaped text; such names are rare, so they take the slow way.
    static Field FieldOf(JsonProperty p)
    {
        var name = JsonMarshal.GetRawUtf8PropertyName(p);
        if (name.Contains((byte)'\\')) name = Encoding.UTF8.GetBytes(p.Name);
        for (var f = 0; f < Utf8Names.Length; f++)
        {
            if (name.SequenceEqual(Utf8Names[f])) return (Field)f;
        }
        return Field.Unknown;
    }

    // A hostile field name is cut short in the error key; the JSON writer escapes the rest.
    static string Key(int index, string field) => $"[{index}]." + (field.Length > 100 ? field[..100] + "…" : field);

    sealed record Schema(EventType Type, params (Field Field, bool Required)[] Fields)
    {
        public int Allowed { get; } = Fields.Aggregate(0, (mask, f) => mask | Bit(f.Field));
        public int Required { get; } = Fields.Where(f => f.Required).Aggregate(0, (mask, f) => mask | Bit(f.Field));
    }

    /// <summary>An event's good values so far: text fields by <see cref="Field"/>, the rest by name.</summary>
    struct Values
    {
        public TextFields Text;
        public DateTimeOffset At;
        public Resolution? Resolution;
        public AbandonReason? AbandonReason;
        public double? RingSeconds;
        public AgentStatus Status;
        public List<string>? Queues;
    }

    [InlineArray((int)Field.Count)]
    struct TextFields
    {
        string? first;
    }

    /// <summary>Wire names of an enum, matched against a JSON string without making a string of it.</summary>
    sealed class WireNames<T>(IReadOnlyDictionary<string, T> names)
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

    sealed class Errors
    {
        readonly Dictionary<string, List<string>> items = new(StringComparer.Ordinal);
        int count;

        public void Add(string key, string message)
        {
            if (count++ >= MaxReportedErrors) return;
            if (!items.TryGetValue(key, out var list)) items[key] = list = [];
            if (!list.Contains(message)) list.Add(message);
        }

        public Dictionary<string, string[]> ToDictionary()
        {
            var result = items.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
            if (count > MaxReportedErrors)
                result["batch"] = [$"{count} problems found; the first {MaxReportedErrors} are listed"];
            return result;
        }
    }
}
