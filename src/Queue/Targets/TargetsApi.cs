using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Queue.Api;
using Queue.Auth;
using Queue.Events;

namespace Queue.Targets;

/// <summary>A queue's targets: in effect (its own where it set them, the defaults elsewhere), and what it set itself.</summary>
public sealed record QueueTargetsView(string Queue, LiveTargets Targets, TargetOverrides Set, DateTimeOffset? UpdatedAt, string? UpdatedBy);

/// <summary>The defaults, and every queue that set targets of its own.</summary>
public sealed record TargetsList(LiveTargets Defaults, IReadOnlyList<QueueTargetsView> Queues);

public static class TargetsApi
{
    public static WebApplicationBuilder AddTargets(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<QueueTargetsStore>();
        builder.Services.AddSingleton<QueueTargets>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueTargets>());
        return builder;
    }

    public static IEndpointRouteBuilder MapTargets(this IEndpointRouteBuilder app)
    {
        var targets = app.MapGroup("/api/targets").WithTags("Targets")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        targets.MapGet("/", List).RequireAuthorization(Policies.Read).WithName("ListTargets")
            .WithSummary("The default targets and thresholds, and every queue that set its own");
        targets.MapGet("/{queue}", Get).RequireAuthorization(Policies.Read).WithName("GetTargets")
            .WithSummary("One queue's targets and thresholds in effect, and which of them it set itself")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        targets.MapPut("/{queue}", PutAsync).RequireAuthorization(Policies.Admin).WithName("PutTargets")
            .WithSummary("Set a queue's targets and thresholds (admin); a field left out or null takes the default")
            .WithDescription("""
                Replaces what the queue set before. Ranges: `waitSeconds` and `serviceLevelThresholdSeconds` 1–3600,
                `shortAbandonSeconds` 0–120 (to the millisecond); `remote`, `visit24`, `visit48` shares above 0 up to 1;
                `minimumSample` 1–10000; `serviceLevel` (a share answered within `serviceLevelThresholdSeconds`, 0.01–0.999;
                no target unless set here or in `Queue:Targets:ServiceLevel`); `abandonment` (the abandonment rate to stay at or
                under, 0.001–0.999; no target unless set here or in `Queue:Targets:Abandonment`). Takes effect live on every node: snapshots, their states and alerts at once; a
                changed service-level T or short-abandon threshold also re-counts the queue's live windows, and
                `/api/metrics` judges each leg by its queue's thresholds as they are now.
                """)
            .ProducesValidationProblem();
        targets.MapDelete("/{queue}", DeleteAsync).RequireAuthorization(Policies.Admin).WithName("DeleteTargets")
            .WithSummary("Take a queue back to the default targets and thresholds (admin)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    static Ok<TargetsList> List(KeyScope scope, QueueTargets targets) =>
        TypedResults.Ok(new TargetsList(TargetStates.Of(targets.Defaults), targets.Stored.Values.Where(r => scope.Allows(r.Queue))
            .OrderBy(r => r.Queue, StringComparer.Ordinal).Select(r => View(r.Queue, targets)).ToList()));

    static Results<Ok<QueueTargetsView>, ValidationProblem, ProblemHttpResult> Get(string queue, KeyScope scope, QueueTargets targets) =>
        !Identifiers.IsValid(queue) ? InvalidQueue()
        : !scope.Allows(queue) ? Problems.NoSuchQueue(queue)
        : TypedResults.Ok(View(queue, targets));

    static async Task<Results<Ok<QueueTargetsView>, ValidationProblem>> PutAsync(
        string queue, TargetOverrides request, ClaimsPrincipal user, QueueTargetsStore store, QueueTargets targets, TimeProvider time, CancellationToken ct)
    {
        if (!Identifiers.IsValid(queue)) return InvalidQueue();
        var errors = Validate(request);
        if (errors.Count > 0) return Problems.Invalid(errors, "The targets are invalid", "Nothing was changed. See errors for each field.");
        await store.PutAsync(queue, request, user.FindFirstValue(ClaimTypes.Name) ?? "unknown", time.GetUtcNow(), ct);
        await targets.AnnounceAsync(ct);
        return TypedResults.Ok(View(queue, targets));
    }

    static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        string queue, QueueTargetsStore store, QueueTargets targets, CancellationToken ct)
    {
        if (!Identifiers.IsValid(queue)) return InvalidQueue();
        if (!await store.DeleteAsync(queue, ct)) return Problems.NotFound($"Queue '{queue}' has no targets of its own.");
        await targets.AnnounceAsync(ct);
        return TypedResults.NoContent();
    }

    static QueueTargetsView View(string queue, QueueTargets targets)
    {
        var stored = targets.Stored.GetValueOrDefault(queue);
        return new QueueTargetsView(queue, TargetStates.Of(targets.For(queue)), stored?.Set ?? new TargetOverrides(), stored?.UpdatedAt, stored?.UpdatedBy);
    }

    static ValidationProblem InvalidQueue() =>
        Problems.Invalid(new Dictionary<string, string[]> { ["queue"] = [Identifiers.Rule] }, "The queue is invalid", "Nothing was changed.");

    /// <summary>Each field in its sensible range; seconds to the millisecond.</summary>
    public static Dictionary<string, string[]> Validate(TargetOverrides t)
    {
        var errors = new Dictionary<string, string[]>();
        Seconds(errors, "waitSeconds", t.WaitSeconds, 1, 3600);
        Seconds(errors, "serviceLevelThresholdSeconds", t.ServiceLevelThresholdSeconds, 1, 3600);
        Seconds(errors, "shortAbandonSeconds", t.ShortAbandonSeconds, 0, 120);
        Share(errors, "remote", t.Remote);
        Share(errors, "visit24", t.Visit24);
        Share(errors, "visit48", t.Visit48);
        if (t.MinimumSample is < 1 or > 10_000) errors["minimumSample"] = ["must be 1 to 10000 samples"];
        // Some call always waits a moment: a service level of 100 % no staffing meets.
        if (t.ServiceLevel is { } sl && (!double.IsFinite(sl) || sl < 0.01 || sl > 0.999))
            errors["serviceLevel"] = ["must be a share from 0.01 to 0.999 (0.8 is 80 % answered within serviceLevelThresholdSeconds)"];
        if (t.Abandonment is { } ab && (!double.IsFinite(ab) || ab < 0.001 || ab > 0.999))
            errors["abandonment"] = ["must be a share from 0.001 to 0.999 (0.05 is at most 5 % of calls abandoned)"];
        return errors;
    }

    static void Seconds(Dictionary<string, string[]> errors, string field, double? value, double min, double max)
    {
        if (value is not { } v) return;
        if (!double.IsFinite(v) || v < min || v > max)
            errors[field] = [string.Create(CultureInfo.InvariantCulture, $"must be {min} to {max} seconds")];
        else if (Math.Abs(v * 1000 - Math.Round(v * 1000)) > 1e-6)
            errors[field] = ["must be whole milliseconds (at most three decimals)"];
    }

    static void Share(Dictionary<string, string[]> errors, string field, double? value)
    {
        if (value is { } v && (!double.IsFinite(v) || v <= 0 || v > 1))
            errors[field] = ["must be a share above 0 and at most 1 (0.9 is 90 %)"];
    }
}
