using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Queue.Simulator.Bench;

/// <summary>
/// One screen of <c>ops/bench live</c> on the live hub, by the SignalR hub protocol in MessagePack (its documented
/// framing: a base-128 length before each message) over one WebSocket, read where it arrives. The official .NET client
/// hands each message from its socket to a pipe, from the pipe to a reader and from the reader to a queue of
/// invocations, three hops on the thread pool; on the two cores the screens share with the service they measure, those
/// hops cost more than the reading. The handshake, the framing and the messages are the protocol package's own
/// (<see cref="HandshakeProtocol"/>, <see cref="MessagePackHubProtocol"/>), as the service and the official client use them.
/// A page reads its messages with a client of its own, on a machine of its own.
/// </summary>
internal sealed class ScreenSocket : IAsyncDisposable, IInvocationBinder
{
    /// <summary>What a screen does with an invocation's one argument, read as <see cref="Argument"/>.</summary>
    public sealed record Handler(Type Argument, Action<object?> Read)
    {
        internal readonly Type[] Types = [Argument];
    }

    /// <summary>A handler of invocations whose one argument is read as <typeparamref name="T"/>.</summary>
    public static Handler On<T>(Action<T> read) => new(typeof(T), a => read((T)a!));

    /// <summary>How often a screen tells the service it is there (the hub's keep-alive; it drops a client silent for 30 s).</summary>
    static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    readonly ClientWebSocket socket = new();
    readonly IReadOnlyDictionary<string, Handler> handlers;
    readonly MessagePackHubProtocol protocol;
    readonly byte[] ping;
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
        protocol = new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = options }));
        ping = protocol.GetMessageBytes(PingMessage.Instance).ToArray();
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
            var request = new ArrayBufferWriter<byte>();
            HandshakeProtocol.WriteRequestMessage(new HandshakeRequestMessage(screen.protocol.Name, screen.protocol.Version), request);
            await screen.socket.SendAsync(request.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, ct);
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
        var message = protocol.GetMessageBytes(new InvocationMessage(id, target, arguments)).ToArray();
        if (closed && calls.TryRemove(id, out _)) throw new BenchException($"{target}: the connection closed");
        await SendAsync(message, ct);
        return await answer.Task.WaitAsync(ct);
    }

    // The handshake's answer; what follows it in the same read is the first messages.
    async Task<ArraySegment<byte>> HandshakeAsync(CancellationToken ct)
    {
        var buffer = new byte[4096];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), ct);
            if (read.MessageType == WebSocketMessageType.Close) throw new BenchException($"the hub closed at the handshake: {socket.CloseStatusDescription}");
            length += read.Count;
            var received = new ReadOnlySequence<byte>(buffer, 0, length);
            if (HandshakeProtocol.TryParseResponseMessage(ref received, out var answer))
            {
                if (answer.Error is { } error) throw new BenchException($"the hub refused the handshake: {error}");
                return new ArraySegment<byte>(buffer, length - (int)received.Length, (int)received.Length);
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
        var unread = new ReadOnlySequence<byte>(buffer, start, end - start);
        while (protocol.TryParseMessage(ref unread, this, out var message)) Message(message!);
        return end - (int)unread.Length;
    }

    void Message(HubMessage message)
    {
        switch (message)
        {
            case InvocationMessage invocation:
                handlers[invocation.Target].Read(invocation.Arguments[0]);
                break;
            case CompletionMessage completion when calls.TryRemove(completion.InvocationId!, out var call):
                if (completion.Error is { } error) call.TrySetException(new BenchException(error));
                else call.TrySetResult(completion.HasResult ? (JsonElement)completion.Result! : default);
                break;
            case CloseMessage close:
                throw new BenchException($"the hub closed the connection{(close.Error is null ? "" : ": " + close.Error)}");
        }
    }

    // What the protocol reads arguments and results as: an invocation a screen has no handler for is not bound (an
    // InvocationBindingFailureMessage, stepped over); a hub call's result is read as JSON.
    IReadOnlyList<Type> IInvocationBinder.GetParameterTypes(string methodName) =>
        handlers.TryGetValue(methodName, out var handler) ? handler.Types : throw new InvalidOperationException($"no handler for {methodName}");

    Type IInvocationBinder.GetReturnType(string invocationId) => typeof(JsonElement);

    Type IInvocationBinder.GetStreamItemType(string streamId) => throw new NotSupportedException("a screen streams nothing");

    async Task PingAsync()
    {
        using var timer = new PeriodicTimer(KeepAlive);
        try
        {
            while (await timer.WaitForNextTickAsync(pingStop.Token)) await SendAsync(ping, pingStop.Token);
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
