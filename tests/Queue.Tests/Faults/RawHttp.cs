using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Queue.Tests.Faults;

/// <summary>What came back for bytes sent as they are: a status, headers and body, or the connection closed with no answer.</summary>
public sealed record RawAnswer(int? Status, string? ContentType, byte[] Body, TimeSpan Took)
{
    public bool Closed => Status is null;
}

/// <summary>
/// HTTP/1.1 over a bare socket, for what a well-behaved client library will not send: malformed request lines and
/// headers, contradicting lengths, bodies that trickle in or never finish.
/// </summary>
public static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> in one write and reads the one answer (or the close).</summary>
    public static Task<RawAnswer> SendAsync(int port, byte[] request, TimeSpan timeout) =>
        SendAsync(port, [request], TimeSpan.Zero, timeout);

    /// <summary>
    /// Sends the parts one after another, <paramref name="gap"/> apart, and reads the answer, which may come before
    /// every part is sent (a server that gave up on a slow client answers and closes).
    /// </summary>
    public static async Task<RawAnswer> SendAsync(int port, IReadOnlyList<byte[]> parts, TimeSpan gap, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port, cts.Token);
        var stream = client.GetStream();
        var reading = ReadAnswerAsync(stream, cts.Token);
        try
        {
            foreach (var part in parts)
            {
                if (reading.IsCompleted) break;
                await stream.WriteAsync(part, cts.Token);
                if (gap > TimeSpan.Zero) await Task.WhenAny(reading, Task.Delay(gap, cts.Token));
            }
        }
        catch (IOException)
        {
            // the server closed its side while we were still sending: its answer, if any, is being read
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0} s while sending");
        }
        try
        {
            var (status, contentType, body) = await reading;
            return new RawAnswer(status, contentType, body, clock.Elapsed);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0} s");
        }
    }

    static async Task<(int? Status, string? ContentType, byte[] Body)> ReadAnswerAsync(NetworkStream stream, CancellationToken ct)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int headerEnd;
        while ((headerEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
        {
            var read = await ReadAsync(stream, chunk, ct);
            if (read == 0) return (null, null, []);
            buffer.Write(chunk, 0, read);
        }
        var head = Encoding.ASCII.GetString(buffer.GetBuffer(), 0, headerEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        string? Header(string name) => head.Skip(1).Select(h => h.Split(':', 2))
            .FirstOrDefault(h => h[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))?[1].Trim();

        var rest = new MemoryStream();
        rest.Write(buffer.GetBuffer(), headerEnd + 4, (int)buffer.Length - headerEnd - 4);
        var length = Header("Content-Length") is { } l ? int.Parse(l, CultureInfo.InvariantCulture) : (int?)null;
        var chunked = Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
        while (length is { } n ? rest.Length < n : chunked ? IndexOf(rest, "0\r\n\r\n"u8) < 0 : true)
        {
            var read = await ReadAsync(stream, chunk, ct);
            if (read == 0) break;
            rest.Write(chunk, 0, read);
        }
        var body = chunked ? Dechunk(rest.ToArray()) : rest.ToArray();
        return (status, Header("Content-Type"), body);
    }

    static async Task<int> ReadAsync(NetworkStream stream, byte[] chunk, CancellationToken ct)
    {
        try
        {
            return await stream.ReadAsync(chunk, ct);
        }
        catch (IOException)
        {
            return 0; // reset by the server
        }
    }

    static byte[] Dechunk(byte[] data)
    {
        var body = new MemoryStream();
        var i = 0;
        while (i < data.Length)
        {
            var line = Array.IndexOf(data, (byte)'\r', i);
            if (line < 0) break;
            var size = int.Parse(Encoding.ASCII.GetString(data, i, line - i).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0) break;
            body.Write(data, line + 2, Math.Min(size, data.Length - line - 2));
            i = line + 2 + size + 2;
        }
        return body.ToArray();
    }

    static int IndexOf(MemoryStream stream, ReadOnlySpan<byte> value) => stream.GetBuffer().AsSpan(0, (int)stream.Length).IndexOf(value);
}
