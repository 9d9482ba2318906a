using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Queue.Tests.Ingest.Scenarios;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// Sustained ingest as producers send it: several clients post batches in a loop. The events of a call or a visit are
/// spread over consecutive batches, so batches in flight together touch the same calls. A batch that is not
/// acknowledged (the service gone, a 503) is sent again, written another way (another offset, fields reversed), until
/// it is, as event ids make safe. Every event sent is kept, to recompute what PostgreSQL must hold
/// (<see cref="LoadCheck"/>); every acknowledged id, to check that none is lost.
/// </summary>
public sealed class IngestLoad : IAsyncDisposable
{
    static readonly string[] Resolutions = ["resolved", "resolved", "resolved", "resolved", "resolved", "resolved", "escalated", "unresolved", "field_visit", "field_visit"];
    static readonly string[] Statuses = ["available", "busy", "wrap_up", "break", "offline"];

    readonly Func<HttpClient> clients;
    readonly Func<DateTimeOffset> now;
    readonly int clientCount;
    readonly int callsPerBatch;
    readonly Random random;
    readonly Lock planning = new();
    readonly Dictionary<long, List<ScenarioEvent>> later = [];
    readonly ConcurrentDictionary<string, ScenarioEvent> sent = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<string> acknowledged = new();
    readonly ConcurrentDictionary<string, int> answers = new(StringComparer.Ordinal);
    readonly ConcurrentQueue<string> unexpected = new();
    readonly CancellationTokenSource stopping = new();
    readonly List<Task> running = [];
    TaskCompletionSource? paused;
    long batches, acks, retried, committedUnanswered, inFlight, parked;
    long slowest503Ticks, missingRetryAfter;

