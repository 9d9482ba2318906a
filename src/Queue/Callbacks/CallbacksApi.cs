using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Queue.Api;
using Queue.Auth;
using Queue.Events;
using Queue.Targets;

namespace Queue.Callbacks;

public static class CallbacksApi
{
    /// <summary>How far back a list may reach: a caller who gave up a month ago is not waiting for a call.</summary>
    static readonly TimeSpan Longest = TimeSpan.FromDays(31);

    static readonly TimeSpan Default = TimeSpan.FromHours(24);

    public static WebApplicationBuilder AddCallbacks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallbacksQuery>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCallbacks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/callbacks", ListAsync).RequireAuthorization(Policies.Read).WithTags("Callbacks").WithName("ListCallbacks")
            .WithSummary("Callers to call back: abandoned calls whose caller has not been answered since, in any queue")
            .WithDescription($"""
                Calls abandoned since `since` (the last 24 h unless given; at most {Longest.TotalDays:0} days back) after waiting
                at least their queue's short-abandon threshold, whose caller (by the keyed hash of their number) has not been
                answered since in any queue, newest first, at most {CallbacksQuery.Limit}. A caller who tried several times is
                one row: their latest attempt, in its queue, with `attempts` since they were last answered. A caller answered
                later leaves the list. A call that carried no caller stands alone (`callerKnown` false). Queue keeps no phone
                number: the PBX or CRM finds it by `callId`. A key scoped to queues sees the callers whose latest attempt was in
                one of them (`attempts` counts the caller's tries in every queue), and 404 for another queue.

                As CSV with `Accept: text/csv`, or at `/api/callbacks.csv`.
                """)
            .Produces<string>(StatusCodes.Status200OK, Csv.MediaType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapGet("/api/callbacks.csv", ListAsync).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        return app;
    }

    static async Task<Results<Ok<CallbackList>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ListAsync(
        [Description("One queue (the queue of each caller's latest attempt); without it, the whole center.")] string? queue,
        [Description("The earliest abandon to list: RFC 3339 with an offset (URL-encode '+' as %2B); the last 24 h without it.")] string? since,
        HttpRequest request, KeyScope scope, CallbacksQuery callbacks, IOptions<TargetOptions> targets, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (queue is not null && !Identifiers.IsValid(queue)) errors["queue"] = [Identifiers.Rule];
        var from = now - Default;
        if (since is not null)
        {
            if (!Rfc3339.TryParse(since, out from)) errors["since"] = ["must be " + Rfc3339.Expected];
            else if (from > now) errors["since"] = ["must not be in the future"];
            else if (now - from > Longest) errors["since"] = [$"may reach at most {Longest.TotalDays:0} days back"];
        }
        if (errors.Count > 0) return Problems.Invalid(errors, "The list asked for is invalid", "See errors for each parameter.");
        var (visible, team) = scope.Narrow(queue);
        if (!visible) return Problems.NoSuchQueue(queue!);

        var list = new CallbackList(from, now, queue,
            await callbacks.ListAsync(queue, team, from, now, targets.Value.ShortAbandon, ct));
        return Csv.Wanted(request)
            ? Csv.File(list.Callers, $"callbacks-{queue ?? "center"}-{now.ToOffset(from.Offset):yyyy-MM-dd'T'HHmm}")
            : TypedResults.Ok(list);
    }
}
