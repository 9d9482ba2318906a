using System.Text.Json;
using Microsoft.Extensions.Options;

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
internal sealed class EventParser(CallerHasher hasher, TimeProvider time, IOptions<IngestOptions> options)
{
    const int MaxReportedErrors = 1_000;

    enum Kind { Id, Type, At, Identifier, Caller, Resolution, Status, Queues }

    static readonly Dictionary<string, Kind> Common = new(StringComparer.Ordinal)
    {
        ["id"] = Kind.Id, ["type"] = Kind.Type, ["at"] = Kind.At,
    };

    // Per type: field → (kind, required). Common fields are checked for every type.
    static readonly Dictionary<EventType, Dictionary<string, (Kind Kind, bool Required)>> Fields = new()
    {
        [EventType.CallQueued] = new(StringComparer.Ordinal)
        {
            ["callId"] = (Kind.Identifier, true), ["queue"] = (Kind.Identifier, true),
            ["region"] = (Kind.Identifier, false), ["language"] = (Kind.Identifier, false),
            ["segment"] = (Kind.Identifier, false), ["caller"] = (Kind.Caller, false),
        },
        [EventType.CallAnswered] = new(StringComparer.Ordinal) { ["callId"] = (Kind.Identifier, true), ["agentId"] = (Kind.Identifier, true) },
        [EventType.CallAbandoned] = new(StringComparer.Ordinal) { ["callId"] = (Kind.Identifier, true) },
        [EventType.CallTransferred] = new(StringComparer.Ordinal) { ["callId"] = (Kind.Identifier, true), ["toQueue"] = (Kind.Identifier, true) },
        [EventType.CallCompleted] = new(StringComparer.Ordinal)
        {
            ["callId"] = (Kind.Identifier, true), ["resolution"] = (Kind.Resolution, true), ["visitId"] = (Kind.Identifier, false),
        },
        [EventType.AgentStatus] = new(StringComparer.Ordinal)
        {
            ["agentId"] = (Kind.Identifier, true), ["status"] = (Kind.Status, true), ["queues"] = (Kind.Queues, false),
        },
        [EventType.VisitCreated] = new(StringComparer.Ordinal)
        {
            ["visitId"] = (Kind.Identifier, true), ["callId"] = (Kind.Identifier, false), ["region"] = (Kind.Identifier, false),
        },
        [EventType.VisitResolved] = new(StringComparer.Ordinal) { ["visitId"] = (Kind.Identifier, true) },
        [EventType.VisitCancelled] = new(StringComparer.Ordinal) { ["visitId"] = (Kind.Identifier, true) },
    };

    readonly IngestOptions limits = options.Value;

