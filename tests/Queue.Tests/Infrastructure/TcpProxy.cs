using System.Net;
using System.Net.Sockets;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder that a test can cut (connections dropped, new ones refused), freeze (connections
/// kept open, nothing forwarded: a server that stopped answering) and restore, to make a real server
/// unreachable from the service without stopping it for other tests.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    readonly IPEndPoint target;
    readonly List<TcpClient> open = [];
    TcpListener? listener;
    volatile bool frozen;
    CancellationTokenSource? running;

    public TcpProxy(IPEndPoint target)
    {
        this.target = target;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Restore();
    }

    public int Port { get; }

    public void Restore()
    {
        if (listener is not null) return;
        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        running = new CancellationTokenSource();
        _ = AcceptAsync(listener, running.Token);
    }

    public void Freeze() => frozen = true;

    public void Thaw() => frozen = false;

    public void Cut()
    {
        running?.Cancel();
        listener?.Stop();
        listener = null;
        lock (open)
        {
            foreach (var client in open) client.Dispose();
            open.Clear();
        }
    }

    async Task AcceptAsync(TcpListener server, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await server.AcceptTcpClientAsync(ct); }
            catch (Exception) { return; }
            var outbound = new TcpClient();
            try { await outbound.ConnectAsync(target, ct); }
            catch (Exception)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (open) { open.Add(inbound); open.Add(outbound); }
            _ = PipeAsync(inbound, outbound, ct);
            _ = PipeAsync(outbound, inbound, ct);
        }
    }

    async Task PipeAsync(TcpClient from, TcpClient to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.GetStream().ReadAsync(buffer, ct);
                if (read == 0) break;
                while (frozen) await Task.Delay(10, ct);
                await to.GetStream().WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        catch (Exception) { /* the other side went away or the proxy was cut */ }
        from.Dispose();
        to.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
