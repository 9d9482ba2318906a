using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>Events as a producer sends them to <c>POST /api/events</c>: camelCase, optional fields left out.</summary>
public static class WireJson
{
    static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Bodies go to an API, never into HTML: "+7 912 …" stays readable instead of "\u002B7 912 …".
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Serialize(EventDocs.Event e) => JsonSerializer.SerializeToUtf8Bytes(e, Options);

    /// <summary>A JSON array of already serialized events: one batch body.</summary>
    public static byte[] Array(IReadOnlyList<byte[]> events)
    {
        var length = 2 + Math.Max(0, events.Count - 1);
        foreach (var e in events) length += e.Length;
        var body = new byte[length];
        var at = 0;
        body[at++] = (byte)'[';
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0) body[at++] = (byte)',';
            events[i].CopyTo(body, at);
            at += events[i].Length;
        }
        body[at] = (byte)']';
        return body;
    }
}
