using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Queue.Api;
using Queue.Auth;
using Queue.Events;
using Queue.Targets;

namespace Queue.Figures;

public static class TrendApi
{
    const int MaxDaysBack = 400;

    public static IEndpointRouteBuilder MapTrend(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").RequireAuthorization(Policies.Read).WithTags("Metrics")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/queues/{queue}/trend", QueueAsync).WithName("GetQueueTrend")
            .WithSummary("A queue's day quarter hour by quarter hour, in the center's time: calls offered, answered, abandoned, ASA, service level")
            .WithDescription("Today (up to now) unless `day` names another day (yyyy-MM-dd, center time). Figures from PostgreSQL, as /api/metrics over each quarter. A key scoped to other queues gets 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/center/trend", CenterAsync).WithName("GetCenterTrend")
            .WithSummary("The whole center's day quarter hour by quarter hour, in the center's time")
            .WithDescription("For a key scoped to queues: the sum of its queues.");
        return app;
    }

    static async Task<Results<Ok<Trend>, ValidationProblem, ProblemHttpResult>> QueueAsync(
        [Description("The queue's name")] string queue, [Description("The day, yyyy-MM-dd in center time (today).")] string? day,
        KeyScope scope, TrendQuery trends, IOptions<CenterOptions> live, IOptions<TargetOptions> targets, TimeProvider time, CancellationToken ct)
    {
        if (!Identifiers.IsValid(queue))
            return Problems.Invalid(new Dictionary<string, string[]> { ["queue"] = [Identifiers.Rule] }, "The queue name is invalid", "See errors.");
        if (!scope.Allows(queue)) return Problems.NoSuchQueue(queue);
        return await GetAsync(queue, null, day, trends, live, targets, time, ct);
    }

    static async Task<Results<Ok<Trend>, ValidationProblem, ProblemHttpResult>> CenterAsync(
        [Description("The day, yyyy-MM-dd in center time (today).")] string? day,
        KeyScope scope, TrendQuery trends, IOptions<CenterOptions> live, IOptions<TargetOptions> targets, TimeProvider time, CancellationToken ct) =>
        await GetAsync(null, scope.Team, day, trends, live, targets, time, ct);

    static async Task<Results<Ok<Trend>, ValidationProblem, ProblemHttpResult>> GetAsync(string? queue, IReadOnlyList<string>? team, string? day,
        TrendQuery trends, IOptions<CenterOptions> live, IOptions<TargetOptions> targets, TimeProvider time, CancellationToken ct)
    {
        var zone = live.Value.Zone();
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var date = today;
        if (day is not null && (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
                || date > today || date < today.AddDays(-MaxDaysBack)))
        {
            return Problems.Invalid(new Dictionary<string, string[]> { ["day"] = [$"must be a day (yyyy-MM-dd) from {MaxDaysBack} days ago up to today, in center time"] },
                "The day is invalid", "See errors.");
        }
        return TypedResults.Ok(await trends.GetAsync(queue, date, zone, now, targets.Value, ct, team));
    }
}
