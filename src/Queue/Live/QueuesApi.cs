using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Queue.Api;
using Queue.Auth;
using Queue.Events;
using Queue.Ingest;
using Queue.Staffing;

namespace Queue.Live;

public static class QueuesApi
{
    public static IEndpointRouteBuilder MapQueues(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").RequireAuthorization(Policies.Read).WithTags("Live")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/queues", ListAsync).WithName("ListQueues")
            .WithSummary("The live snapshot of every queue with something live (calls today or waiting, agents, visits), from Redis")
            .WithDescription("Figures per live window (rolling 15 and 60 minutes, today in the center's zone), calls waiting, longest wait, agents by status, visits, targets and each figure's state against them, and staffing: the agents needed for the ASA target at the recent load (Erlang C) against those serving the queue, with the expected ASA and abandonment at that staffing (Erlang A with the observed patience; ADR 0006). Each window carries its bounds: /api/metrics over the same bounds gives the same figures.");
        group.MapGet("/queues/{queue}", GetAsync).WithName("GetQueue")
            .WithSummary("One queue in full: its snapshot, its waiting calls longest first, and its agents")
            .WithDescription("Any valid queue name answers: a queue with nothing live (yet) has zeros and nulls, so a screen set up before its first call shows it. A key scoped to other queues gets 404.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/queues/{queue}/ewt", ExpectedWaitAsync).WithName("GetExpectedWait")
            .WithSummary("The expected wait of a caller joining the queue now (or at ?position=), for an IVR to announce")
            .WithDescription("From the live model (ADR 0006, \"Expected wait\"): the agents serving the queue, its handle time of the last hour and the callers' patience. position defaults to the calls waiting + 1. meanSeconds with a 10–90 % range (lowSeconds, highSeconds); nulls and a note when the model has nothing to go on (no agents, or no handle time yet).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/center", CenterAsync).WithName("GetCenter")
            .WithSummary("The whole center's live snapshot: every queue added up, every agent once")
            .WithDescription("For a key scoped to queues (a team): the sum of its queues.");
        return app;
    }

    static async Task<Results<Ok<IReadOnlyList<QueueSnapshot>>, ProblemHttpResult>> ListAsync(KeyScope scope, LiveView view, LiveStore store) =>
        await Rebuilding(store) is { } problem ? problem : TypedResults.Ok(await view.AllAsync(scope));

    static async Task<Results<Ok<QueueDetail>, ValidationProblem, ProblemHttpResult>> GetAsync(
        [Description("The queue's name")] string queue, KeyScope scope, LiveView view, LiveStore store)
    {
        if (!Identifiers.IsValid(queue))
            return Problems.Invalid(new Dictionary<string, string[]> { ["queue"] = [Identifiers.Rule] }, "The queue name is invalid", "See errors.");
        if (!scope.Allows(queue)) return Problems.NoSuchQueue(queue);
        if (await Rebuilding(store) is { } problem) return problem;
        return TypedResults.Ok(await view.DetailAsync(queue, scope));
    }

    static async Task<Results<Ok<ExpectedWaitAnswer>, ValidationProblem, ProblemHttpResult>> ExpectedWaitAsync(
        [Description("The queue's name")] string queue,
        [Description("The caller's place in the queue, 1 for the next to be answered (1–100,000); default: calls waiting + 1")] string? position,
        HttpRequest request, KeyScope scope, LiveView view, LiveStore store)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Identifiers.IsValid(queue)) errors["queue"] = [Identifiers.Rule];
        int? at = null;
        // Binding takes one of several values; which one the caller meant is anyone's guess, an empty one included.
        if (request.Query["position"].Count > 1) errors["position"] = ["must be given once"];
        else if (position is not null)
        {
            if (int.TryParse(position, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 100_000) at = p;
            else errors["position"] = ["must be a whole number from 1 to 100000"];
        }
        if (errors.Count > 0) return Problems.Invalid(errors, "The expected wait cannot be asked so", "See errors.");
        if (!scope.Allows(queue)) return Problems.NoSuchQueue(queue);
        if (await Rebuilding(store) is { } problem) return problem;
        var s = await view.QueueAsync(queue);
        return TypedResults.Ok(ExpectedWaitAnswer.Of(s.Queue!, s.AsOf, s.CallsWaiting, s.Agents, s.Staffing!, at));
    }

    static async Task<Results<Ok<QueueSnapshot>, ProblemHttpResult>> CenterAsync(KeyScope scope, LiveView view, LiveStore store) =>
        await Rebuilding(store) is { } problem ? problem : TypedResults.Ok(await view.CenterAsync(scope));

    // Half-built live state, or live state of another layout, would show wrong figures: say so instead, for the second
    // or so a rebuild takes.
    internal static async Task<ProblemHttpResult?> Rebuilding(LiveStore store)
    {
        if (await store.ReadCursorAsync() is { IsCurrent: true }) return null;
        return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Type = ProblemTypes.LiveUnavailable,
            Title = "Live state is being rebuilt",
            Detail = "Live state is being rebuilt from PostgreSQL; retry in a second.",
            Extensions = { ["retryAfterSeconds"] = 1 },
        });
    }
}
