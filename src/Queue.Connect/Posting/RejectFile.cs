using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queue.Connect.Posting;

/// <summary>
/// Events the service refused, one JSON object a line: when, the HTTP status, the service's problem document, and the
/// events themselves, so that an operator can see why, correct, and post them again. Rows of a source that gave no
/// event (a bad CSV row) go there too, with the file, the line, the cause and the reason, and the row as written.
/// Appended and flushed to disk. It holds call data as the source has it (a caller's number among it): keep it as
/// the source's own files are kept.
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
        Write(new JsonObject
        {
            ["rejectedAt"] = Rfc3339Converter.Format(time.GetUtcNow()),
            ["status"] = status,
            ["problem"] = document,
            ["events"] = JsonSerializer.SerializeToNode(events, WireJson.Options),
        });
    }

    /// <summary>A row of <paramref name="file"/> that gave no event: why, and the row (its fields by name, or its raw text).</summary>
    public void AppendRow(string file, long line, Enum cause, string reason, IReadOnlyDictionary<string, string>? fields, string? raw = null)
    {
        var entry = new JsonObject
        {
            ["rejectedAt"] = Rfc3339Converter.Format(time.GetUtcNow()),
            ["file"] = file,
            ["line"] = line,
            ["cause"] = cause.ToString().ToLowerInvariant(),
            ["reason"] = reason,
        };
        if (fields is not null) entry["row"] = new JsonObject(fields.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)JsonValue.Create(f.Value))));
        if (raw is not null) entry["raw"] = raw;
        Write(entry);
    }

    void Write(JsonObject entry)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using (var writer = new Utf8JsonWriter(file)) entry.WriteTo(writer);
        file.WriteByte((byte)'\n');
        file.Flush(flushToDisk: true);
    }
}
