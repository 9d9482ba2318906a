using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Queue.Live;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// A live hub client (the .NET SignalR client) that keeps every push it receives, in order. Watching, it holds what it
/// watches and applies each change as the pages do (live.ts <c>applyChange</c>), and keeps the snapshots they make.
/// </summary>
public sealed class LiveClient : IAsyncDisposable
{
    readonly Dictionary<string, Channel<(QueueSnapshot Snapshot, DateTime ReceivedUtc)>> pushes = new()
    {
        [nameof(ILiveClient.QueueUpdated)] = Channel.CreateUnbounded<(QueueSnapshot, DateTime)>(),
        [nameof(ILiveClient.CenterUpdated)] = Channel.CreateUnbounded<(QueueSnapshot, DateTime)>(),
    };

    readonly Channel<Queue.Alerts.Alert> alerts = Channel.CreateUnbounded<Queue.Alerts.Alert>();
    readonly Channel<QueueDetail> details = Channel.CreateUnbounded<QueueDetail>();
    readonly Channel<LiveUpdate> updates = Channel.CreateUnbounded<LiveUpdate>();
    readonly Channel<LiveChanges> changes = Channel.CreateUnbounded<LiveChanges>();
    // What it holds of what it watches, by queue ("" for its center).
    readonly Dictionary<string, QueueSnapshot> held = new(StringComparer.Ordinal);
    static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    int missed;
    // While a watch is being answered, the changes that came: they apply to the answer (as live.ts Watching does).
    List<LiveChanges>? answering;

    LiveClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<Queue.Alerts.Alert>(Queue.Alerts.AlertEvaluator.AlertChanged, a => alerts.Writer.TryWrite(a));
        connection.On<QueueDetail>(nameof(ILiveClient.DetailUpdated), d => details.Writer.TryWrite(d));
        connection.On<LiveChanges>(nameof(ILiveClient.Updated), c =>
        {
            changes.Writer.TryWrite(c);
            Apply(c);
        });
        foreach (var (method, channel) in pushes)
            connection.On<QueueSnapshot>(method, s => channel.Writer.TryWrite((s, DateTime.UtcNow)));
    }

    public HubConnection Connection { get; }

    /// <summary>Connects to a service in this process (long polling through the test server).</summary>
    public static async Task<LiveClient> ConnectAsync(TestServer server, string? key, bool keyInQuery = false, bool messagePack = false)
    {
        var url = new Uri(server.BaseAddress, "hubs/live" + (keyInQuery && key is not null ? "?access_token=" + Uri.EscapeDataString(key) : ""));
        var builder = new HubConnectionBuilder()
            .WithUrl(url, o =>
            {
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                if (key is not null && !keyInQuery) o.Headers["X-Api-Key"] = key;
            });
        if (messagePack) builder.AddMessagePackProtocol(o => o.SerializerOptions = LiveMessagePack.Options);
        var connection = builder.Build();
        var client = new LiveClient(connection);
        await connection.StartAsync();
        return client;
    }

    /// <summary>A client over <paramref name="connection"/>, not yet started: the caller may add handlers of its own first.</summary>
    public static LiveClient Over(HubConnection connection) => new(connection);

    /// <summary>Connects to a service process over WebSockets, the key as a bearer token.</summary>
    public static async Task<LiveClient> ConnectAsync(Uri service, string key)
    {
        var client = new LiveClient(Queue.Simulator.Bench.LiveHubConnection.Build(service, key));
        var connection = client.Connection;
        await connection.StartAsync();
        return client;
    }

    public Task<CenterJoined> JoinCenterAsync() => Connection.InvokeAsync<CenterJoined>("JoinCenter");

    public Task<QueueSnapshot[]> JoinQueuesAsync(params string[] queues) => Connection.InvokeAsync<QueueSnapshot[]>("JoinQueues", queues);

    /// <summary>Waits for a push that satisfies <paramref name="match"/>; pushes before it are passed over (and returned too).</summary>
    public async Task<(QueueSnapshot Snapshot, DateTime ReceivedUtc, List<QueueSnapshot> Before)> WaitForAsync(
        string method, Func<QueueSnapshot, bool> match, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var before = new List<QueueSnapshot>();
        try
        {
            while (true)
            {
                var push = await pushes[method].Reader.ReadAsync(cancel.Token);
                if (match(push.Snapshot)) return (push.Snapshot, push.ReceivedUtc, before);
                before.Add(push.Snapshot);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching {method} push within {timeout ?? TimeSpan.FromSeconds(10)}; {before.Count} others came");
        }
    }

    /// <summary>Watches the named queues, or with none the whole center (<see cref="LiveHub.Watch"/>).</summary>
    public async Task<LiveUpdate> WatchAsync(params string[] queues)
    {
        lock (held) answering = [];
        LiveUpdate? watched = null;
        try
        {
            return watched = await Connection.InvokeAsync<LiveUpdate>("Watch", queues.Length == 0 ? null : queues);
        }
        finally
        {
            lock (held)
            {
                var waiting = answering!;
                answering = null;
                if (watched is not null)
                {
                    held.Clear();
                    if (watched.Center is { } center) held[""] = center;
                    foreach (var q in watched.Queues) held[q.Queue!] = q;
                }
                foreach (var c in waiting) Apply(c);
            }
        }
    }

    /// <summary>Changes that applied to another snapshot than the one held: each would make a page watch again.</summary>
    public int Missed => Volatile.Read(ref missed);

    /// <summary>What it holds of a queue it watches ("" for its center), the changes applied.</summary>
    public QueueSnapshot? Held(string key)
    {
        lock (held) return held.GetValueOrDefault(key);
    }

    /// <summary><c>Updated</c> messages as they came, not yet read.</summary>
    public List<LiveChanges> DrainChanges() => DrainOf(changes);

    void Apply(LiveChanges c)
    {
        lock (held)
        {
            if (answering is { } waiting)
            {
                waiting.Add(c);
                return;
            }
            var center = c.Center is { } change ? Applied("", change) : null;
            var queues = c.Queues.Select(q => Applied(q.Queue!, q)).OfType<QueueSnapshot>().ToList();
            if (center is not null || queues.Count > 0) updates.Writer.TryWrite(new LiveUpdate(center, queues));
        }
    }

    QueueSnapshot? Applied(string key, SnapshotChange change)
    {
        held.TryGetValue(key, out var before);
        if (before is not null && change.Seq <= before.Seq) return null;
        JsonNode after;
        if (change.Base == 0)
        {
            after = JsonNode.Parse(change.Set.GetRawText())!;
        }
        else if (before is null || before.Seq != change.Base)
        {
            Interlocked.Increment(ref missed);
            return null;
        }
        else
        {
            after = JsonSerializer.SerializeToNode(before, Web)!;
            Merge(after.AsObject(), change.Set);
        }
        return held[key] = after.Deserialize<QueueSnapshot>(Web)!;
    }

    static void Merge(JsonObject into, JsonElement set)
    {
        foreach (var member in set.EnumerateObject())
        {
            if (member.Value.ValueKind == JsonValueKind.Object && into[member.Name] is JsonObject inner) Merge(inner, member.Value);
            else into[member.Name] = JsonNode.Parse(member.Value.GetRawText());
        }
    }

    public Task UnwatchAsync() => Connection.InvokeAsync("Unwatch");

    /// <summary>Waits for an <c>Updated</c> message that satisfies <paramref name="match"/>; those before it are passed over (and returned too).</summary>
    public async Task<(LiveUpdate Update, List<LiveUpdate> Before)> WaitForUpdateAsync(Func<LiveUpdate, bool> match, TimeSpan? timeout = null)
    {
        var before = new List<LiveUpdate>();
        var update = await WaitOnAsync(updates, match, before, "Updated", u => $"{u.Queues.Count} queues", timeout);
        return (update, before);
    }

    /// <summary><c>Updated</c> messages received so far and not yet read.</summary>
    public List<LiveUpdate> DrainUpdates() => DrainOf(updates);

    public Task<QueueDetail> JoinDetailAsync(string queue) => Connection.InvokeAsync<QueueDetail>("JoinDetail", queue);

    public Task LeaveDetailAsync(string queue) => Connection.InvokeAsync("LeaveDetail", queue);

    /// <summary>Waits for a detail push that satisfies <paramref name="match"/>; others before it are passed over.</summary>
    public Task<QueueDetail> WaitForDetailAsync(Func<QueueDetail, bool> match, TimeSpan? timeout = null) =>
        WaitOnAsync(details, match, [], "detail push", d => d.Snapshot.Queue ?? "", timeout);

    /// <summary>Detail pushes received so far and not yet read.</summary>
    public List<QueueDetail> DrainDetails() => DrainOf(details);

    /// <summary>Waits for an alert push that satisfies <paramref name="match"/>; others before it are passed over.</summary>
    public Task<Queue.Alerts.Alert> WaitForAlertAsync(Func<Queue.Alerts.Alert, bool> match, TimeSpan? timeout = null) =>
        WaitOnAsync(alerts, match, [], "alert push", a => $"{a.Kind} {a.Subject} {a.State}", timeout);

    // The first item of a channel that matches; those before it go to `before`; none in time says what came instead.
    static async Task<T> WaitOnAsync<T>(Channel<T> channel, Func<T, bool> match, List<T> before, string what, Func<T, string> describe, TimeSpan? timeout)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var item = await channel.Reader.ReadAsync(cancel.Token);
                if (match(item)) return item;
                before.Add(item);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching {what} within {timeout ?? TimeSpan.FromSeconds(10)}; others: {string.Join(", ", before.Select(describe))}");
        }
    }

    static List<T> DrainOf<T>(Channel<T> channel)
    {
        var list = new List<T>();
        while (channel.Reader.TryRead(out var item)) list.Add(item);
        return list;
    }

    /// <summary>Alert pushes received so far and not yet read.</summary>
    public List<Queue.Alerts.Alert> DrainAlerts() => DrainOf(alerts);

    /// <summary>Every push received so far and not yet read.</summary>
    public List<QueueSnapshot> Drain(string method)
    {
        var list = new List<QueueSnapshot>();
        while (pushes[method].Reader.TryRead(out var push)) list.Add(push.Snapshot);
        return list;
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
