using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Queue.Simulator.Bench;

/// <summary>
/// This machine's clock read monotonically: the wall-clock instant the run started plus the time elapsed since on
/// <see cref="Stopwatch"/>. The service runs on the same host and stamps its own instants with the same wall clock,
/// so the two compare directly; a clock step during the run (NTP) moves neither side's intervals.
/// </summary>
internal static class BenchClock
{
    static readonly DateTimeOffset Origin = DateTimeOffset.UtcNow;
    static readonly long Started = Stopwatch.GetTimestamp();

    public static DateTimeOffset Now => Origin + Stopwatch.GetElapsedTime(Started);

    /// <summary>Now, to the microsecond: what an event's <c>at</c> keeps in PostgreSQL, so a threshold is exact.</summary>
    public static DateTimeOffset NowMicroseconds
    {
        get
        {
            var now = Now;
            return new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        }
    }
}

/// <summary>One breach episode while it runs: what each client has seen of its alert.</summary>
internal sealed class Episode(string queue, int clients, DateTimeOffset trigger)
{
    readonly Lock gate = new();
    readonly DateTimeOffset?[] raiseSeen = new DateTimeOffset?[clients];
    readonly int[] raises = new int[clients];
    readonly DateTimeOffset?[] clearSeen = new DateTimeOffset?[clients];
    readonly int[] clears = new int[clients];
    long? alertId;
    DateTimeOffset? serviceRaisedAt;

    public DateTimeOffset Trigger { get; set; } = trigger;
    public DateTimeOffset? ClearTrigger { get; set; }
    public TaskCompletionSource AllRaised { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource AllCleared { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public bool AnyRaised
    {
        get
        {
            lock (gate) return raises.Any(n => n > 0);
        }
    }

    /// <summary>A client got an AlertChanged of this episode's kind and subject; false if it is not this episode's alert.</summary>
    public bool Saw(int client, long id, string state, DateTimeOffset raisedAt, DateTimeOffset at)
    {
        lock (gate)
        {
            if (state == "open")
            {
                // A raise of another alert id inside one episode is a duplicate raise all the same.
                alertId ??= id;
                serviceRaisedAt ??= raisedAt;
                if (raises[client]++ == 0) raiseSeen[client] = at;
                if (raiseSeen.All(s => s is not null)) AllRaised.TrySetResult();
                return true;
            }
            if (state != "cleared" || id != alertId) return state == "acknowledged" && id == alertId;
            if (clears[client]++ == 0) clearSeen[client] = at;
            if (clearSeen.All(s => s is not null)) AllCleared.TrySetResult();
            return true;
        }
    }

    public EpisodeOutcome Outcome()
    {
        lock (gate) return new(queue, Trigger, serviceRaisedAt, [.. raiseSeen], [.. raises], ClearTrigger, [.. clearSeen], [.. clears]);
    }
}

/// <summary>
/// SignalR clients joined to the whole center, each recording the instant it gets every <c>AlertChanged</c>, routed
/// to the episode running for the alert's (kind, subject); any other change is counted apart.
/// </summary>
internal sealed class AlertWatch : IAsyncDisposable
{
    readonly List<HubConnection> connections = [];
    readonly ConcurrentDictionary<(string Kind, string Subject), Episode> running = new();
    readonly ConcurrentDictionary<string, int> others = new(StringComparer.Ordinal);
    long stray;

    public int Clients => connections.Count;

    /// <summary>Alert changes of other kinds or subjects than the episodes' (e.g. <c>queue.asa</c> of a slow bench queue), by kind.</summary>
    public IReadOnlyDictionary<string, int> Others => new Dictionary<string, int>(others, StringComparer.Ordinal);

    /// <summary>Changes of an episode's kind and bench queue that belong to no running episode.</summary>
    public long Stray => Interlocked.Read(ref stray);

    public async Task ConnectAsync(int count, Uri service, string key, CancellationToken ct)
    {
        for (var i = 0; i < count; i++)
        {
            var client = i;
            var connection = LiveHubConnection.Build(service, key);
            connection.On<JsonElement>("AlertChanged", alert => Seen(client, alert, BenchClock.Now));
            connections.Add(connection);
            await connection.StartAsync(ct);
            await connection.InvokeAsync<JsonElement>("JoinCenter", ct);
        }
    }

    public void Begin(string kind, string subject, Episode episode) => running[(kind, subject)] = episode;

    public EpisodeOutcome End(string kind, string subject, Episode episode)
    {
        running.TryRemove(new KeyValuePair<(string, string), Episode>((kind, subject), episode));
        return episode.Outcome();
    }

    void Seen(int client, JsonElement alert, DateTimeOffset at)
    {
        var kind = alert.GetProperty("kind").GetString()!;
        var subject = alert.GetProperty("subject").GetString()!;
        var state = alert.GetProperty("state").GetString()!;
        if (running.TryGetValue((kind, subject), out var episode) &&
            episode.Saw(client, alert.GetProperty("id").GetInt64(), state, alert.GetProperty("raisedAt").GetDateTimeOffset(), at))
            return;
        if (IsEpisodeKind(kind, subject)) Interlocked.Increment(ref stray);
        else others.AddOrUpdate($"{kind} {state}", 1, (_, n) => n + 1);
    }

    // queue.wait episodes run in the wait queues, queue.asa ones in the asa queues.
    static bool IsEpisodeKind(string kind, string subject) => kind switch
    {
        "queue.wait" => subject.StartsWith(AlertBench.WaitQueuePrefix, StringComparison.Ordinal),
        "queue.asa" => subject.StartsWith(AlertBench.AsaQueuePrefix, StringComparison.Ordinal),
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in connections) await connection.DisposeAsync();
    }
}
