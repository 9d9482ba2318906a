using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// A screen that stops reading (a TV whose network stalls) holds back neither the node's other screens nor a queue of
/// messages on the node: while its last update is still being written, its rounds are passed over, and once it has taken
/// it, it is written every snapshot it missed, whole (ADR 0009, <c>ScreenConnections</c>).
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class SlowScreenTests(SlowScreenTests.Service service) : IClassFixture<SlowScreenTests.Service>
{
    /// <summary>
    /// The service as a process, its wait target an hour: the test's 3,000 calls wait minutes, and 3,000 wait alerts
    /// raised and written while the rounds go would be a load of their own, not what is tested here.
    /// </summary>
    public sealed class Service : OwnService
    {
        protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["Queue__Targets__Wait"] = "01:00:00" };
    }

    // Each round brings this many new queues, each sent whole the first time: ~700 KB of JSON a round, ten rounds more
    // than the buffers between the node and a stalled screen hold.
    const int PerRound = 300;
    const int Rounds = 10;

    [Fact]
    public async Task A_stalled_screen_is_passed_over_then_brought_the_last_state_whole_and_the_others_get_every_round()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await service.Node.CreateKeyAsync("slow screens", "wallboard", ct);
        using var http = service.Client();
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);

        var socket = new StallingSocket();
        await using var stalled = LiveClient.Over(Connection(service.Node.Address, key, socket));
        await using var steady = await LiveClient.ConnectAsync(service.Node.Address, key);
        try
        {
            await stalled.Connection.StartAsync(ct);
            await stalled.WatchAsync();
            await steady.WatchAsync();
            // From here the stalled screen reads nothing from its socket.
            socket.Stall();

            for (var round = 0; round < Rounds; round++)
            {
                await http.PostEventsRetryingAsync([.. Enumerable.Range(0, PerRound).Select(i =>
                    Ev.Queued($"slow-{round}-{i}", at.AddSeconds(round), $"slow-c{round}-{i}", Queue(round, i)))]);
                var last = Queue(round, PerRound - 1);
                // The steady screen is not held back by the stalled one: every round reaches it.
                await steady.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == last), TimeSpan.FromSeconds(20));
            }
            var steadyGot = steady.DrainChanges().Count;

            // Let go, it reads what the buffers on the way held, then what the node wrote it when it could take something
            // again: every queue as it is now.
            socket.Release();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!AllHeld(stalled) && DateTime.UtcNow < deadline) await Task.Delay(100, ct);
            var held = Enumerable.Range(0, Rounds).Sum(r => Enumerable.Range(0, PerRound).Count(i => stalled.Held(Queue(r, i)) is not null));
            Assert.True(AllHeld(stalled), $"the stalled screen holds {held} of {Rounds * PerRound} queues");
            // Passed over, not queued: it was written fewer messages than the others, and never a change against a
            // snapshot it did not hold.
            var got = stalled.DrainChanges().Count;
            Assert.True(got < steadyGot, $"the stalled screen was sent {got} messages and the steady one {steadyGot}: every round was kept for it");
            Assert.Equal(0, stalled.Missed);
            // And counted, for whoever watches the node.
            using var anonymous = new HttpClient { BaseAddress = service.Node.Address };
            Assert.True((await Telemetry.Scrape.OfAsync(anonymous)).Sum("queue_live_rounds_missed_total") >= steadyGot - got,
                "the rounds passed over are not counted");
            Assert.Equal(HubConnectionState.Connected, stalled.Connection.State);
        }
        finally
        {
            socket.Release();
        }
    }

    static string Queue(int round, int i) => $"slow-{round}-q{i}";

    static bool AllHeld(LiveClient client) =>
        Enumerable.Range(0, Rounds).All(r => Enumerable.Range(0, PerRound).All(i => client.Held(Queue(r, i)) is { CallsWaiting: 1 }));

    /// <summary>A screen over <paramref name="socket"/>, whose TCP socket takes 4 KB at a time.</summary>
    static HubConnection Connection(Uri service, string key, StallingSocket socket) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(service, "hubs/live"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.WebSocketFactory = async (context, ct) =>
                {
                    socket.Inner.Options.SetRequestHeader("X-Api-Key", key);
                    var handler = new SocketsHttpHandler
                    {
                        ConnectCallback = async (c, token) =>
                        {
                            var s = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 4096 };
                            try
                            {
                                await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, c.DnsEndPoint.Port), token);
                                return new NetworkStream(s, ownsSocket: true);
                            }
                            catch
                            {
                                s.Dispose();
                                throw;
                            }
                        },
                    };
                    await socket.Inner.ConnectAsync(context.Uri, new HttpMessageInvoker(handler), ct);
                    return socket;
                };
            })
            // Reading nothing, the client hears nothing from the service: on a slow machine the ten rounds take longer
            // than the client's own 30 s server timeout, and it would close the connection itself. What is tested is
            // the node, with the screen still there.
            .WithServerTimeout(TimeSpan.FromMinutes(5))
            .Build();

    /// <summary>A client WebSocket that, stalled, reads nothing until released: a screen whose network stopped.</summary>
    sealed class StallingSocket : WebSocket
    {
        volatile TaskCompletionSource? stall;

        public ClientWebSocket Inner { get; } = new();

        public void Stall() => stall = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => stall?.TrySetResult();

        public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
        {
            if (stall is { } s) await s.Task.WaitAsync(cancellationToken);
            return await Inner.ReceiveAsync(buffer, cancellationToken);
        }

        public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (stall is { } s) await s.Task.WaitAsync(cancellationToken);
            return await Inner.ReceiveAsync(buffer, cancellationToken);
        }

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            Inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            Inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken);

        public override WebSocketCloseStatus? CloseStatus => Inner.CloseStatus;
        public override string? CloseStatusDescription => Inner.CloseStatusDescription;
        public override WebSocketState State => Inner.State;
        public override string? SubProtocol => Inner.SubProtocol;
        public override void Abort() => Inner.Abort();

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            Inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
            Inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

        public override void Dispose() => Inner.Dispose();
    }
}
