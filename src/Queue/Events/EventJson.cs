using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Queue.Events;

/// <summary>
/// The stored form of an event (the <c>events.body</c> jsonb): the parsed event with the caller already
/// replaced by its hash, and <c>at</c> with its original offset.
/// </summary>
public static class EventJson
{
    // Ingest writes every event: one reusable writer per thread instead of allocations each time.
    [ThreadStatic] static ArrayBufferWriter<byte>? buffer;
    [ThreadStatic] static Utf8JsonWriter? writer;

    /// <summary>The stored form, as the text the jsonb column takes.</summary>
    public static string Body(QueueEvent e) => Encoding.UTF8.GetString(Write(e));

    static ReadOnlySpan<byte> Write(QueueEvent e)
    {
        buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        if (writer is null) writer = new Utf8JsonWriter(buffer);
        else writer.Reset(buffer);
        var w = writer;
        {
            w.WriteStartObject();
            w.WriteString("id"u8, e.Id);
            w.WriteString("type"u8, Wire.Name(e.Type));
            w.WriteString("at"u8, Rfc3339.Format(e.At));
            switch (e)
            {
                case CallQueued q:
                    w.WriteString("callId"u8, q.CallId);
                    w.WriteString("queue"u8, q.Queue);
                    Optional(w, "region"u8, q.Region);
                    Optional(w, "language"u8, q.Language);
                    Optional(w, "segment"u8, q.Segment);
                    Optional(w, "callerHash"u8, q.CallerHash);
                    break;
                case CallAnswered a:
                    w.WriteString("callId"u8, a.CallId);
                    w.WriteString("agentId"u8, a.AgentId);
                    break;
                case CallAbandoned b:
                    w.WriteString("callId"u8, b.CallId);
                    if (b.Reason is { } reason) w.WriteString("reason"u8, Wire.Name(reason));
                    break;
                case CallTransferred t:
                    w.WriteString("callId"u8, t.CallId);
                    w.WriteString("toQueue"u8, t.ToQueue);
                    break;
                case CallCompleted c:
                    w.WriteString("callId"u8, c.CallId);
                    if (c.Resolution is { } resolution) w.WriteString("resolution"u8, Wire.Name(resolution));
                    Optional(w, "visitId"u8, c.VisitId);
                    break;
                case CallResolutionTold r:
                    w.WriteString("callId"u8, r.CallId);
                    w.WriteString("resolution"u8, Wire.Name(r.Resolution));
                    Optional(w, "visitId"u8, r.VisitId);
                    break;
                case CallMissed m:
                    w.WriteString("callId"u8, m.CallId);
                    w.WriteString("agentId"u8, m.AgentId);
                    if (m.RingSeconds is { } ring) w.WriteNumber("ringSeconds"u8, ring);
                    break;
                case AgentStatusChanged s:
                    w.WriteString("agentId"u8, s.AgentId);
                    w.WriteString("status"u8, Wire.Name(s.Status));
                    if (s.Queues is { } queues)
                    {
                        w.WriteStartArray("queues"u8);
                        foreach (var q in queues) w.WriteStringValue(q);
                        w.WriteEndArray();
                    }
                    Optional(w, "reason"u8, s.Reason);
                    break;
                case VisitCreated v:
                    w.WriteString("visitId"u8, v.VisitId);
                    Optional(w, "callId"u8, v.CallId);
                    Optional(w, "region"u8, v.Region);
                    break;
                case VisitResolved r:
                    w.WriteString("visitId"u8, r.VisitId);
                    break;
                case VisitCancelled x:
                    w.WriteString("visitId"u8, x.VisitId);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(e));
            }
            w.WriteEndObject();
            w.Flush();
        }
        return buffer.WrittenSpan;
    }

    static void Optional(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    /// <summary>Reads a stored body back. Stored bodies were validated on the way in, so this trusts them.</summary>
    public static QueueEvent Read(string body)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(body.Length));
        try
        {
            return Read(bytes.AsSpan(0, Encoding.UTF8.GetBytes(body, bytes)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    static QueueEvent Read(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json);
        string? id = null, type = null, at = null, callId = null, queue = null, region = null, language = null, segment = null,
            callerHash = null, toQueue = null, agentId = null, resolution = null, visitId = null, status = null, reason = null;
        List<string>? queues = null;
        double? ring = null;
        r.Read(); // {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var name = r.ValueSpan;
            r.Read();
            if (r.TokenType == JsonTokenType.StartArray)
            {
                queues = [];
                while (r.Read() && r.TokenType == JsonTokenType.String) queues.Add(r.GetString()!);
                continue;
            }
            if (r.TokenType == JsonTokenType.Number)
            {
                if (name.SequenceEqual("ringSeconds"u8)) ring = r.GetDouble();
                continue;
            }
            var value = r.GetString();
            if (name.SequenceEqual("id"u8)) id = value;
            else if (name.SequenceEqual("type"u8)) type = value;
            else if (name.SequenceEqual("at"u8)) at = value;
            else if (name.SequenceEqual("callId"u8)) callId = value;
            else if (name.SequenceEqual("queue"u8)) queue = value;
            else if (name.SequenceEqual("region"u8)) region = value;
            else if (name.SequenceEqual("language"u8)) language = value;
            else if (name.SequenceEqual("segment"u8)) segment = value;
            else if (name.SequenceEqual("callerHash"u8)) callerHash = value;
            else if (name.SequenceEqual("toQueue"u8)) toQueue = value;
            else if (name.SequenceEqual("agentId"u8)) agentId = value;
            else if (name.SequenceEqual("resolution"u8)) resolution = value;
            else if (name.SequenceEqual("visitId"u8)) visitId = value;
            else if (name.SequenceEqual("status"u8)) status = value;
            else if (name.SequenceEqual("reason"u8)) reason = value;
        }
        if (id is null || type is null || !Rfc3339.TryParse(at, out var instant)) throw new FormatException($"stored event {id} is damaged");
        return Wire.Types[type] switch
        {
            EventType.CallQueued => new CallQueued(id, instant, callId!, queue!, region, language, segment, callerHash),
            EventType.CallAnswered => new CallAnswered(id, instant, callId!, agentId!),
            EventType.CallAbandoned => new CallAbandoned(id, instant, callId!, reason is null ? null : Wire.AbandonReasons[reason]),
            EventType.CallTransferred => new CallTransferred(id, instant, callId!, toQueue!),
            EventType.CallCompleted => new CallCompleted(id, instant, callId!, resolution is null ? null : Wire.Resolutions[resolution], visitId),
            EventType.CallResolution => new CallResolutionTold(id, instant, callId!, Wire.Resolutions[resolution!], visitId),
            EventType.CallMissed => new CallMissed(id, instant, callId!, agentId!, ring),
            EventType.AgentStatus => new AgentStatusChanged(id, instant, agentId!, Wire.Statuses[status!], queues, reason),
            EventType.VisitCreated => new VisitCreated(id, instant, visitId!, callId, region),
            EventType.VisitResolved => new VisitResolved(id, instant, visitId!),
            EventType.VisitCancelled => new VisitCancelled(id, instant, visitId!),
            _ => throw new FormatException($"stored event {id} has an unknown type"),
        };
    }
}
