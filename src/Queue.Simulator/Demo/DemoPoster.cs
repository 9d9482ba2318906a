using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Queue.Ingest;
using Queue.Simulator.Traffic;

namespace Queue.Simulator.Demo;

/// <summary>The service refused the demo's events for a reason that waiting will not fix (a bad key, a bad event).</summary>
internal sealed class DemoException(string message) : Exception(message);

/// <summary>
/// Posts batches to <c>POST /api/events</c> and insists: a restarting or unreachable service (connection refused,
/// <c>503</c>, any <c>5xx</c>, a timeout) is waited for with back-off, each failure logged; a refusal that waiting
/// cannot fix is a <see cref="DemoException"/>. Events that age past the service's lateness while it is away are
/// dropped from the batch, and counted, rather than have the whole batch refused.
/// </summary>
internal sealed class DemoPoster(HttpClient http, TimeProvider time, TextWriter log)
{
    static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(30);

    /// <summary>How old an event the service takes (its <c>Queue:Ingest:Lateness</c>), less a margin for the trip.</summary>
    public TimeSpan Lateness { get; init; } = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    public long Expired { get; private set; }
    public long Retries { get; private set; }

    public async Task<IngestResult> PostAsync(IReadOnlyList<EventDocs.Event> batch, CancellationToken ct)
    {
        var wait = FirstRetry;
        while (true)
        {
            var oldest = time.GetUtcNow() - Lateness;
            if (batch.Any(e => e.At < oldest))
            {
                var kept = batch.Where(e => e.At >= oldest).ToList();
                Expired += batch.Count - kept.Count;
                batch = kept;
            }
            if (batch.Count == 0) return new IngestResult(0, 0, 0);

            string failure;
            TimeSpan? retryAfter = null;
            try
            {
                using var content = new ByteArrayContent(WireJson.Array([.. batch.Select(WireJson.Serialize)]));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("api/events", content, ct);
                if (response.IsSuccessStatusCode)
                    return await response.Content.ReadFromJsonAsync<IngestResult>(ct) ?? throw new DemoException("the service answered an empty body");
                var body = await response.Content.ReadAsStringAsync(ct);
                if (!Transient(response.StatusCode))
                    throw new DemoException($"the service refused a batch of {batch.Count} events: {(int)response.StatusCode} {Shorten(body)}");
                failure = $"{(int)response.StatusCode} {Shorten(body)}";
                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (HttpRequestException ex)
            {
                failure = ex.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = "no answer within the timeout";
            }
            Retries++;
            var delay = retryAfter is { } after && after > wait ? after : wait;
            log.WriteLine($"{Stamp(time)} demo: posting {batch.Count} events failed ({failure}); retrying in {delay.TotalSeconds:0.#} s");
            await Task.Delay(delay, time, ct);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, MaxRetry.Ticks));
        }
    }

    static bool Transient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    static string Shorten(string body) => body.Length <= 600 ? body : body[..600] + "…";

    public static string Stamp(TimeProvider time) =>
        time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