    public IngestLoad(Func<HttpClient> clients, Func<DateTimeOffset> now, string tag, int seed, int clientCount = 4, int callsPerBatch = 20)
    {
        this.clients = clients;
        this.now = now;
        this.clientCount = clientCount;
        this.callsPerBatch = callsPerBatch;
        random = new Random(seed);
        Tag = tag;
        var start = now();
        T0 = new DateTimeOffset(start.UtcTicks - start.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        Queues = [$"{tag}-a", $"{tag}-b", $"{tag}-c"];
    }

    /// <summary>Every id, call, visit, agent and queue of this load starts with <c>{Tag}-</c>.</summary>
    public string Tag { get; }
    public DateTimeOffset T0 { get; }
    public IReadOnlyList<string> Queues { get; }

    /// <summary>Batches taken so far (each is sent until acknowledged).</summary>
    public long Batches => Interlocked.Read(ref batches);

    /// <summary>Batches acknowledged with a 200.</summary>
    public long Acks => Interlocked.Read(ref acks);

    /// <summary>Sends of a batch after its first one.</summary>
    public long Retried => Interlocked.Read(ref retried);

    /// <summary>Retried batches whose events were all stored already: committed, but the answer was lost.</summary>
    public long CommittedUnanswered => Interlocked.Read(ref committedUnanswered);

    /// <summary>Posts sent and not yet answered.</summary>
    public long InFlight => Interlocked.Read(ref inFlight);

    public IReadOnlyCollection<string> Acknowledged => [.. acknowledged];
    public IReadOnlyDictionary<string, ScenarioEvent> Sent => sent;

    /// <summary>Every answer and failure, by kind: "200", "503", "unreachable", "timeout", …</summary>
    public IReadOnlyDictionary<string, int> Answers => answers;

    /// <summary>Answers that are neither a 200, a 503 nor the service being out of reach (each with its body).</summary>
    public IReadOnlyCollection<string> Unexpected => [.. unexpected];

    public TimeSpan Slowest503 => TimeSpan.FromTicks(Interlocked.Read(ref slowest503Ticks));
    public long MissingRetryAfter => Interlocked.Read(ref missingRetryAfter);

    public void Start()
    {
        for (var c = 0; c < clientCount; c++) running.Add(Task.Run(RunAsync));
    }

    /// <summary>Holds every client before its next post and returns once none is in flight: the service is quiet.</summary>
    public async Task PauseAsync()
    {
        paused = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        while (Interlocked.Read(ref parked) < running.Count(t => !t.IsCompleted)) await Task.Delay(5);
    }

    public void Resume() => Interlocked.Exchange(ref paused, null)?.TrySetResult();

    /// <summary>Waits until <paramref name="count"/> more batches are acknowledged than now.</summary>
    public async Task AcknowledgedMoreAsync(long count, TimeSpan timeout, string what)
    {
        var target = Acks + count;
        var clock = Stopwatch.StartNew();
        while (Acks < target)
        {
            if (clock.Elapsed > timeout)
                throw new TimeoutException($"{what}: {Acks - target + count} of {count} batches acknowledged in {timeout.TotalSeconds:0} s; answers {Describe()}");
            await Task.Delay(10);
        }
    }

    /// <summary>Takes no new batches; those in flight are sent until acknowledged (for at most <paramref name="patience"/>).</summary>
    public async Task StopAsync(TimeSpan? patience = null)
    {
        await stopping.CancelAsync();
        Resume();
        await Task.WhenAll(running).WaitAsync(patience ?? TimeSpan.FromSeconds(60));
    }

    public string Describe() =>
        string.Join(", ", answers.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}: {a.Value}"))
        + $"; {Batches} batches, {Acks} acknowledged, {Retried} re-sent, {CommittedUnanswered} committed with the answer lost";

    async Task RunAsync()
    {
        using var http = clients();
        while (!stopping.IsCancellationRequested)
        {
            await CheckpointAsync();
            if (stopping.IsCancellationRequested) break;
            var batch = NextBatch();
            for (var attempt = 0; ; attempt++)
            {
                if (attempt > 0)
                {
                    Interlocked.Increment(ref retried);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200, 20 * attempt)));
                    await CheckpointAsync();
                }
                var outcome = await SendAsync(http, batch, attempt);
                if (outcome is Outcome.Acknowledged or Outcome.Refused) break;
                if (stopping.IsCancellationRequested && attempt > 300)
                {
                    unexpected.Enqueue($"a batch was still not acknowledged after {attempt} sends; answers {Describe()}");
                    break;
                }
            }
        }
    }

    async Task CheckpointAsync()
    {
        if (Volatile.Read(ref paused) is not { } gate) return;
        Interlocked.Increment(ref parked);
        try
        {
            await gate.Task;
        }
        finally
        {
            Interlocked.Decrement(ref parked);
        }
    }

    enum Outcome { Acknowledged, Again, Refused }

    async Task<Outcome> SendAsync(HttpClient http, List<ScenarioEvent> batch, int attempt)
    {
        var body = new JsonArray([.. batch.Select(e => (JsonNode)e.Json(T0, rewritten: attempt % 2 == 1))]);
        var clock = Stopwatch.StartNew();
        Interlocked.Increment(ref inFlight);
        try
        {
            using var response = await http.PostAsync("/api/events", JsonContent.Create(body));
            var status = (int)response.StatusCode;
            Count(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                // A batch is stored whole or not at all: a re-send that finds every event stored was committed unanswered.
                if (attempt > 0 && answer.GetProperty("new").GetInt32() == 0) Interlocked.Increment(ref committedUnanswered);
                foreach (var e in batch) acknowledged.Enqueue(e.Id);
                Interlocked.Increment(ref acks);
                return Outcome.Acknowledged;
            }
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                var took = clock.Elapsed.Ticks;
                long seen;
                while (took > (seen = Interlocked.Read(ref slowest503Ticks)) && Interlocked.CompareExchange(ref slowest503Ticks, took, seen) != seen) { }
                if (response.Headers.RetryAfter is null) Interlocked.Increment(ref missingRetryAfter);
                return Outcome.Again;
            }
            unexpected.Enqueue($"{status}: {await response.Content.ReadAsStringAsync()}");
            return Outcome.Refused;
        }
        catch (HttpRequestException)
        {
            Count("unreachable"); // refused or cut off: the process is gone
            return Outcome.Again;
        }
        catch (TaskCanceledException)
        {
            Count("timeout"); // no answer within the client's timeout: a hang
            return Outcome.Again;
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }

    void Count(string kind) => answers.AddOrUpdate(kind, 1, (_, n) => n + 1);

    /// <summary>
    /// The next batch: new calls queued (some transferred), answers and abandons of the calls of the batch before,
    /// completions and visits of the one before that, visit outcomes of the one before that, and agents' statuses.
    /// Times lie 10 to 1 minutes before now, so every event is accepted whenever it is sent.
    /// </summary>
    List<ScenarioEvent> NextBatch()
    {
        lock (planning)
        {
            var b = batches++;
            var batch = later.Remove(b, out var due) ? due : [];
            var at = now().AddMinutes(-10) - T0;
            TimeSpan Jitter(double maxSeconds) => TimeSpan.FromTicks((long)(random.NextDouble() * maxSeconds * 1_000_000) * 10);
            void Later(long offset, ScenarioEvent e)
            {
                if (!later.TryGetValue(b + offset, out var list)) later[b + offset] = list = [];
                list.Add(e);
            }
            ScenarioEvent New(string id, string type, TimeSpan when, string subject) => new(id, type, when, subject, random.Next(9));

            for (var i = 0; i < callsPerBatch; i++)
            {
                var n = b * callsPerBatch + i;
                var call = $"{Tag}-c{n}";
                var queued = at + Jitter(60);
                var queue = Queues[random.Next(Queues.Count)];
                batch.Add(New($"{Tag}-{n}-q", "call.queued", queued, call) with { Queue = queue, Region = $"{Tag}-r{random.Next(4)}" });
                var legStart = queued;
                if (random.NextDouble() < 0.15)
                {
                    legStart = queued + Jitter(20);
                    batch.Add(New($"{Tag}-{n}-t", "call.transferred", legStart, call) with { ToQueue = Queues[(Array.IndexOf([.. Queues], queue) + 1) % Queues.Count] });
                }
                var roll = random.NextDouble();
                if (roll < 0.7)
                {
                    var answered = legStart + Jitter(60);
                    Later(1, New($"{Tag}-{n}-a", "call.answered", answered, call) with { Agent = $"{Tag}-ag{random.Next(10)}" });
                    var completed = answered + TimeSpan.FromSeconds(5) + Jitter(295);
                    var resolution = Resolutions[random.Next(Resolutions.Length)];
                    var visit = resolution == "field_visit" ? $"{Tag}-v{n}" : null;
                    Later(2, New($"{Tag}-{n}-d", "call.completed", completed, call) with { Resolution = resolution, VisitId = visit });
                    if (visit is null) continue;
                    Later(2, New($"{Tag}-{n}-vc", "visit.created", completed, visit) with { CallId = call, Region = $"{Tag}-r{random.Next(4)}" });
                    var end = random.NextDouble();
                    if (end < 0.5) Later(3, New($"{Tag}-{n}-vr", "visit.resolved", completed + TimeSpan.FromSeconds(1) + Jitter(119), visit));
                    else if (end < 0.6) Later(3, New($"{Tag}-{n}-vx", "visit.cancelled", completed + TimeSpan.FromSeconds(1) + Jitter(119), visit));
                }
                else if (roll < 0.85)
                {
                    Later(1, New($"{Tag}-{n}-x", "call.abandoned", legStart + Jitter(40), call));
                }
                // else: still waiting
            }
            for (var s = 0; s < 2; s++)
            {
                batch.Add(New($"{Tag}-{b}-s{s}", "agent.status", at + Jitter(540), $"{Tag}-ag{random.Next(10)}") with
                {
                    Status = Statuses[random.Next(Statuses.Length)],
                    Queues = random.Next(3) == 0 ? [.. Queues.Where((_, q) => q == 0 || random.Next(2) == 0)] : null,
                });
            }
            foreach (var e in batch) sent[e.Id] = e;
            return batch;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopping.IsCancellationRequested)
        {
            try
            {
                await StopAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // the test failed already; the clients end with the process
            }
        }
        stopping.Dispose();
    }
}
