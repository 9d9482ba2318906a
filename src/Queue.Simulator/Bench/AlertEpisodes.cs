using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Queue.Simulator.Bench;

/// <summary>
/// Breach episodes, one after another in each bench queue, each recorded by the <see cref="AlertWatch"/>:
/// time-driven <c>queue.wait</c> (a call waits past the target and nothing else happens) and event-driven
/// <c>queue.asa</c> (the answer that takes the rolling hour's average wait past the target).
/// </summary>
internal sealed class AlertEpisodes(HttpClient http, AlertWatch watch, TimeSpan timeout, DateTimeOffset lastEnd)
{
    static readonly MediaTypeHeaderValue Json = new("application/json");
    readonly string run = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Random.Shared.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
    public ConcurrentQueue<EpisodeOutcome> Wait { get; } = new();
    public ConcurrentQueue<EpisodeOutcome> Asa { get; } = new();

    /// <summary>
    /// In one queue: a call is queued now, so the longest wait passes the target at (queued + target) with no event;
    /// the raise is awaited, the call answered (the alert clears), and after a short pause the next call comes.
    /// The first starts after a random part of the target, so that crossings spread over the run.
    /// </summary>
    public async Task WaitEpisodesAsync(string queue, TimeSpan target, CancellationToken ct)
    {
        await Task.Delay(Random.Shared.NextDouble() * (target + TimeSpan.FromSeconds(1)), ct);
        for (var k = 0; ; k++)
        {
            var queuedAt = BenchClock.NowMicroseconds;
            var crossing = queuedAt + target;
            if (crossing + timeout > lastEnd) return;
            var call = $"aw-{run}-{queue}-{k}";
            var episode = new Episode(queue, watch.Clients, crossing);
            watch.Begin(AlertBench.QueueWait, queue, episode);
            await PostAsync([SteadyLoad.Queued(call + "-q", call, queue, queuedAt)], ct);
            await Until(episode.AllRaised.Task, crossing + timeout, ct);

            var answeredAt = BenchClock.NowMicroseconds;
            await PostAsync([SteadyLoad.Event(call + "-a", "call.answered", answeredAt, $"\"callId\":\"{call}\",\"agentId\":\"{queue}-agent\"")], ct);
            episode.ClearTrigger = BenchClock.Now;
            if (episode.AnyRaised) await Until(episode.AllCleared.Task, BenchClock.Now + timeout, ct);
            Wait.Enqueue(watch.End(AlertBench.QueueWait, queue, episode));
            await Pause(ct);
        }
    }

    /// <summary>
    /// In one queue: nine calls answered after a minute, then, episode after episode, one answered call whose wait
    /// takes the rolling 60-minute ASA just past the target (the crossing event; with the tenth answer the minimum
    /// sample is reached), the raise awaited, then enough calls answered at once to bring the ASA back under the
    /// clear margin. Each cycle adds more than a tenth to the samples, so after <paramref name="cycles"/> the next
    /// queue takes over.
    /// </summary>
    public async Task AsaEpisodesAsync(string queuePrefix, TimeSpan target, int cycles, CancellationToken ct)
    {
        var t = target.TotalSeconds;
        for (var generation = 0; ; generation++)
        {
            var queue = $"{queuePrefix}-{generation:000}";
            long samples = 9, sum = 9 * 60;
            await PostAsync(AnsweredCalls(queue, "pre", 9, TimeSpan.FromSeconds(60)), ct);
            await Task.Delay(Random.Shared.NextDouble() * TimeSpan.FromSeconds(2), ct);
            for (var k = 0; k < cycles; k++)
            {
                if (BenchClock.Now + 2 * timeout > lastEnd) return;
                // Strictly past the target: (sum + wait) / (samples + 1) > t.
                var wait = (long)Math.Floor(t * (samples + 1) - sum) + 5;
                var episode = new Episode(queue, watch.Clients, default);
                watch.Begin(AlertBench.QueueAsa, queue, episode);
                await PostAsync(AnsweredCalls(queue, $"r{k}", 1, TimeSpan.FromSeconds(Math.Max(1, wait))), ct);
                episode.Trigger = BenchClock.Now;
                sum += Math.Max(1, wait);
                samples++;
                await Until(episode.AllRaised.Task, episode.Trigger + timeout, ct);
                await Pause(ct);

                // Back under the clear margin (10 % by default; 11 % here): sum / (samples + m) ≤ 0.89 t.
                var m = (int)Math.Max(1, Math.Ceiling(sum / (0.89 * t) - samples));
                await PostAsync(AnsweredCalls(queue, $"c{k}", m, TimeSpan.Zero), ct);
                episode.ClearTrigger = BenchClock.Now;
                samples += m;
                if (episode.AnyRaised) await Until(episode.AllCleared.Task, BenchClock.Now + timeout, ct);
                Asa.Enqueue(watch.End(AlertBench.QueueAsa, queue, episode));
                await Pause(ct);
            }
        }
    }

    // Calls queued `wait` ago and answered now, in one batch: they never wait in live state, only count in the windows.
    List<string> AnsweredCalls(string queue, string tag, int count, TimeSpan wait)
    {
        var now = BenchClock.NowMicroseconds;
        var events = new List<string>(2 * count);
        for (var i = 0; i < count; i++)
        {
            var call = $"aa-{run}-{queue}-{tag}-{i}";
            events.Add(SteadyLoad.Queued(call + "-q", call, queue, now - wait));
            events.Add(SteadyLoad.Event(call + "-a", "call.answered", now, $"\"callId\":\"{call}\",\"agentId\":\"{queue}-agent\""));
        }
        return events;
    }

    async Task PostAsync(IEnumerable<string> events, CancellationToken ct)
    {
        using var content = new StringContent("[" + string.Join(',', events) + "]", Encoding.UTF8);
        content.Headers.ContentType = Json;
        using var response = await http.PostAsync("api/events", content, ct);
        if (!response.IsSuccessStatusCode)
            throw new BenchException($"posting an episode's events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    // Waits for what the clients are to see, until a deadline on the bench clock; a miss is recorded, not thrown.
    static async Task Until(Task seen, DateTimeOffset deadline, CancellationToken ct)
    {
        var left = deadline - BenchClock.Now;
        if (left <= TimeSpan.Zero) return;
        try
        {
            await seen.WaitAsync(left, ct);
        }
        catch (TimeoutException)
        {
            // missed: the outcome says so
        }
    }

    static Task Pause(CancellationToken ct) => Task.Delay(TimeSpan.FromMilliseconds(500 + Random.Shared.Next(1500)), ct);
}
