using System.Text.Json;
using Queue.Connect.Asterisk;

namespace Queue.Connect.Reading;

/// <summary>
/// What a following connector keeps across restarts: where it stands in its source (a file position, or the last id
/// of the queue_log table) and the mapping's state at exactly that point. It is written only after every event of the
/// lines before that point was acknowledged (or refused into the reject file), so a restart neither loses nor doubles
/// a line; the events of lines after it are sent again with the same ids, which the service counts as duplicates.
/// </summary>
internal sealed record SavedState(FilePosition? File, long? TableId, MapperState Mapper);

internal static class StateFile
{
    static readonly JsonSerializerOptions Json = new(WireJson.Options) { WriteIndented = false };

    public static SavedState? Load(string path)
    {
        if (!System.IO.File.Exists(path)) return null;
        using var stream = System.IO.File.OpenRead(path);
        return JsonSerializer.Deserialize<SavedState>(stream, Json);
    }

    /// <summary>Writes atomically: a temporary file beside it, flushed to disk, then renamed over it.</summary>
    public static void Save(string path, SavedState state)
    {
        var full = Path.GetFullPath(path);
        var temp = full + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, state, Json);
            stream.Flush(flushToDisk: true);
        }
        System.IO.File.Move(temp, full, overwrite: true);
    }

    /// <summary>A copy of the mapping's state as it is now, to be saved once the events before it are acknowledged.</summary>
    public static MapperState Snapshot(MapperState state) =>
        JsonSerializer.Deserialize<MapperState>(JsonSerializer.SerializeToUtf8Bytes(state, Json), Json)!;
}
