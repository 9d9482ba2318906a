using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Queue.Api;
using Queue.Auth;
using Queue.Events;
using Queue.Targets;

namespace Queue.Figures;

public static class MetricsApi
{
    static readonly TimeSpan MaxWindow = TimeSpan.FromDays(400);
    internal const string BoundDescription = " of the window: RFC 3339 with an offset, e.g. 2026-11-25T10:00:00+05:00 or 2026-11-25T05:00:00Z."
        + " In a query string a '+' means a space: URL-encode it as %2B (2026-11-25T10:00:00%2B05:00).";

    public static WebApplicationBuilder AddMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TargetOptions>().BindConfiguration(TargetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MetricsQuery>();
        builder.Services.AddSingleton<TrendQuery>();
        builder.Services.AddSingleton<LegFieldsBackfill>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LegFieldsBackfill>());
        return builder;
    }

    const string FilterDescription = """
        `region`, `language` and `segment` narrow every figure to calls whose `call.queued` carried that value: their legs
        and their completion. A visit counts by its own `region` (from `visit.created`), and by the `language` and
        `segment` of its call, as it counts in the queue of that call's last leg: the call it names, or else the first call
        whose completion names it; a visit with no call has neither. Filters combine (all must hold); each is an
        identifier (1–100 letters, digits, `.`, `_`, `-`, `:`).
        """;

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/metrics").RequireAuthorization(Policies.Read).WithTags("Metrics")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("", GetAsync)
            .Produces<string>(StatusCodes.Status200OK, Csv.MediaType)
            .WithName("GetMetrics")
            .WithSummary("The SPEC §3 figures over a window [from, to), for one queue or the whole center, optionally by region, language and segment")
            .WithDescription("`from` and `to` are RFC 3339 timestamps with an offset (URL-encode `+` as `%2B`). Rates are fractions 0–1, seconds are seconds, and a rate with no samples is null.\n\n" + FilterDescription + CsvDescription);
        group.MapGet("/breakdown", BreakdownAsync)
            .Produces<string>(StatusCodes.Status200OK, Csv.MediaType)
            .WithName("GetMetricsBreakdown")
            .WithSummary("The SPEC §3 figures over a window for each region, language or segment met in it")
            .WithDescription("""
                One row per value of `by` (`region`, `language` or `segment`) that calls or visits of the window carry, ordered by
                value; a row with `value` null holds those that carry none ("unknown"). A row's `figures` are what `/api/metrics`
                gives with that value as a filter (and the same `queue` and other filters), and `states` judge them against
                `targets`: the queue's, or the center's.
                """ + "\n\n" + FilterDescription + CsvDescription);
        // The same as CSV downloads, by their names (a browser's link cannot send an Accept header).
        var csv = app.MapGroup("/api/metrics").RequireAuthorization(Policies.Read).ExcludeFromDescription();
        csv.MapGet("/breakdown.csv", BreakdownAsync);
        app.MapGet("/api/metrics.csv", GetAsync).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        return app;
    }

    const string CsvDescription = "\n\nAs CSV (`Accept: text/csv`, or the path with `.csv`): the same figures, a column each.";

    static async Task<Results<Ok<WindowFigures>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetAsync(
        [Required, Description("The start (inclusive)" + BoundDescription)] string? from,
        [Required, Description("The end (exclusive)" + BoundDescription)] string? to,
        [Description("One queue; without it, the whole center.")] string? queue,
        [Description("Calls of one region, and visits of it.")] string? region,
        [Description("Calls of one language, and their visits.")] string? language,
        [Description("Calls of one segment, and their visits.")] string? segment,
        HttpRequest request, KeyScope scope, MetricsQuery metrics, IOptions<TargetOptions> targets, TimeProvider time, CancellationToken ct)
    {
        var errors = Validate(from, to, out var start, out var end);
        var filter = Filter(queue, region, language, segment, scope, errors);
        if (errors.Count > 0) return Problems.Invalid(errors, "The window is invalid", "See errors for each parameter.");
        if (filter is null) return Problems.NoSuchQueue(queue!);
        var figures = await metrics.GetAsync(start, end, filter, targets.Value, time.GetUtcNow(), ct);
        return Csv.Wanted(request) ? Csv.File([figures], FileName("figures", figures.Queue, start, end)) : TypedResults.Ok(figures);
    }

    static async Task<Results<Ok<MetricsBreakdown>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> BreakdownAsync(
        [Required, Description("The start (inclusive)" + BoundDescription)] string? from,
        [Required, Description("The end (exclusive)" + BoundDescription)] string? to,
        [Required, Description("What a row is: `region`, `language` or `segment`.")] string? by,
        [Description("One queue; without it, the whole center.")] string? queue,
        [Description("Calls of one region, and visits of it.")] string? region,
        [Description("Calls of one language, and their visits.")] string? language,
        [Description("Calls of one segment, and their visits.")] string? segment,
        HttpRequest request, KeyScope scope, MetricsQuery metrics, Targets.QueueTargets targets, TimeProvider time, CancellationToken ct)
    {
        var errors = Validate(from, to, out var start, out var end);
        var filter = Filter(queue, region, language, segment, scope, errors);
        Breakdown dimension = default;
        if (by is not ("region" or "language" or "segment")) errors["by"] = ["is required: region, language or segment"];
        else dimension = Enum.Parse<Breakdown>(by, ignoreCase: true);
        if (errors.Count > 0) return Problems.Invalid(errors, "The breakdown asked for is invalid", "See errors for each parameter.");
        if (filter is null) return Problems.NoSuchQueue(queue!);

        var rows = await metrics.BreakdownAsync(start, end, filter, dimension, targets.Defaults, time.GetUtcNow(), ct);
        var t = targets.For(filter.Queue);
        var breakdown = new MetricsBreakdown(start, end, filter.Queue, filter.Region, filter.Language, filter.Segment, by!,
            TargetStates.Of(t), rows.Select(r => new BreakdownRow(r.Value, WindowFigures.Of(start, end, filter, r.Counts), BreakdownStates.Of(r.Counts, t))).ToList());
        return Csv.Wanted(request)
            ? Csv.File(breakdown.Rows, FileName($"figures-by-{by}", filter.Queue, start, end), BreakdownRow.Inline)
            : TypedResults.Ok(breakdown);
    }

    // figures-b2c-2026-11-25T1000-to-2026-11-26T0000: what and when, in characters every file system takes.
    internal static string FileName(string what, string? queue, DateTimeOffset from, DateTimeOffset to) =>
        $"{what}-{queue ?? "center"}-{Stamp(from)}-to-{Stamp(to)}";

    static string Stamp(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HHmm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A window's bounds as every window of the API takes them: RFC 3339 with an offset, from before to, at most 400 days.</summary>
    internal static Dictionary<string, string[]> Validate(string? from, string? to, out DateTimeOffset start, out DateTimeOffset end)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Rfc3339.TryParse(from, out start)) errors["from"] = [BoundProblem(from)];
        if (!Rfc3339.TryParse(to, out end)) errors["to"] = [BoundProblem(to)];
        if (errors.Count == 0 && end <= start) errors["to"] = ["must be later than from"];
        if (errors.Count == 0 && end - start > MaxWindow) errors["to"] = [$"the window may span at most {MaxWindow.TotalDays:0} days"];
        return errors;
    }

    // Null: the queue asked for is outside the key's scope (404, as if it did not exist).
    static MetricsFilter? Filter(string? queue, string? region, string? language, string? segment, KeyScope scope, Dictionary<string, string[]> errors)
    {
        foreach (var (name, value) in new[] { ("queue", queue), ("region", region), ("language", language), ("segment", segment) })
            if (value is not null && !Identifiers.IsValid(value)) errors[name] = [Identifiers.Rule];
        var (visible, team) = scope.Narrow(queue);
        return visible ? new MetricsFilter(queue, region, language, segment, team) : null;
    }

    // An unencoded '+05:00' arrives as ' 05:00': say how to send it rather than only what is expected.
    static string BoundProblem(string? text) =>
        text is not null && text.Contains(' ') && Rfc3339.TryParse(text.Replace(' ', '+'), out _)
            ? "has a space where the offset's '+' belongs: in a query string '+' means a space, so URL-encode it as %2B, e.g. 2026-11-25T10:00:00%2B05:00"
            : "is required: " + Rfc3339.Expected;
}
