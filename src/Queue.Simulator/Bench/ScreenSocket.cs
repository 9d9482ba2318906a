using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using MessagePack;

namespace Queue.Simulator.Bench;

/// <summary>
/// One screen of <c>ops/bench live</c> on the live hub, by the SignalR hub protocol in MessagePack (its documented
/// framing: a base-128 length before each message) over one WebSocket, read where it arrives. The official .NET client
/// hands each message from its socket to a pipe, from the pipe to a reader and from the reader to a queue of
/// invocations, three hops on the thread pool; on the two cores the screens share with the service they measure, those
/// hops cost more than the reading. A page reads its messages with a client of its own, on a machine of its own.
/// </summary>
internal sealed class ScreenSocket : IAsyncDisposable
{
    /// <summary>Reads one invocation's arguments (the reader is at their array).</summary>
    public delegate void Handler(ref MessagePackReader arguments);

    /// <summary>How often a screen tells the service it is there (the hub's keep-alive; it drops a client silent for 30 s).</summary>
    static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    const byte RecordSeparator = 0x1e;
    const int Invocation = 1, Completion = 3, Ping = 6, Close = 7;
    static readonly byte[] PingMessage = Frame(static (ref w) =>
    {
        w.WriteArrayHeader(1);
        w.Write(Ping);
    });

    readonly ClientWebSocket socket = new();
    readonly IReadOnlyDictionary<string, Handler> handlers;
    readonly MessagePackSerializerOptions options;
    readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> calls = new(StringComparer.Ordinal);
    readonly SemaphoreSlim sending = new(1, 1);
    readonly CancellationTokenSource closing = new(), pingStop = new();
    Task receiving = Task.CompletedTask, pinging = Task.CompletedTask;
    int nextCall;
    // Set once the reading has ended: a call made after it fails at once rather than wait for an answer never read.
    volatile bool closed;

    ScreenSocket(IReadOnlyDictionary<string, Handler> handlers, MessagePackSerializerOptions options)
    {
        this.handlers = handlers;
        this.options = options;
    }

    /// <summary>Connects to <paramref name="service"/>'s live hub with <paramref name="key"/>; <paramref name="handlers"/> read the invocations named (others are stepped over).</summary>
    public static async Task<ScreenSocket> ConnectAsync(Uri service, string key, IReadOnlyDictionary<string, Handler> handlers,
        MessagePackSerializerOptions options, CancellationToken ct)
    {
        var screen = new ScreenSocket(handlers, options);
        try
        {
            screen.socket.Options.SetRequestHeader("Authorization", "Bearer " + key);
            var address = new UriBuilder(new Uri(service, LiveHubConnection.Path)) { Scheme = service.Scheme == "https" ? "wss" : "ws" }.Uri;
            await screen.socket.ConnectAsync(address, ct);
            await screen.socket.SendAsync("""{"protocol":"messagepack","version":1}"""u8.ToArray().Append(RecordSeparator).ToArray(),
                WebSocketMessageType.Text, endOfMessage: true, ct);
            var rest = await screen.HandshakeAsync(ct);
            screen.receiving = screen.ReceiveAsync(rest);
            screen.pinging = screen.PingAsync();
            return screen;
        }
        catch (WebSocketException e)
        {
            await screen.DisposeAsync();
            throw new BenchException($"a screen could not connect to {service}: {e.Message} (is the key a wallboard's or a supervisor's?)");
        }
        catch
        {
            await screen.DisposeAsync();
            throw;
        }
    }

