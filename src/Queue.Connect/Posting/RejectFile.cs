using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queue.Connect.Posting;

/// <summary>
/// Events the service refused, one JSON object a line: when, the HTTP status, the service's problem document, and the
/// events themselves, so that an operator can see why, correct, and post them again. Appended and flushed to disk.
/// </summary>
internal sealed class RejectFile(string path, TimeProvider time)
{
    public string Path => path;

    public void Append(int status, string problem, IReadOnlyList<WireEvent> events)
    {
        JsonNode? document;
        try
        {
            document = JsonNode.Parse(problem);
        }
        catch (JsonException)
        {
            document = JsonValue.Create(problem);
        }
        var entry = new JsonObject
        {
            ["rejectedAt"] = Rfc3339Converter.Format(time.GetUtcNow()),
            ["status"] = status,
            ["problem"] = document,
            ["events"] = JsonSerializer.SerializeToNode(events, WireJson.Options),
        };
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using (var writer = new Utf8JsonWriter(file)) entry.WriteTo(writer);
        file.WriteByte((byte)'\n');
        file.Flush(flushToDisk: true);
    }
}
