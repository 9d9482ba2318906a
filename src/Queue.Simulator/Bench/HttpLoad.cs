using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Queue.Simulator.Bench;

/// <summary>What one posting phase did: how long it took, each request's latency, what the service answered.</summary>
internal sealed record PostResult(int Requests, int Events, TimeSpan Elapsed, double[] LatenciesMs, long New, long Duplicates,
    IReadOnlyDictionary<int, int> Failures, string? FirstFailure)
{
    public int Failed => Failures.Values.Sum();
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;
}

/// <summary>
/// Posts request bodies to <c>POST /api/events</c> from a number of concurrent clients, each taking the next body
/// (so a slice of the time-ordered stream goes out roughly in order), and times every request to its whole answer.
/// </summary>
internal sealed class HttpLoad(Uri address, string ingestKey) : IDisposable
{
    static readonly MediaTypeHeaderValue Json = new("application/json");

    // One connection per concurrent client, kept open: the test is of the service, not of TCP handshakes.
    readonly HttpClient http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = 256,
    })
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromMinutes(2),
        DefaultRequestHeaders = { { "X-Api-Key", ingestKey } },
    };

    public async Task<PostResult> PostAsync(IReadOnlyList<byte[]> bodies, IReadOnlyList<int> eventCounts, int clients, CancellationToken ct)
    {
        var latencies = new double[bodies.Count];
        var failures = new ConcurrentDictionary<int, int>();
        string? firstFailure = null;
        long fresh = 0, duplicates = 0;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Count)
            {
                var started = Stopwatch.GetTimestamp();
                using var content = new ByteArrayContent(bodies[i]);
                content.Headers.ContentType = Json;
                HttpStatusCode status;
                byte[] answer;
                try
                {
                    using var response = await http.PostAsync("api/events", content, ct);
                    status = response.StatusCode;
                    answer = await response.Content.ReadAsByteArrayAsync(ct);
                }
                catch (HttpRequestException ex)
                {
                    // Counted as status 0: the service did not answer at all.
                    status = 0;
                    answer = System.Text.Encoding.UTF8.GetBytes(ex.Message);
                }
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (status == HttpStatusCode.OK)
                {
                    using var json = JsonDocument.Parse(answer);
                    Interlocked.Add(ref fresh, json.RootElement.GetProperty("new").GetInt64());
                    Interlocked.Add(ref duplicates, json.RootElement.GetProperty("duplicates").GetInt64());
                }
                else
                {
                    failures.AddOrUpdate((int)status, 1, (_, n) => n + 1);
                    Interlocked.CompareExchange(ref firstFailure, $"{(int)status}: {System.Text.Encoding.UTF8.GetString(answer.AsSpan(0, Math.Min(answer.Length, 600)))}", null);
                }
            }
        }, ct)));
        var elapsed = clock.Elapsed;
        return new PostResult(bodies.Count, eventCounts.Sum(), elapsed, latencies, fresh, duplicates,
            new Dictionary<int, int>(failures), firstFailure);
    }

    public void Dispose() => http.Dispose();
}
