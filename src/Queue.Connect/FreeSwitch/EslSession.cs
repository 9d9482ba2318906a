using System.Net.Sockets;
using System.Text;

namespace Queue.Connect.FreeSwitch;

/// <summary>The event socket refused the password (<c>-ERR invalid</c>), or its ACL refused this address.</summary>
internal sealed class EslRefusedException(string message) : Exception(message);

/// <summary>
/// One connection to FreeSWITCH's inbound event socket (mod_event_socket), as the protocol goes: the switch sends
/// <c>Content-Type: auth/request</c>; the client answers <c>auth PASSWORD</c> and gets a <c>command/reply</c> whose
/// <c>Reply-Text</c> is <c>+OK accepted</c> (or <c>-ERR invalid</c>, and the switch hangs up); then
/// <c>event plain HEARTBEAT CUSTOM callcenter::info</c> subscribes, and events arrive as <c>text/event-plain</c> messages.
/// </summary>
internal sealed class EslSession : IDisposable
{
    readonly TcpClient tcp;
    readonly NetworkStream stream;

    EslSession(TcpClient tcp)
    {
        this.tcp = tcp;
        stream = tcp.GetStream();
        Reader = new EslReader(stream);
    }

    public EslReader Reader { get; }

    /// <summary>Connects, authenticates and subscribes, all within <paramref name="timeout"/>.</summary>
    public static async Task<EslSession> OpenAsync(string host, int port, string password, TimeSpan timeout, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            // The switch sends nothing while no call center event happens: keep-alives find a connection that died quietly.
            tcp.Client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            tcp.Client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            tcp.Client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 10);
            tcp.Client.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
            await tcp.ConnectAsync(host, port, limit.Token);
            var session = new EslSession(tcp);
            await session.HandshakeAsync(password, limit.Token);
            return session;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            tcp.Dispose();
            throw new TimeoutException($"no answer from the event socket within {timeout.TotalSeconds:0} s");
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    async Task HandshakeAsync(string password, CancellationToken ct)
    {
        var greeting = await Reader.ReadAsync(ct) ?? throw new IOException("the event socket closed the connection before asking for a password");
        if (greeting.ContentType == "text/rude-rejection")
            throw new EslRefusedException("the event socket refused this address (its ACL, apply-inbound-acl in event_socket.conf.xml)");
        if (greeting.ContentType != "auth/request")
            throw new EslProtocolException($"expected auth/request, got '{greeting.ContentType}'");

        await SendAsync($"auth {password}", ct);
        var auth = await ReplyAsync(ct);
        if (!auth.StartsWith("+OK", StringComparison.Ordinal))
            throw new EslRefusedException($"the event socket refused the password ({auth})");

        // HEARTBEAT (every 20 s) carries the switch's clock when calls are quiet: held exits are decided by it.
        await SendAsync($"event plain HEARTBEAT CUSTOM {CallCenterMapper.Subclass}", ct);
        var subscribed = await ReplyAsync(ct);
        if (!subscribed.StartsWith("+OK", StringComparison.Ordinal))
            throw new EslProtocolException($"the event socket refused the subscription ({subscribed})");
    }

    async Task<string> ReplyAsync(CancellationToken ct)
    {
        while (true)
        {
            var frame = await Reader.ReadAsync(ct) ?? throw new IOException("the event socket closed the connection");
            if (frame.ContentType == "command/reply") return frame.Headers.GetValueOrDefault("Reply-Text", "");
            if (frame.ContentType == "text/disconnect-notice") throw new IOException("the event socket hung up");
        }
    }

    async Task SendAsync(string command, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\n\n"), ct);
        await stream.FlushAsync(ct);
    }

    public void Dispose() => tcp.Dispose();
}