    public ParsedBatch Parse(JsonElement root)
    {
        var errors = new Errors();
        var events = new List<QueueEvent>();
        var now = time.GetUtcNow();
        if (root.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in root.EnumerateArray())
            {
                var e = ParseOne(item, i++, now, errors);
                if (e is not null) events.Add(e);
            }
        }
        else
        {
            var e = ParseOne(root, 0, now, errors);
            if (e is not null) events.Add(e);
        }
        return new ParsedBatch(events, errors.ToDictionary());
    }

    QueueEvent? ParseOne(JsonElement item, int index, DateTimeOffset now, Errors errors)
    {
        var at = $"[{index}]";
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(at, "must be a JSON object (an event)");
            return null;
        }

        // First pass: duplicates and the type, which decides the allowed fields.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        EventType? type = null;
        foreach (var p in item.EnumerateObject())
        {
            if (!seen.Add(p.Name)) errors.Add(Key(at, p.Name), "appears more than once in the event; send each field once");
        }
        if (item.TryGetProperty("type", out var typeElement))
        {
            if (typeElement.ValueKind == JsonValueKind.String && Wire.Types.TryGetValue(typeElement.GetString()!, out var t)) type = t;
            else errors.Add(at + ".type", "must be one of: " + string.Join(", ", Wire.Types.Keys));
        }
        else errors.Add(at + ".type", "is required");

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var ok = true;
        foreach (var p in item.EnumerateObject())
        {
            if (p.Name == "type") continue;
            Kind kind;
            if (Common.TryGetValue(p.Name, out var common)) kind = common;
            else if (type is { } known && Fields[known].TryGetValue(p.Name, out var spec)) kind = spec.Kind;
            else
            {
                if (type is { } k) errors.Add(Key(at, p.Name), $"is not a field of {Wire.Name(k)}");
                else if (!Fields.Values.Any(f => f.ContainsKey(p.Name))) errors.Add(Key(at, p.Name), "is not a field of any event type");
                ok = false;
                continue;
            }
            if (p.Value.ValueKind == JsonValueKind.Null && kind is not (Kind.Id or Kind.At) && !(type is { } tt && Fields[tt][p.Name].Required))
                continue; // An optional field sent as null is absent.
            var (value, problem) = Read(kind, p.Value, now);
            if (problem is not null)
            {
                errors.Add(Key(at, p.Name), problem);
                ok = false;
            }
            else values[p.Name] = value;
        }

        if (!item.TryGetProperty("id", out _)) { errors.Add(at + ".id", "is required"); ok = false; }
        if (!item.TryGetProperty("at", out _)) { errors.Add(at + ".at", "is required"); ok = false; }
        if (type is not { } eventType) return null;
        foreach (var (name, spec) in Fields[eventType])
        {
            if (spec.Required && !item.TryGetProperty(name, out _))
            {
                errors.Add(at + "." + name, $"is required for {Wire.Name(eventType)}");
                ok = false;
            }
        }
        return ok && seen.Count == item.EnumerateObject().Count() ? Build(eventType, values) : null;
    }

    (object? Value, string? Problem) Read(Kind kind, JsonElement v, DateTimeOffset now)
    {
        switch (kind)
        {
            case Kind.Id:
                return v.ValueKind == JsonValueKind.String && Identifiers.IsEventId(v.GetString()!)
                    ? (v.GetString(), null)
                    : (null, "must be a string of 1 to 100 characters, without control characters");
            case Kind.At:
                if (v.ValueKind != JsonValueKind.String || !Rfc3339.TryParse(v.GetString(), out var instant))
                    return (null, "must be " + Rfc3339.Expected);
                if (instant > now + limits.MaxFuture)
                    return (null, $"is more than {limits.MaxFuture.TotalMinutes:0} minutes in the future");
                if (instant < now - limits.Lateness)
                    return (null, $"is older than the accepted lateness ({limits.Lateness.TotalDays:0.##} days)");
                return (instant, null);
            case Kind.Identifier:
                return v.ValueKind == JsonValueKind.String && Identifiers.IsValid(v.GetString()!)
                    ? (v.GetString(), null)
                    : (null, Identifiers.Rule);
            case Kind.Caller:
                // The number is never echoed back, whatever is wrong with it.
                if (v.ValueKind != JsonValueKind.String) return (null, "must be a string (a phone number)");
                var digits = CallerHasher.Normalize(v.GetString()!);
                return digits is null
                    ? (null, "must be a phone number: 5 to 20 digits, optionally with a leading +, spaces, dashes and brackets")
                    : (hasher.Hash(digits), null);
            case Kind.Resolution:
                return v.ValueKind == JsonValueKind.String && Wire.Resolutions.TryGetValue(v.GetString()!, out var r)
                    ? (r, null)
                    : (null, "must be one of: " + string.Join(", ", Wire.Resolutions.Keys));
            case Kind.Status:
                return v.ValueKind == JsonValueKind.String && Wire.Statuses.TryGetValue(v.GetString()!, out var s)
                    ? (s, null)
                    : (null, "must be one of: " + string.Join(", ", Wire.Statuses.Keys));
            case Kind.Queues:
                if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() > 100)
                    return (null, "must be an array of at most 100 queue identifiers");
                var queues = new List<string>();
                foreach (var q in v.EnumerateArray())
                {
                    if (q.ValueKind != JsonValueKind.String || !Identifiers.IsValid(q.GetString()!))
                        return (null, "must be an array of queue identifiers; each " + Identifiers.Rule);
                    if (!queues.Contains(q.GetString()!, StringComparer.Ordinal)) queues.Add(q.GetString()!);
                }
                queues.Sort(StringComparer.Ordinal);
                return (queues, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    static QueueEvent Build(EventType type, Dictionary<string, object?> v)
    {
        var id = (string)v["id"]!;
        var at = (DateTimeOffset)v["at"]!;
        string S(string name) => (string)v[name]!;
        string? O(string name) => v.GetValueOrDefault(name) as string;
        return type switch
        {
            EventType.CallQueued => new CallQueued(id, at, S("callId"), S("queue"), O("region"), O("language"), O("segment"), O("caller")),
            EventType.CallAnswered => new CallAnswered(id, at, S("callId"), S("agentId")),
            EventType.CallAbandoned => new CallAbandoned(id, at, S("callId")),
            EventType.CallTransferred => new CallTransferred(id, at, S("callId"), S("toQueue")),
            EventType.CallCompleted => new CallCompleted(id, at, S("callId"), (Resolution)v["resolution"]!, O("visitId")),
            EventType.AgentStatus => new AgentStatusChanged(id, at, S("agentId"), (AgentStatus)v["status"]!, v.GetValueOrDefault("queues") as List<string>),
            EventType.VisitCreated => new VisitCreated(id, at, S("visitId"), O("callId"), O("region")),
            EventType.VisitResolved => new VisitResolved(id, at, S("visitId")),
            EventType.VisitCancelled => new VisitCancelled(id, at, S("visitId")),
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
    }

    // A hostile field name is cut short in the error key; the JSON writer escapes the rest.
    static string Key(string at, string field) => at + "." + (field.Length > 100 ? field[..100] + "…" : field);

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
