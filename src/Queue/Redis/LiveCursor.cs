using System.Globalization;

namespace Queue.Redis;

/// <summary>
/// Where live state stands in the committed log, and the layout it was built in: the value of
/// <see cref="RedisLayout.Cursor"/>, <c>{tx}:{position}:{layout}</c>. Kept in one value so that no node can move the
/// cursor of live state of another layout: the script that moves it checks the layout in the same step.
/// </summary>
public readonly record struct LiveCursor(ulong Tx, long Position, int Layout)
{
    public const string Shape = "{tx}:{position}:{layout}";

    /// <summary>Live state in this code's layout: followed. An older one is rebuilt; a newer one belongs to newer nodes.</summary>
    public bool IsCurrent => Layout == RedisLayout.Version;

    /// <summary>The cursor at a place in the log, in this code's layout.</summary>
    public static string Format(ulong tx, long position) =>
        string.Create(CultureInfo.InvariantCulture, $"{tx}:{position}:{RedisLayout.Version}");

    /// <summary>
    /// Reads a stored cursor. One written before layouts had versions (<c>{tx}:{position}</c>), or one this code cannot
    /// read at all, is of layout 0: older than any, so it is rebuilt.
    /// </summary>
    public static LiveCursor Parse(string value)
    {
        var parts = value.Split(':');
        if (parts.Length is 2 or 3
            && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var tx)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            var layout = parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0;
            return new LiveCursor(tx, position, layout);
        }
        return new LiveCursor(0, 0, 0);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Tx}:{Position}:{Layout}");
}
