using System.Text;

namespace Queue.Connect.FreeSwitch;

/// <summary>
/// One event as the event socket sends it in plain form (<c>event plain …</c>): a body of <c>Name: value</c> lines,
/// each value URL-encoded (<c>callcenter%3A%3Ainfo</c>), an empty value written <c>_undef_</c>. <see cref="Key"/> is the
/// event's own identity: its <c>Event-UUID</c> where it has one, otherwise the hash of its body — which holds the
/// switch's <c>Core-UUID</c> and the event's <c>Event-Sequence</c>, and so is one event's alone.
/// </summary>
internal sealed record EslEvent(IReadOnlyDictionary<string, string> Headers, string Key)
{
    public string this[string name] => Headers.GetValueOrDefault(name, "");

    public static EslEvent Parse(ReadOnlySpan<byte> body)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in Encoding.UTF8.GetString(body).Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            // An event with a body of its own carries it after an empty line; callcenter events have none.
            if (line.Length == 0) break;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) continue;
            var value = Decode(line[(colon + 1)..].TrimStart(' '));
            headers.TryAdd(line[..colon].Trim(), value == "_undef_" ? "" : value);
        }
        var key = headers.TryGetValue("Event-UUID", out var uuid) && uuid.Length > 0
            ? Identifiers.Map(uuid)!
            : EventIds.LineKey(body);
        return new EslEvent(headers, key);
    }

    static string Decode(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return value;
        }
    }
}
