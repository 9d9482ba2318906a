using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Queue.Api;
using Queue.Auth;
using Queue.Events;
using Queue.Figures;
using Queue.Live;

namespace Queue.Agents;

public static class AgentsApi
{
    public static WebApplicationBuilder AddAgents(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AgentReportQuery>();
        builder.Services.AddSingleton<AgentsLive>();
        return builder;
    }

    const string QueueDescription = "One queue, or several (`queue=a&queue=b`); without it, every agent. An agent counts for a queue if it "
        + "answered or missed a call in it, or was logged in to it (the latest `queues` of its status events); only those queues' calls are counted.";

    public static IEndpointRouteBuilder MapAgents(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agents").RequireAuthorization(Policies.Read).WithTags("Agents")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("", ListAsync).WithName("ListAgents")
            .WithSummary("Every agent now, from live state: status and its reason, since when, queues, answered and missed today, talk time")
            .WithDescription("""
                An agent is listed once it has told a status (`agent.status`). `reason` is the one its latest status event gave (a
                pause code), null if none. `answeredToday`, `missedToday` and `averageTalkSeconds` (from the answer to the
                completion, of the calls it answered that completed today) are of the local day, in the queues asked for.
                """);
        group.MapGet("/report", ReportAsync).WithName("GetAgentsReport")
            .Produces<string>(StatusCodes.Status200OK, Csv.MediaType)
            .WithSummary("Per agent over a window [from, to): time logged in, available, busy, in wrap-up and on break by reason; calls answered, offers missed, average talk and handle time, occupancy")
            .WithDescription("""
                From PostgreSQL. A status runs from its event to the agent's next status event, clipped to the window (and to now);
                the status before `from` carries into it. Logged in is every status but offline. `breaks` lists the time on break
                by reason (`reason` null: none given). `answered`: legs the agent answered in the window; `missed`: offers it did
                not take (`call.missed`); `talked`: calls completed in the window whose last leg it answered, and
                `averageTalkSeconds` their mean time from answer to completion; `wrapUps`: its wrap-up episodes (a `wrap_up`
                status to its next status) that ended in the window, `averageWrapUpSeconds` their mean. `averageHandleSeconds`
                is the mean talk plus the mean wrap-up episode (the talk alone with no wrap-up), as live staffing takes a queue's
                handle time (ADR 0006). `occupancy` is busy and wrap-up over available, busy and wrap-up; null when none.

                As CSV (`Accept: text/csv`, or `/api/agents/report.csv`): a row per agent, a column per figure, and the breaks as a
                column per reason the answer holds, `break:{reason}` (`break:` for breaks without a reason), in seconds.
                """);
        // The same as a CSV download, by its name (a browser's link cannot send an Accept header).
        app.MapGet("/api/agents/report.csv", ReportAsync).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        return app;
    }

    static async Task<Results<Ok<AgentsNow>, ValidationProblem, ProblemHttpResult>> ListAsync(
        [Description(QueueDescription)] string[]? queue, KeyScope scope, AgentsLive live, LiveStore store)
    {
        var errors = new Dictionary<string, string[]>();
        var queues = Queues(queue, errors);
        if (errors.Count > 0) return Problems.Invalid(errors, "The agents asked for are invalid", "See errors for each parameter.");
        if (Outside(queues, scope) is { } other) return Problems.NoSuchQueue(other);
        if (await QueuesApi.Rebuilding(store) is { } problem) return problem;
        var now = await live.ListAsync(queues ?? scope.Queues);
        // A key scoped to a team sees an agent's queues among the team's only.
        return TypedResults.Ok(scope.IsScoped
            ? now with { Agents = [.. now.Agents.Select(a => a with { Queues = a.Queues is { } q ? scope.Filter(q) : null })] }
            : now);
    }

    // The first queue asked for that a scoped key may not see (404, as if there were no such queue).
    static string? Outside(IReadOnlyCollection<string>? queues, KeyScope scope) => queues?.FirstOrDefault(q => !scope.Allows(q));

    static async Task<Results<Ok<AgentsReport>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ReportAsync(
        [Required, Description("The start (inclusive)" + MetricsApi.BoundDescription)] string? from,
        [Required, Description("The end (exclusive)" + MetricsApi.BoundDescription)] string? to,
        [Description(QueueDescription)] string[]? queue,
        HttpRequest request, KeyScope scope, AgentReportQuery query, TimeProvider time, CancellationToken ct)
    {
        var errors = MetricsApi.Validate(from, to, out var start, out var end);
        var queues = Queues(queue, errors);
        if (errors.Count > 0) return Problems.Invalid(errors, "The window is invalid", "See errors for each parameter.");
        if (Outside(queues, scope) is { } other) return Problems.NoSuchQueue(other);
        queues ??= scope.Queues;
        var tallies = await query.ReportAsync(new ReportScope(start, end, time.GetUtcNow(), queues), ct);
        var report = new AgentsReport(start, end, queues is null ? null : [.. queues.Order(StringComparer.Ordinal)],
            [.. tallies.Select(AgentReportRow.Of).Select(r => scope.IsScoped ? r with { Queues = scope.Filter(r.Queues) } : r)]);
        return Csv.Wanted(request)
            ? Csv.File(report.Agents, MetricsApi.FileName("agents", report.Queues is null ? null : string.Join('+', report.Queues), start, end),
                report.CsvBreaks())
            : TypedResults.Ok(report);
    }

    static IReadOnlyCollection<string>? Queues(string[]? queue, Dictionary<string, string[]> errors)
    {
        if (queue is null || queue.Length == 0) return null;
        if (queue.Any(q => !Identifiers.IsValid(q))) errors["queue"] = [Identifiers.Rule];
        return queue.ToHashSet(StringComparer.Ordinal);
    }
}
