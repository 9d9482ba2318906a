using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Queue.Api;
using Queue.Auth;
using Queue.Events;

namespace Queue.Live;

public static class LiveCheckApi
{
    public static IEndpointRouteBuilder MapLiveCheck(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/live/check", CheckAsync).RequireAuthorization(Policies.Admin).WithTags("Live").WithName("CheckLive")
            .WithSummary("Whether live state equals PostgreSQL (admin): every live window's figures and the calls waiting, of the center and each queue")
            .WithDescription("""
                Reads live state at one instant and, for the center and each queue with live state (or the one `queue`),
                compares every figure of its windows (`m15`, `m60`, `today`, and `visits`: the rolling 7 days of visit
                deadlines) with `/api/metrics` over the same bounds, and `callsWaiting` and the legs the queue's detail
                lists (`waiting`) with the legs open in PostgreSQL. A difference is read again a few times, up to some
                3 seconds: one that only an event on its way made is not reported, one that stays is. `equal` is true when
                none stays. With `Accept: text/plain`, the same as lines for a terminal (what `ops/live-check` prints):
                `live state equals PostgreSQL: …` or `live state differs from PostgreSQL in N figures: …`, then one line per
                difference. While live state is being rebuilt (or is of another layout), `503`, as the live API answers.
                """)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The typed result declares the JSON; the same report as text sits beside it.
                if (operation.Responses?.GetValueOrDefault("200")?.Content is { } content)
                    content["text/plain"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
                return Task.CompletedTask;
            })
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Ok<LiveCheckReport>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> CheckAsync(
        [Description("One queue; without it, the center and every queue with live state")] string? queue,
        HttpRequest request, LiveChecker checker, LiveStore store, CancellationToken ct)
    {
        if (queue is not null && !Identifiers.IsValid(queue))
            return Problems.Invalid(new Dictionary<string, string[]> { ["queue"] = [Identifiers.Rule] }, "The queue name is invalid", "See errors.");
        if (await QueuesApi.Rebuilding(store) is { } problem) return problem;
        var report = await checker.CheckAsync(queue, ct);
        // A rebuild begun while checking empties live state under the check: what it found then says nothing.
        if (await QueuesApi.Rebuilding(store) is { } rebuilding) return rebuilding;
        return WantsText(request) ? TypedResults.Text(report.Text(), "text/plain; charset=utf-8") : TypedResults.Ok(report);
    }

    static bool WantsText(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        return accept.Any(a => a.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
            && !accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));
    }
}
