using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Queue.Api;
using Queue.Auth;
using Queue.EventLog;
using Queue.Events;
using Queue.Telemetry;

namespace Queue.Ingest;

/// <summary>The answer to an accepted batch: every event of it is durably committed.</summary>
public sealed record IngestResult(int Received, int New, int Duplicates);

public static class IngestApi
{
    static readonly JsonDocumentOptions JsonLimits = new() { MaxDepth = 8, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static WebApplicationBuilder AddIngest(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CallerHasher>();
        builder.Services.AddSingleton<EventParser>();
        // The center's zone names the report weeks a late batch marks as changed.
        builder.Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<EventWriter>(sp, sp.CenterZone()));
        builder.Services.AddSingleton<GroupCommit>();
        builder.Services.AddSingleton<EventStore>();
        return builder;
    }

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events", PostAsync)
            .RequireAuthorization(Policies.Ingest)
            .WithMetadata(IngestTelemetry.Endpoint)
            .WithTags("Ingest")
            .WithName("PostEvents")
            .WithSummary("Ingest one event or a batch of up to 5,000")
            .WithDescription("""
                The body is one event object or an array of them (at most 5,000 events, at most 10 MB). The batch is
                validated whole: one bad event rejects it with 400 and a problem document naming each bad event as
                `[index].field`. A 2xx answer means every event is durably committed. The same `id` with the same
                content counts as a duplicate; with other content the answer is 409 and nothing is stored. `at` must
                be RFC 3339 with an offset, at most 5 minutes in the future and within the configured lateness; a key of role
                `import` (or `admin`) posts events of any age, to load history.
                """)
            .Accepts<EventDocs.Event[]>("application/json")
            .Produces<IngestResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Ok<IngestResult>, ValidationProblem, ProblemHttpResult>> PostAsync(
        HttpContext http, EventParser parser, EventStore store, IOptions<IngestOptions> options, QueueMetrics metrics, CancellationToken ct)
    {
        var telemetry = new IngestTelemetry(metrics);
        try
        {
            var result = await HandleAsync(http, parser, store, options.Value, telemetry, ct);
            switch (result.Result)
            {
                case Ok<IngestResult> { Value: { } ok }: telemetry.Accepted(ok.New, ok.Duplicates); break;
                case ProblemHttpResult { StatusCode: StatusCodes.Status409Conflict }: telemetry.Rejected(RejectReasons.Conflict); break;
                case ProblemHttpResult { StatusCode: StatusCodes.Status413PayloadTooLarge }: telemetry.Rejected(RejectReasons.TooLarge); break;
                default: telemetry.Rejected(RejectReasons.Invalid); break; // 400, 415
            }
            return result;
        }
        catch (Exception e)
        {
            telemetry.Failed(e, http.RequestAborted);
            throw;
        }
    }

