using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Storage;

namespace Queue.Tests.Infrastructure;

/// <summary>A real SMTP server (the SmtpServer library) on loopback, keeping every message it accepts; it can be stopped and started again on its port.</summary>
public sealed class SmtpSink : IAsyncDisposable
{
    SmtpServer.SmtpServer? server;

    public int Port { get; } = FreePort();

    public bool Running => server is not null;

    /// <summary>Each accepted message with its envelope's recipients.</summary>
    public ConcurrentQueue<(MimeMessage Message, IReadOnlyList<string> Recipients)> Messages { get; } = new();

    public async Task StartAsync()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(Messages));
        server = new SmtpServer.SmtpServer(options, services);
        _ = server.StartAsync(CancellationToken.None);
        // Listening is set up in the background: wait until a client can connect.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (attempt < 100)
            {
                await Task.Delay(20);
            }
        }
    }

    /// <summary>Stops listening: a client is refused until it starts again.</summary>
    public async Task StopAsync()
    {
        if (server is null) return;
        server.Shutdown();
        await server.ShutdownTask;
        server = null;
    }

    public IEnumerable<(MimeMessage Message, IReadOnlyList<string> Recipients)> About(string subject) =>
        Messages.Where(m => m.Message.Subject?.Contains($" {subject} ", StringComparison.Ordinal) == true);

    public ValueTask DisposeAsync() => new(StopAsync());

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    sealed class Store(ConcurrentQueue<(MimeMessage, IReadOnlyList<string>)> messages) : MessageStore
    {
        public override async Task<SmtpServer.Protocol.SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            messages.Enqueue((message, [.. transaction.To.Select(m => $"{m.User}@{m.Host}")]));
            return SmtpServer.Protocol.SmtpResponse.Ok;
        }
    }
}
