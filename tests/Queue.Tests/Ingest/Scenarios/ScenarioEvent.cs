using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Queue.Tests.Ingest.Scenarios;

/// <summary>
/// One event of a generated scenario as its producer means it. <see cref="At"/> is relative to the clock at
/// ingest, so a scenario can be replayed whatever the fixture's clock says. <see cref="Subject"/> is the
/// callId, visitId or agentId the event is about.
/// </summary>
public sealed record ScenarioEvent(string Id, string Type, TimeSpan At, string Subject, int Style)
{
    public string? Queue { get; init; }
    public string? ToQueue { get; init; }
    public string? Agent { get; init; }
    public string? Resolution { get; init; }
    public string? VisitId { get; init; }
    public string? CallId { get; init; }
    public string? Region { get; init; }
    public string? Language { get; init; }
    public string? Segment { get; init; }
    public string? Caller { get; init; }
    public string? Status { get; init; }
    public IReadOnlyList<string>? Queues { get; init; }
    public string? Reason { get; init; }
    public double? RingSeconds { get; init; }

    public bool IsCall => Type.StartsWith("call.", StringComparison.Ordinal);
    public bool IsVisit => Type.StartsWith("visit.", StringComparison.Ordinal);
    public bool IsAgent => Type == "agent.status";

    /// <summary>
    /// The event as JSON. A re-written copy is the same event written differently: another offset and
    /// fraction style for the same instant, its fields in reverse order, the caller's number in digits only,
    /// an agent's queues in reverse order.
    /// </summary>
    public JsonObject Json(DateTimeOffset ingestNow, bool rewritten)
    {
        var style = rewritten ? Style + 1 : Style;
        var fields = new List<(string Name, JsonNode? Value)>
        {
            ("id", Id), ("type", Type), ("at", Wire.Instant(ingestNow + At, style)),
        };
        void Add(string name, string? value)
        {
            if (value is not null) fields.Add((name, value));
        }
        switch (Type)
        {
            case "call.queued":
                Add("callId", Subject); Add("queue", Queue); Add("region", Region); Add("language", Language); Add("segment", Segment);
                Add("caller", Caller is null ? null : rewritten ? Wire.Digits(Caller) : Caller);
                break;
            case "call.answered": Add("callId", Subject); Add("agentId", Agent); break;
            case "call.abandoned": Add("callId", Subject); Add("reason", Reason); break;
            case "call.missed":
                Add("callId", Subject); Add("agentId", Agent);
                if (RingSeconds is { } ring) fields.Add(("ringSeconds", ring));
                break;
            case "call.resolution": Add("callId", Subject); Add("resolution", Resolution); Add("visitId", VisitId); break;
            case "call.transferred": Add("callId", Subject); Add("toQueue", ToQueue); break;
            case "call.completed": Add("callId", Subject); Add("resolution", Resolution); Add("visitId", VisitId); break;
            case "agent.status":
                Add("agentId", Subject); Add("status", Status);
                // Queues are a set: the re-written copy lists them in another order.
                if (Queues is not null) fields.Add(("queues", new JsonArray([.. (rewritten ? Queues.Reverse() : Queues).Select(q => (JsonNode)q)])));
                Add("reason", Reason);
                break;
            case "visit.created": Add("visitId", Subject); Add("callId", CallId); Add("region", Region); break;
            default: Add("visitId", Subject); break;
        }
        if (rewritten) fields.Reverse();
        var json = new JsonObject();
        foreach (var (name, value) in fields) json[name] = value;
        return json;
    }

    /// <summary>One line for failure messages: id, type, time relative to the ingest clock, fields.</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"{Id,-5} {Type,-16} {Wire.Relative(At),-24} {Subject}");
        void Add(string name, object? value)
        {
            if (value is not null) text.Append(' ').Append(name).Append('=').Append(value);
        }
        Add("queue", Queue); Add("toQueue", ToQueue); Add("agent", Agent); Add("resolution", Resolution); Add("visitId", VisitId);
        Add("callId", CallId); Add("region", Region); Add("language", Language); Add("segment", Segment); Add("caller", Caller);
        Add("status", Status); Add("queues", Queues is null ? null : "[" + string.Join(",", Queues) + "]");
        Add("reason", Reason); Add("ringSeconds", RingSeconds);
        return text.ToString();
    }
}

/// <summary>How a producer may write the same instant and the same number.</summary>
public static class Wire
{
    static readonly TimeSpan[] Offsets = [TimeSpan.FromHours(5), TimeSpan.Zero, TimeSpan.FromHours(-3)];

    /// <summary>RFC 3339 with one of three offsets (+05:00, Z, −03:00) and one of three fraction styles
    /// (6 digits, 9 digits, as few as needed).</summary>
    public static string Instant(DateTimeOffset instant, int style)
    {
        var offset = Offsets[style % Offsets.Length];
        var local = instant.ToOffset(offset);
        var micros = (int)(local.Ticks % TimeSpan.TicksPerSecond / 10);
        var fraction = (style / Offsets.Length % 3) switch
        {
            0 => "." + micros.ToString("D6", CultureInfo.InvariantCulture),
            1 => "." + micros.ToString("D6", CultureInfo.InvariantCulture) + "000",
            _ => micros == 0 ? "" : "." + micros.ToString("D6", CultureInfo.InvariantCulture).TrimEnd('0'),
        };
        var zone = offset == TimeSpan.Zero ? "Z" : local.ToString("zzz", CultureInfo.InvariantCulture);
        return local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + fraction + zone;
    }

    public static string Digits(string number) => new([.. number.Where(char.IsAsciiDigit)]);

    /// <summary>A time relative to the ingest clock t₀, to the microsecond: "t₀−3d 02:11:04.000001".</summary>
    public static string Relative(TimeSpan at)
    {
        var sign = at < TimeSpan.Zero ? "−" : "+";
        var d = at.Duration();
        return $"t₀{sign}{d.Days}d {d.Hours:D2}:{d.Minutes:D2}:{d.Seconds:D2}.{d.Ticks % TimeSpan.TicksPerSecond / 10:D6}";
    }
}
