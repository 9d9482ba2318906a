using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Queue.Api;
using Queue.Auth;
using Queue.Ingest;

namespace Queue.Metrics;

public static class MetricsApi
{
    static readonly TimeSpan MaxWindow = TimeSpan.FromDays(400);
    const string BoundDescription = " of the window: RFC 3339 with an offset, e.g. 2026-11-25T10:00:00+05:00 or 2026-11-25T05:00:00Z."
        + " In a query string a '+' means a space: URL-encode it as %2B (2026-11-25T10:00:00%2B05:00).";

    public static WebApplicationBuilder AddMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TargetOptions>().BindConfiguration(TargetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MetricsQuery>();
        builder.Services.AddSingleton<TrendQuery>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/metrics", GetAsync)
            .RequireAuthorization(Policies.Read)
            .WithTags("Metrics")
            .WithName("GetMetrics")
            .WithSummary("The SPEC §3 figures over a window [from, to), for one queue or the whole center")
            .WithDescription("`from` and `to` are RFC 3339 timestamps with an offset (URL-encode `+` as `%2B`). Rates are fractions 0–1, seconds are seconds, and a rate with no samples is null.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Ok<WindowFigures>, ValidationProblem>> GetAsync(
        [Required, Description("The start (inclusive)" + BoundDescription)] string? from,
        [Required, Description("The end (exclusive)" + BoundDescription)] string? to,
        [Description("One queue; without it, the whole center.")] string? queue,
        MetricsQuery metrics, IOptions<TargetOptions> targets, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Rfc3339.TryParse(from, out var start)) errors["from"] = [BoundProblem(from)];
        if (!Rfc3339.TryParse(to, out var end)) errors["to"] = [BoundProblem(to)];
        if (queue is not null && !Identifiers.IsValid(queue)) errors["queue"] = [Identifiers.Rule];
        if (errors.Count == 0 && end <= start) errors["to"] = ["must be later than from"];
        if (errors.Count == 0 && end - start > MaxWindow) errors["to"] = [$"the window may span at most {MaxWindow.TotalDays:0} days"];
        if (errors.Count > 0) return Problems.Invalid(errors, "The window is invalid", "See errors for each parameter.");
        return TypedResults.Ok(await metrics.GetAsync(start, end, queue, targets.Value, time.GetUtcNow(), ct));
    }

    // An unencoded '+05:00' arrives as ' 05:00': say how to send it rather than only what is expected.
    static string BoundProblem(string? text) =>
        text is not null && text.Contains(' ') && Rfc3339.TryParse(text.Replace(' ', '+'), out _)
            ? "has a space where the offset's '+' belongs: in a query string '+' means a space, so URL-encode it as %2B, e.g. 2026-11-25T10:00:00%2B05:00"
            : "is required: " + Rfc3339.Expected;
}
