using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Queue.Api;

/// <summary>Stable RFC 9457 problem types. Clients switch on these, never on titles.</summary>
public static class ProblemTypes
{
    public const string InvalidEvents = "urn:queue:problem:invalid-events";
    public const string InvalidRequest = "urn:queue:problem:invalid-request";
    public const string MalformedJson = "urn:queue:problem:malformed-json";
    public const string TooLarge = "urn:queue:problem:too-large";
    public const string RequestTimeout = "urn:queue:problem:request-timeout";
    public const string UnsupportedMediaType = "urn:queue:problem:unsupported-media-type";
    public const string EventConflict = "urn:queue:problem:event-conflict";
    public const string NotFound = "urn:queue:problem:not-found";
    public const string Unauthorized = "urn:queue:problem:unauthorized";
    public const string Forbidden = "urn:queue:problem:forbidden";
    public const string DatabaseUnavailable = "urn:queue:problem:database-unavailable";
    public const string LiveUnavailable = "urn:queue:problem:live-unavailable";
    public const string AlertNotOpen = "urn:queue:problem:alert-not-open";
    public const string NoRecipients = "urn:queue:problem:no-recipients";
    public const string MailFailed = "urn:queue:problem:mail-failed";
}

public static class Problems
{
    public static ProblemHttpResult Of(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = status, Type = type, Title = title, Detail = detail,
            Extensions = extensions ?? new Dictionary<string, object?>(),
        });

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string title, string detail, string type = ProblemTypes.InvalidRequest) =>
        TypedResults.ValidationProblem(errors, detail, type: type, title: title);

    public static ProblemHttpResult NotFound(string detail) => Of(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "Not found", detail);

    /// <summary>A queue outside a scoped key's queues (<see cref="KeyScope"/>): answered as if there were no such queue.</summary>
    public static ProblemHttpResult NoSuchQueue(string queue) => NotFound($"There is no queue '{queue}' for this API key.");
}

public static class ProblemWriting
{
    /// <summary>
    /// Writes a problem document whatever the request accepts: a client that asked for CSV or plain text (a download,
    /// a script) still learns why in RFC 9457 JSON, rather than an empty 500 because no writer matched its Accept.
    /// </summary>
    public static async Task WriteAnywayAsync(this IProblemDetailsService problems, ProblemDetailsContext context)
    {
        if (await problems.TryWriteAsync(context)) return;
        await context.HttpContext.Response.WriteAsJsonAsync(context.ProblemDetails, (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json");
    }
}

/// <summary>The one place where exceptions become problem documents.</summary>
internal sealed partial class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        ProblemDetails? problem = exception switch
        {
            StackExchange.Redis.RedisException or StackExchange.Redis.RedisTimeoutException => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.LiveUnavailable,
                Title = "Live state is unavailable",
                Detail = "Redis could not be reached in time. Live state is rebuilt from PostgreSQL as soon as it is back; retry shortly.",
            },
            _ when IsDatabaseUnavailable(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.DatabaseUnavailable,
                Title = "The database is unavailable",
                Detail = "PostgreSQL could not be reached in time, so this request was not acknowledged. Retry later; "
                    + "sending a batch of events again is safe, as event ids are idempotency keys.",
            },
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Type = bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => ProblemTypes.TooLarge,
                    StatusCodes.Status408RequestTimeout => ProblemTypes.RequestTimeout,
                    _ => ProblemTypes.InvalidRequest,
                },
                Title = bad.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "The request body is too large",
                    StatusCodes.Status408RequestTimeout => "The request body arrived too slowly",
                    _ => "The request is invalid",
                },
                Detail = bad.Message,
            },
            _ => null,
        };
        if (problem is null) return false;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDatabaseUnavailable(exception.GetType().Name, exception.Message);
            http.Response.Headers.RetryAfter = "5";
        }
        http.Response.StatusCode = problem.Status!.Value;
        await problems.WriteAnywayAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
        return true;
    }

    internal static bool IsDatabaseUnavailable(Exception exception) => exception switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal) // out of memory, locks, connections, disk
            || pg.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.QueryCanceled,
        NpgsqlException => true, // socket, timeout and pool errors: the database is out of reach
        TimeoutException => true,
        _ when exception.InnerException is { } inner && inner != exception => IsDatabaseUnavailable(inner),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answering 503: PostgreSQL or Redis unavailable ({Kind}: {Reason})")]
    partial void LogDatabaseUnavailable(string kind, string reason);
}