    static async Task<Results<Ok<IngestResult>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        HttpContext http, EventParser parser, EventStore store, IngestOptions limits, IngestTelemetry telemetry, CancellationToken ct)
    {
        if (http.Request.Headers.ContentEncoding is { Count: > 0 } encoding && encoding.ToString() != "identity")
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType,
                "Unsupported content encoding", $"Content-Encoding '{encoding}' is not accepted; send the JSON uncompressed.");
        if (!http.Request.HasJsonContentType())
            return Problems.Of(StatusCodes.Status415UnsupportedMediaType, ProblemTypes.UnsupportedMediaType,
                "Unsupported media type", "Send the events as JSON with Content-Type: application/json.");

        var (read, refused) = await ReadBodyAsync(http, limits, ct);
        if (refused is not null) return refused;
        using var body = read!;
        if (!Utf8.IsValid(body.Span))
            return Problems.Of(StatusCodes.Status400BadRequest, ProblemTypes.MalformedJson, "The body is not valid JSON",
                "The body is not valid UTF-8.");

        JsonDocument document;
        try
        {
            // RFC 8259 lets a parser ignore a UTF-8 byte order mark; some producers send one.
            var json = body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? body.Memory[3..] : body.Memory;
            document = JsonDocument.Parse(json, JsonLimits);
        }
        catch (JsonException ex)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, ProblemTypes.MalformedJson, "The body is not valid JSON",
                $"The body could not be parsed as JSON at line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}: {FirstSentence(ex.Message)}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array) telemetry.Events = Math.Max(1, root.GetArrayLength());
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > limits.MaxBatchEvents)
                return Problems.Of(StatusCodes.Status413PayloadTooLarge, ProblemTypes.TooLarge, "The batch has too many events",
                    $"The batch has {root.GetArrayLength():N0} events; at most {limits.MaxBatchEvents:N0} are accepted at once.");
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 0)
                return Problems.Invalid(new Dictionary<string, string[]> { ["batch"] = ["is empty; send at least one event"] },
                    "The batch is empty", "An empty array carries no events.", ProblemTypes.InvalidEvents);

            ParsedBatch parsed;
            try
            {
                parsed = parser.Parse(root, history: Auth.Roles.MayImport(http.User));
            }
            catch (InvalidOperationException)
            {
                // System.Text.Json parses "\ud800" (a lone surrogate escape) but cannot turn it into a string.
                return Problems.Of(StatusCodes.Status400BadRequest, ProblemTypes.MalformedJson, "The body is not valid JSON",
                    "A string in the body is not valid Unicode (an unpaired surrogate escape such as \\ud800).");
            }
            if (!parsed.IsValid)
                return Problems.Invalid(parsed.Errors.ToDictionary(), "The batch has invalid events",
                    $"{parsed.Errors.Keys.Select(k => k.Split('.')[0]).Distinct().Count()} event(s) are invalid; nothing of this batch was stored.",
                    ProblemTypes.InvalidEvents);

            return await store.AppendAsync(parsed.Events, ct) switch
            {
                AppendResult.Stored s => TypedResults.Ok(new IngestResult(s.Received, s.New, s.Duplicates)),
                AppendResult.Conflict c => Problems.Of(StatusCodes.Status409Conflict, ProblemTypes.EventConflict, "Event id conflict",
                    $"Event [{c.Index}] has id '{c.Id}', which is already taken by an event with other content; nothing of this batch was stored.",
                    new Dictionary<string, object?> { ["eventId"] = c.Id, ["index"] = c.Index }),
                _ => throw new InvalidOperationException("unknown append result"),
            };
        }
    }

    /// <summary>
    /// Reads the body up to the size limit and within the deadline; a problem instead when it is larger, cannot be read
    /// (a malformed chunk) or arrives too slowly. Bodies are pooled, never over the limit in memory.
    /// </summary>
    static async Task<(PooledBody? Body, ProblemHttpResult? Refused)> ReadBodyAsync(HttpContext http, IngestOptions limits, CancellationToken ct)
    {
        var max = limits.MaxBodyBytes;
        var tooLarge = Problems.Of(StatusCodes.Status413PayloadTooLarge, ProblemTypes.TooLarge, "The request body is too large",
            $"The body is larger than {max:N0} bytes; split the batch.");
        if (http.Request.ContentLength > max) return (null, tooLarge);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = max + 1L;
        // Kestrel ends a body that arrives slower than its minimum rate on average, but one that comes in a burst and
        // then stalls keeps that average up for minutes: the whole body must be here within the deadline. The reader's
        // pending read is cancelled rather than its token (a cancelled token leaves Kestrel's reader mid-read, and its
        // draining of the rest then fails), so the answer goes out and Kestrel drains or closes as usual.
        var reader = http.Request.BodyReader;
        using var deadline = new CancellationTokenSource(limits.BodyTimeout);
        using var stop = deadline.Token.Register(reader.CancelPendingRead);
        var body = new PooledBody((int)Math.Min(http.Request.ContentLength ?? 64 * 1024, max) + 1);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(ct);
                var buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    reader.AdvanceTo(buffer.Start);
                    body.Dispose();
                    return (null, Problems.Of(StatusCodes.Status408RequestTimeout, ProblemTypes.RequestTimeout, "The request body arrived too slowly",
                        $"The whole body must arrive within {limits.BodyTimeout.TotalSeconds:0.#} s of the request."));
                }
                if (body.Length + buffer.Length > max)
                {
                    reader.AdvanceTo(buffer.End);
                    body.Dispose();
                    return (null, tooLarge);
                }
                body.Append(buffer, max);
                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted) return (body, null);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            body.Dispose();
            return (null, tooLarge);
        }
        catch (IOException ex)
        {
            // Kestrel reports some malformed chunked framing (a chunk size that overflows) as an IOException.
            body.Dispose();
            return (null, Problems.Of(StatusCodes.Status400BadRequest, ProblemTypes.InvalidRequest, "The request body could not be read",
                $"The body is not valid HTTP framing: {ex.Message}"));
        }
    }

    static string FirstSentence(string message) => message.Split(". ", 2)[0].TrimEnd('.') + ".";

    sealed class PooledBody(int initial) : IDisposable
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(initial);

        public int Length { get; private set; }
        public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, Length);
        public ReadOnlySpan<byte> Span => buffer.AsSpan(0, Length);

        /// <summary>Appends what was read (the caller has checked it stays within <paramref name="max"/>).</summary>
        public void Append(ReadOnlySequence<byte> data, int max)
        {
            if (Length + data.Length > buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(buffer.Length * 2L, Length + data.Length), max + 1L));
                buffer.AsSpan(0, Length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            data.CopyTo(buffer.AsSpan(Length));
            Length += (int)data.Length;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(buffer);
    }
}
