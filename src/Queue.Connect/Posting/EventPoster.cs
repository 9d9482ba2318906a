using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Queue.Connect.Posting;

/// <summary>How posting behaves; the defaults suit a PBX beside a service on the same network.</summary>
internal sealed record PosterOptions(TimeSpan FirstRetry, TimeSpan MaxRetry, TimeSpan AttemptTimeout)
{
    public static readonly PosterOptions Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
}

/// <summary>
/// Posts batches to <c>POST /api/events</c> with the key in <c>X-Api-Key</c>, and does not come back before the service
/// has acknowledged them or refused them for good:
/// <list type="bullet">
/// <item>while the service is away — connection refused, a timeout, 5xx, 408, 429 (honouring <c>Retry-After</c>) —
/// it waits and tries again, with exponential back-off and jitter up to <see cref="PosterOptions.MaxRetry"/>, for as
/// long as it takes: ids make a repeat harmless;</item>
/// <item>401/403 stop the connector (<see cref="KeyRefusedException"/>): every later batch would fail alike, and its
/// position must not move past events that were never taken;</item>
/// <item>any other 4xx refuses the batch as a whole (SPEC §2): it is halved and each half posted again until the
/// events refused on their own are found; those go to the <see cref="RejectFile"/> with the problem document, and
/// the rest is taken.</item>
/// </list>
/// </summary>
internal sealed partial class EventPoster
{
    readonly HttpClient http;
    readonly string key;
    readonly RejectFile rejects;
    readonly ILogger log;
    readonly ResiliencePipeline<HttpResponseMessage> retry;

    public EventPoster(HttpClient http, string key, RejectFile rejects, ILogger log, TimeProvider time, PosterOptions? options = null)
    {
        options ??= PosterOptions.Default;
        this.http = http;
        this.key = key;
        this.rejects = rejects;
        this.log = log;
        retry = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => Transient(r.StatusCode)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.FirstRetry,
                MaxDelay = options.MaxRetry,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options.MaxRetry)),
                OnRetry = args =>
                {
                    ServiceAway(log, args.AttemptNumber + 1, args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "?", args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }

    /// <summary>Posts <paramref name="events"/> (at most 5,000) until each is acknowledged or refused for good.</summary>
    public async Task<PostResult> PostAsync(IReadOnlyList<WireEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return PostResult.None;
        var body = WireJson.Serialize(events);
        using var response = await retry.ExecuteAsync(async token =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/events") { Content = content };
            request.Headers.Add("X-Api-Key", key);
            return await http.SendAsync(request, token);
        }, ct);
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode) return Acknowledged(text, events.Count);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) throw new KeyRefusedException(status);
        if (events.Count > 1)
        {
            var half = events.Count / 2;
            return await PostAsync([.. events.Take(half)], ct) + await PostAsync([.. events.Skip(half)], ct);
        }
        rejects.Append(status, text, events);
        Refused(log, events[0].Id, status, rejects.Path);
        return new PostResult(0, 0, 0, 1);
    }

    static PostResult Acknowledged(string text, int sent)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            return new PostResult(root.GetProperty("received").GetInt64(), root.GetProperty("new").GetInt64(), root.GetProperty("duplicates").GetInt64(), 0);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Acknowledged all the same (2xx is durable); the split between new and duplicates is unknown.
            return new PostResult(sent, 0, 0, 0);
        }
    }

    static bool Transient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max)
    {
        var after = response?.Headers.RetryAfter;
        var delay = after?.Delta ?? (after?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (delay is null) return null;
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > max ? max : delay;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The service is away (attempt {Attempt}, {What}); trying again in {Delay}")]
    static partial void ServiceAway(ILogger logger, int attempt, string what, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "The service refused event {EventId} (HTTP {Status}); written to {RejectFile}")]
    static partial void Refused(ILogger logger, string eventId, int status, string rejectFile);
}
