using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Queue.Simulator.Bench;

/// <summary>
/// Steady traffic: every 20 ms a batch of calls (queued, answered, completed; an agent status now and then) timed now,
/// spread over the queues, as a center's events come, a few at a time; every 500 ms a probe call queued in a queue of
/// its own. It counts the calls
/// answered in each queue, so that when a batch was posted can be told from the answered count a screen shows
/// (<see cref="RunAsync"/>'s marks).
/// </summary>
internal sealed class SteadyLoad(int queues, int agents = 500)
{
    public const string ProbeQueue = "bench-probe";
    static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(20);
    // A probe every 500 ms; the run stops if the service answers 1.6 s of batches late.
    const int ProbeEvery = 25, BehindLimit = 80;
    readonly string run = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Random.Shared.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
    readonly Dictionary<string, long> answered = new(StringComparer.Ordinal);
    long sequence;
    int probe;

    /// <summary>
    /// Posts <paramref name="rate"/> events a second for <paramref name="duration"/>. <paramref name="marks"/>, if given,
    /// gets for each queue, for each batch that answered calls in it, the queue's answered count once the batch is in and
    /// when the batch was posted (a <see cref="Stopwatch"/> timestamp): the load's own events, timed as the probes are.
    /// </summary>
    public async Task<long> RunAsync(HttpClient http, int rate, TimeSpan duration, ConcurrentDictionary<int, long>? probes,
        ConcurrentDictionary<int, DateTimeOffset>? probeSent, CancellationToken ct, Dictionary<string, List<long[]>>? marks = null)
    {
        var perTick = Math.Max(1, (int)(rate * Tick.TotalSeconds));
        var started = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        long posted = 0;
        for (var tick = 0; Stopwatch.GetElapsedTime(started) < duration; tick++)
        {
            var due = TimeSpan.FromTicks(Tick.Ticks * tick) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero) await Task.Delay(due, ct);
            inFlight.RemoveAll(t => t.IsCompleted);
            if (inFlight.Count > BehindLimit) throw new BenchException($"the service fell more than {BehindLimit} batches ({(BehindLimit * Tick).TotalSeconds:F1} s) behind the load");
            var touched = new HashSet<string>(StringComparer.Ordinal);
            var batch = Batch(perTick, touched);
            var postedAt = Stopwatch.GetTimestamp();
            foreach (var queue in touched)
            {
                if (marks is null) break;
                if (!marks.TryGetValue(queue, out var list)) marks[queue] = list = [];
                list.Add([answered[queue], postedAt]);
            }
            inFlight.Add(PostAsync(http, batch, ct));
            posted += perTick;
            if (probes is not null && tick % ProbeEvery == 0)
            {
                var number = Interlocked.Increment(ref probe);
                var body = "[" + Queued($"probe-{run}-{number}", $"probe-{run}-{number}", ProbeQueue, DateTimeOffset.UtcNow) + "]";
                probes[number] = Stopwatch.GetTimestamp();
                probeSent![number] = DateTimeOffset.UtcNow;
                inFlight.Add(PostAsync(http, body, ct));
            }
        }
        await Task.WhenAll(inFlight);
        return posted;
    }

    static async Task PostAsync(HttpClient http, string body, CancellationToken ct)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("api/events", content, ct);
        if (!response.IsSuccessStatusCode)
            throw new BenchException($"posting events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    // The calls answered in the batch are counted in their queues, and those queues added to touched. Call 0 has no
    // queued event (the sequence starts at 1), so its answer counts in no queue.
    string Batch(int events, HashSet<string> touched)
    {
        var now = DateTimeOffset.UtcNow;
        var json = new StringBuilder(events * 160).Append('[');
        for (var i = 0; i < events; i++)
        {
            if (i > 0) json.Append(',');
            var n = Interlocked.Increment(ref sequence);
            var call = $"c-{run}-{n / 4}";
            var queue = QueueName((int)(n / 4 % queues));
            var at = now.AddSeconds(-(n % 4) * 5);
            if (n % 4 == 1 && n > 4)
            {
                answered[queue] = answered.GetValueOrDefault(queue) + 1;
                touched.Add(queue);
            }
            json.Append((n % 4) switch
            {
                0 => Queued($"e-{run}-{n}", call, queue, at.AddSeconds(-20)),
                1 => Event($"e-{run}-{n}", "call.answered", at.AddSeconds(-10), $"\"callId\":\"{call}\",\"agentId\":\"ag-{n % agents}\""),
                2 => Event($"e-{run}-{n}", "call.completed", at, $"\"callId\":\"{call}\",\"resolution\":\"{(n % 40 == 2 ? "field_visit" : "resolved")}\""),
                _ => Event($"e-{run}-{n}", "agent.status", at, $"\"agentId\":\"ag-{n % agents}\",\"status\":\"{(n % 8 == 3 ? "wrap_up" : "available")}\",\"queues\":[\"{queue}\"]"),
            });
        }
        return json.Append(']').ToString();
    }

    /// <summary>The name of the load's queue number <paramref name="i"/>.</summary>
    internal static string QueueName(int i) => $"bench-q{i}";

    internal static string Queued(string id, string call, string queue, DateTimeOffset at) =>
        Event(id, "call.queued", at, $"\"callId\":\"{call}\",\"queue\":\"{queue}\"");

    internal static string Event(string id, string type, DateTimeOffset at, string fields) =>
        $"{{\"id\":\"{id}\",\"type\":\"{type}\",\"at\":\"{at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)}\",{fields}}}";
}
