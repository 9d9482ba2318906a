using System.Text;
using System.Text.Json;

namespace Queue.Tests.Faults;

/// <summary>Whose key a request carries.</summary>
public enum Sender { Ingest, Admin, Wallboard, Nobody, OwnKey }

/// <summary>One request of the hostile corpus, sent through HttpClient as it is written here.</summary>
public sealed record Hostile(string Kind, string Method, string Target, byte[]? Body = null, string? ContentType = "application/json")
{
    public Sender As { get; init; } = Sender.Ingest;

    /// <summary>The key sent when <see cref="As"/> is <see cref="Sender.OwnKey"/>.</summary>
    public string? Key { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Sent with Transfer-Encoding: chunked, without a Content-Length.</summary>
    public bool Chunked { get; init; }

    public static Hostile Post(string kind, string body, string target = "/api/events") => new(kind, "POST", target, Encoding.UTF8.GetBytes(body));

    public static Hostile Post(string kind, byte[] body, string target = "/api/events") => new(kind, "POST", target, body);

    public static Hostile Get(string kind, string target) => new(kind, "GET", target, null, null) { As = Sender.Admin };
}

/// <summary>One request of the corpus written byte for byte (malformed HTTP), sent over a bare socket.</summary>
public sealed record RawHostile(string Kind, byte[] Request);

/// <summary>The valid events the corpus spoils, as ordered (name, JSON value) pairs, so they can be spoiled as text.</summary>
public sealed class EventTemplates(DateTimeOffset now)
{
    public static readonly string[] Types =
        ["call.queued", "call.answered", "call.abandoned", "call.transferred", "call.completed", "call.resolution", "call.missed", "agent.status",
         "visit.created", "visit.resolved", "visit.cancelled"];

    /// <summary>Identifier fields (SPEC §2: letters, digits and . _ - :).</summary>
    public static readonly string[] IdentifierFields = ["callId", "queue", "region", "language", "segment", "agentId", "toQueue", "visitId"];

    public string At { get; } = Json(now.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A valid event of the given type with every field it may have.</summary>
    public List<(string Name, string Value)> Of(string type, string id) => type switch
    {
        "call.queued" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("callId", Json("h-c")), ("queue", Json("h-q")),
            ("region", Json("h-r")), ("language", Json("ru")), ("segment", Json("b2c")), ("caller", Json("+7 912 000-00-00"))],
        "call.answered" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("callId", Json("h-c")), ("agentId", Json("h-ag"))],
        "call.abandoned" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("callId", Json("h-c")), ("reason", Json("timeout"))],
        "call.missed" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("callId", Json("h-c")), ("agentId", Json("h-ag")), ("ringSeconds", "15.5")],
        "call.resolution" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("callId", Json("h-c")), ("resolution", Json("escalated")),
            ("visitId", Json("h-v"))],
        "call.transferred" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("callId", Json("h-c")), ("toQueue", Json("h-q2"))],
        "call.completed" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("callId", Json("h-c")), ("resolution", Json("resolved")),
            ("visitId", Json("h-v"))],
        "agent.status" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("agentId", Json("h-ag")), ("status", Json("busy")),
            ("queues", "[\"h-q\",\"h-q2\"]"), ("reason", Json("Lunch"))],
        "visit.created" => [("id", Json(id)), ("type", Json(type)), ("at", At), ("visitId", Json("h-v")), ("callId", Json("h-c")),
            ("region", Json("h-r"))],
        _ => [("id", Json(id)), ("type", Json(type)), ("at", At), ("visitId", Json("h-v"))],
    };

    /// <summary>Fields every event of a type must have (the rest of <see cref="Of"/> is optional).</summary>
    public static bool IsRequired(string type, string field) => field is "id" or "type" or "at" || (type, field) switch
    {
        ("call.queued", "callId" or "queue") => true,
        ("call.answered", "callId" or "agentId") => true,
        ("call.abandoned", "callId") => true,
        ("call.transferred", "callId" or "toQueue") => true,
        ("call.completed", "callId") => true,
        ("call.resolution", "callId" or "resolution") => true,
        ("call.missed", "callId" or "agentId") => true,
        ("agent.status", "agentId" or "status") => true,
        ("visit.resolved" or "visit.cancelled" or "visit.created", "visitId") => true,
        _ => false,
    };

    /// <summary>Events that make any batch they are in invalid, each in its own way, so one spoiled byte cannot mend all three.</summary>
    public string[] Poisons =>
    [
        Write([("id", Json("h-p1")), ("type", Json("call.dropped")), ("at", At), ("callId", Json("h-c"))]),
        Write([("id", Json("h-p2")), ("type", Json("call.abandoned")), ("at", At), ("callId", Json("h-c")), ("colour", Json("red"))]),
        Write([("id", Json("h-p3")), ("type", Json("call.abandoned")), ("at", Json("2026-11-23T10:00:00")), ("callId", Json("h-c"))]),
    ];

    public static string Write(IEnumerable<(string Name, string Value)> fields) =>
        "{" + string.Join(",", fields.Select(f => $"{Json(f.Name)}:{f.Value}")) + "}";

    public static string Json(string text) => JsonSerializer.Serialize(text);
}
