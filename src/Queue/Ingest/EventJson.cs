using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Queue.Ingest;

/// <summary>
/// The stored form of an event (the <c>events.body</c> jsonb): the parsed event with the caller already
/// replaced by its hash, and <c>at</c> with its original offset. Also the content hash that decides
/// "duplicate" versus "conflict": it is taken over the same form with <c>at</c> in UTC, so two events that
/// differ only in how their instant is written are the same content.
/// </summary>
public static class EventJson
{
    public static byte[] Body(QueueEvent e) => Write(e, utc: false);

    public static byte[] ContentHash(QueueEvent e) => SHA256.HashData(Write(e, utc: true));

    static byte[] Write(QueueEvent e, bool utc)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", e.Id);
            w.WriteString("type", Wire.Name(e.Type));
            w.WriteString("at", Rfc3339.Format(utc ? e.At.ToUniversalTime() : e.At));
            switch (e)
            {
                case CallQueued q:
                    w.WriteString("callId", q.CallId);
                    w.WriteString("queue", q.Queue);
                    Optional(w, "region", q.Region);
                    Optional(w, "language", q.Language);
                    Optional(w, "segment", q.Segment);
                    Optional(w, "callerHash", q.CallerHash);
                    break;
                case CallAnswered a:
                    w.WriteString("callId", a.CallId);
                    w.WriteString("agentId", a.AgentId);
                    break;
                case CallAbandoned b:
                    w.WriteString("callId", b.CallId);
                    break;
                case CallTransferred t:
                    w.WriteString("callId", t.CallId);
                    w.WriteString("toQueue", t.ToQueue);
                    break;
                case CallCompleted c:
                    w.WriteString("callId", c.CallId);
                    w.WriteString("resolution", Wire.Name(c.Resolution));
                    Optional(w, "visitId", c.VisitId);
                    break;
                case AgentStatusChanged s:
                    w.WriteString("agentId", s.AgentId);
                    w.WriteString("status", Wire.Name(s.Status));
                    if (s.Queues is { } queues)
                    {
                        w.WriteStartArray("queues");
                        foreach (var q in queues) w.WriteStringValue(q);
                        w.WriteEndArray();
                    }
                    break;
                case VisitCreated v:
                    w.WriteString("visitId", v.VisitId);
                    Optional(w, "callId", v.CallId);
                    Optional(w, "region", v.Region);
                    break;
                case VisitResolved r:
                    w.WriteString("visitId", r.VisitId);
                    break;
                case VisitCancelled x:
                    w.WriteString("visitId", x.VisitId);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(e));
            }
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    /// <summary>Reads a stored body back. Stored bodies were validated on the way in, so this trusts them.</summary>
    public static QueueEvent Read(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var r = doc.RootElement;
        string S(string name) => r.GetProperty(name).GetString()!;
        string? O(string name) => r.TryGetProperty(name, out var p) ? p.GetString() : null;
        var id = S("id");
        if (!Rfc3339.TryParse(S("at"), out var at)) throw new FormatException($"stored event {id} has a bad 'at'");
        return Wire.Types[S("type")] switch
        {
            EventType.CallQueued => new CallQueued(id, at, S("callId"), S("queue"), O("region"), O("language"), O("segment"), O("callerHash")),
            EventType.CallAnswered => new CallAnswered(id, at, S("callId"), S("agentId")),
            EventType.CallAbandoned => new CallAbandoned(id, at, S("callId")),
            EventType.CallTransferred => new CallTransferred(id, at, S("callId"), S("toQueue")),
            EventType.CallCompleted => new CallCompleted(id, at, S("callId"), Wire.Resolutions[S("resolution")], O("visitId")),
            EventType.AgentStatus => new AgentStatusChanged(id, at, S("agentId"), Wire.Statuses[S("status")],
                r.TryGetProperty("queues", out var qs) ? [.. qs.EnumerateArray().Select(q => q.GetString()!)] : null),
            EventType.VisitCreated => new VisitCreated(id, at, S("visitId"), O("callId"), O("region")),
            EventType.VisitResolved => new VisitResolved(id, at, S("visitId")),
            EventType.VisitCancelled => new VisitCancelled(id, at, S("visitId")),
            _ => throw new FormatException($"stored event {id} has an unknown type"),
        };
    }
}
