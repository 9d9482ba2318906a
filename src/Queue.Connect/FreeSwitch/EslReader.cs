using System.Globalization;
using System.Text;

namespace Queue.Connect.FreeSwitch;

/// <summary>One message of the event socket: its envelope headers (<c>Content-Type</c>, <c>Reply-Text</c>…) and its body.</summary>
internal sealed record EslFrame(IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string ContentType => Headers.GetValueOrDefault("Content-Type", "");
}

/// <summary>The socket said something that is not the protocol: the connection is dropped and made again.</summary>
internal sealed class EslProtocolException(string message) : Exception(message);

/// <summary>
/// Reads the event socket's messages: header lines up to an empty line, then, when a <c>Content-Length</c> is given,
/// exactly that many bytes of body. A message cut short by a dropped connection is never returned.
/// </summary>
internal sealed class EslReader(Stream stream)
{
    const int MaxHeader = 64 * 1024;
    const int MaxBody = 16 * 1024 * 1024;

    readonly byte[] buffer = new byte[64 * 1024];
    int start;
    int end;

    /// <summary>Bytes already received and not yet read as a message: another message may follow at once.</summary>
    public bool HasBuffered => end > start;

    /// <summary>The next message; null when the peer closed the connection (a message cut short included).</summary>
    public async Task<EslFrame?> ReadAsync(CancellationToken ct)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var headerBytes = 0;
        while (true)
        {
            var line = await ReadLineAsync(ct);
            if (line is null) return null;
            headerBytes += line.Length + 1;
            if (headerBytes > MaxHeader) throw new EslProtocolException("a message's headers are longer than 64 KiB");
            if (line.Length == 0)
            {
                // Empty lines between messages are nothing.
                if (headers.Count == 0) continue;
                break;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0) throw new EslProtocolException("a header line without a name");
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var body = Array.Empty<byte>();
        if (headers.TryGetValue("Content-Length", out var lengthText))
        {
            if (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length > MaxBody)
                throw new EslProtocolException("a Content-Length that is not a length");
            body = new byte[length];
            if (!await ReadExactlyAsync(body, ct)) return null;
        }
        return new EslFrame(headers, body);
    }

    async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(buffer, start, newline - start).TrimEnd('\r');
                start = newline + 1;
                return line;
            }
            if (!await FillAsync(ct)) return null;
        }
    }

    async Task<bool> ReadExactlyAsync(byte[] target, CancellationToken ct)
    {
        var copied = 0;
        while (copied < target.Length)
        {
            if (end == start && !await FillAsync(ct)) return false;
            var n = Math.Min(end - start, target.Length - copied);
            Array.Copy(buffer, start, target, copied, n);
            start += n;
            copied += n;
        }
        return true;
    }

    async Task<bool> FillAsync(CancellationToken ct)
    {
        if (start > 0)
        {
            Array.Copy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.Length) throw new EslProtocolException("a line longer than 64 KiB");
        var n = await stream.ReadAsync(buffer.AsMemory(end), ct);
        if (n == 0) return false;
        end += n;
        return true;
    }
}
