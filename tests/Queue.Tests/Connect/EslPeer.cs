using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Queue.Tests.Connect;

/// <summary>
/// A stand-in for FreeSWITCH's inbound event socket on loopback, speaking its protocol: <c>auth/request</c>, then the
/// password (<c>+OK accepted</c>, or <c>-ERR invalid</c> and a hang-up), then the subscription, then what
/// <paramref name="session"/> sends on the n-th connection that got that far.
/// </summary>
internal sealed class EslPeer(string password, Func<int, EslPeer.Connection, CancellationToken, Task> session) : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    readonly List<Task> running = [];
    Task? accepting;
    int attempts;
    int sessions;

    /// <summary>What went against the protocol on the client's side; empty when all was as it should be.</summary>
    public ConcurrentQueue<string> Problems { get; } = new();
    public int AuthAttempts => attempts;
    public int Sessions => sessions;
    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public EslPeer Start()
    {
        listener.Start();
        accepting = AcceptAsync();
        return this;
    }

    async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            lock (running) running.Add(ServeAsync(client));
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var c = new Connection(client.GetStream());
            try
            {
                await c.SendAsync("Content-Type: auth/request\n\n", stop.Token);
                var auth = await c.ReadCommandAsync(stop.Token);
                Interlocked.Increment(ref attempts);
                if (auth != $"auth {password}")
                {
                    if (!auth.StartsWith("auth ", StringComparison.Ordinal)) Problems.Enqueue($"expected auth, got '{auth}'");
                    await c.SendAsync("Content-Type: command/reply\nReply-Text: -ERR invalid\n\n", stop.Token);
                    await c.SendAsync("Content-Type: text/disconnect-notice\nContent-Length: 14\n\nDisconnected.\n", stop.Token);
                    return;
                }
                await c.SendAsync("Content-Type: command/reply\nReply-Text: +OK accepted\n\n", stop.Token);
                var subscribe = await c.ReadCommandAsync(stop.Token);
                if (subscribe != "event plain HEARTBEAT CUSTOM callcenter::info") Problems.Enqueue($"expected the subscription, got '{subscribe}'");
                await c.SendAsync("Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n", stop.Token);
                await session(Interlocked.Increment(ref sessions), c, stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        if (accepting is not null) await accepting;
        Task[] all;
        lock (running) all = [.. running];
        await Task.WhenAll(all);
        stop.Dispose();
    }

    /// <summary>One client connection, as the switch's side sees it.</summary>
    internal sealed class Connection(NetworkStream stream)
    {
        readonly List<byte> pending = [];

        public async Task SendAsync(string text, CancellationToken ct) => await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);

        /// <summary>An event as the switch sends it: Content-Length, Content-Type text/event-plain, then the body.</summary>
        public async Task SendEventAsync(byte[] body, CancellationToken ct)
        {
            await SendAsync($"Content-Length: {body.Length}\nContent-Type: text/event-plain\n\n", ct);
            await stream.WriteAsync(body, ct);
        }

        /// <summary>An event's envelope and the first half of its body: the connection dies in the middle of it.</summary>
        public async Task SendHalfAnEventAsync(byte[] body, CancellationToken ct)
        {
            await SendAsync($"Content-Length: {body.Length}\nContent-Type: text/event-plain\n\n", ct);
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2), ct);
            await stream.FlushAsync(ct);
        }

        /// <summary>A command: text up to an empty line.</summary>
        public async Task<string> ReadCommandAsync(CancellationToken ct)
        {
            var one = new byte[1];
            while (true)
            {
                var text = Encoding.UTF8.GetString([.. pending]);
                var end = text.IndexOf("\n\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    pending.RemoveRange(0, Encoding.UTF8.GetByteCount(text[..(end + 2)]));
                    return text[..end];
                }
                if (await stream.ReadAsync(one, ct) == 0) throw new IOException("the client left");
                pending.Add(one[0]);
            }
        }
    }
}