    /// <summary>Calls hub method <paramref name="target"/> and answers its result (read as JSON; undefined for a method that returns nothing).</summary>
    public async Task<JsonElement> InvokeAsync(string target, object?[] arguments, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref nextCall).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        calls[id] = answer;
        var message = Frame((ref w) =>
        {
            w.WriteArrayHeader(5);
            w.Write(Invocation);
            w.WriteMapHeader(0);
            w.Write(id);
            w.Write(target);
            w.WriteArrayHeader(arguments.Length);
            foreach (var argument in arguments) MessagePackSerializer.Serialize(ref w, argument, options);
        });
        if (closed && calls.TryRemove(id, out _)) throw new BenchException($"{target}: the connection closed");
        await SendAsync(message, ct);
        return await answer.Task.WaitAsync(ct);
    }

    // The handshake's answer is JSON ending in a record separator; what follows it in the same read is the first messages.
    async Task<ArraySegment<byte>> HandshakeAsync(CancellationToken ct)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
            if (read.MessageType == WebSocketMessageType.Close) throw new BenchException($"the hub closed at the handshake: {socket.CloseStatusDescription}");
            length += read.Count;
            var end = Array.IndexOf(buffer, RecordSeparator, 0, length);
            if (end >= 0)
            {
                using var answer = JsonDocument.Parse(buffer.AsMemory(0, end));
                if (answer.RootElement.TryGetProperty("error", out var error)) throw new BenchException($"the hub refused the handshake: {error}");
                return new ArraySegment<byte>(buffer, end + 1, length - end - 1);
            }
            if (length == buffer.Length) throw new BenchException("the hub's handshake answer is too long");
        }
    }

    async Task ReceiveAsync(ArraySegment<byte> first)
    {
        var buffer = new byte[Math.Max(16 * 1024, first.Count)];
        first.AsSpan().CopyTo(buffer);
        int start = 0, end = first.Count;
        Exception? failure = null;
        try
        {
            while (true)
            {
                start = Messages(buffer, start, end);
                if (start == end) start = end = 0;
                if (end == buffer.Length)
                {
                    // Room for the rest: the unread part moved to the front, or a larger buffer for a larger message.
                    var next = start > 0 ? buffer : new byte[buffer.Length * 2];
                    Array.Copy(buffer, start, next, 0, end - start);
                    (buffer, end, start) = (next, end - start, 0);
                }
                var read = await socket.ReceiveAsync(buffer.AsMemory(end), closing.Token);
                if (read.MessageType == WebSocketMessageType.Close) break;
                end += read.Count;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            failure = e;
        }
        catch (Exception e)
        {
            // A message this screen could not read: it leaves, as the official client leaves on a message it cannot
            // parse, so that the service sees it gone and the bench counts what it missed, not a stalled screen.
            Console.Error.WriteLine($"screens: a screen stopped reading: {(e is BenchException ? e.Message : e)}");
            failure = e;
        }
        closed = true;
        if (failure is not null) socket.Abort();
        pingStop.Cancel();
        foreach (var id in calls.Keys)
            if (calls.TryRemove(id, out var call)) call.TrySetException(new BenchException("the connection closed" + (failure is null ? "" : ": " + failure.Message)));
    }

    // Every whole message in buffer[start, end): answers where the first one not yet whole begins.
    int Messages(byte[] buffer, int start, int end)
    {
        while (start < end)
        {
            int length = 0, shift = 0, at = start;
            do
            {
                if (at == end) return start;
                length |= (buffer[at] & 0x7f) << shift;
                shift += 7;
            } while ((buffer[at++] & 0x80) != 0 && shift < 35);
            if (length < 0 || (buffer[at - 1] & 0x80) != 0) throw new BenchException("the hub sent a message whose length cannot be read");
            if (end - at < length) return start;
            Message(new ReadOnlyMemory<byte>(buffer, at, length));
            start = at + length;
        }
        return start;
    }

    void Message(ReadOnlyMemory<byte> message)
    {
        var reader = new MessagePackReader(message);
        reader.ReadArrayHeader();
        switch (reader.ReadInt32())
        {
            case Invocation:
                reader.Skip(); // headers
                reader.Skip(); // no answer is asked of a screen
                if (handlers.TryGetValue(reader.ReadString()!, out var handler)) handler(ref reader);
                break;
            case Completion:
                reader.Skip(); // headers
                var id = reader.ReadString()!;
                if (!calls.TryRemove(id, out var call)) break;
                switch (reader.ReadInt32())
                {
                    case 1: call.TrySetException(new BenchException(reader.ReadString() ?? "the hub method failed")); break;
                    case 3: call.TrySetResult(MessagePackSerializer.Deserialize<JsonElement>(ref reader, options)); break;
                    default: call.TrySetResult(default); break;
                }
                break;
            case Close:
                var error = reader.TryReadNil() ? null : reader.ReadString();
                throw new BenchException($"the hub closed the connection{(error is null ? "" : ": " + error)}");
        }
    }

    async Task PingAsync()
    {
        using var timer = new PeriodicTimer(KeepAlive);
        try
        {
            while (await timer.WaitForNextTickAsync(pingStop.Token)) await SendAsync(PingMessage, pingStop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // closed
        }
    }

    async Task SendAsync(byte[] message, CancellationToken ct)
    {
        await sending.WaitAsync(ct);
        try
        {
            await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, ct);
        }
        finally
        {
            sending.Release();
        }
    }

    delegate void Write(ref MessagePackWriter writer);

    // A message as the protocol frames it: its length in base 128, low bits first, then the message.
    static byte[] Frame(Write write)
    {
        var body = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(body);
        write(ref writer);
        writer.Flush();
        var framed = new List<byte>(body.WrittenCount + 5);
        for (var n = (uint)body.WrittenCount; ; n >>= 7)
        {
            framed.Add((byte)(n >= 0x80 ? (n & 0x7f) | 0x80 : n));
            if (n < 0x80) break;
        }
        framed.AddRange(body.WrittenSpan);
        return [.. framed];
    }

    public async ValueTask DisposeAsync()
    {
        // Closed as a client closes: the service answers the close, which ends the reading (or it closed first, and
        // its close is answered).
        pingStop.Cancel();
        await pinging;
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
                await receiving.WaitAsync(timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
            {
                // gone already, or not answering: cut off
            }
        }
        closing.Cancel();
        await receiving;
        socket.Dispose();
        closing.Dispose();
        pingStop.Dispose();
        sending.Dispose();
    }
}
