using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using Queue.Api;
using Queue.Auth;
using Queue.Events;

namespace Queue.EventLog;

public sealed record LegView(int Leg, string Queue, DateTimeOffset Start, DateTimeOffset? End, string? Outcome, double? WaitSeconds, string? AgentId);

/// <summary>One call as stored: its legs and completion. The caller is never shown, not even as its hash.</summary>
public sealed record CallView(
    string CallId, string? Region, string? Language, string? Segment, string? LastQueue,
    DateTimeOffset? CompletedAt, string? Resolution, string? VisitId, IReadOnlyList<LegView> Legs);

public static class CallsApi
{
    public static IEndpointRouteBuilder MapCalls(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/calls/{callId}", GetAsync)
            .RequireAuthorization(Policies.Supervise)
            .WithTags("Calls")
            .WithName("GetCall")
            .WithSummary("One call with its legs (queue, start, end, outcome, wait, agent), for drill-down and support")
            .WithDescription("A key scoped to queues sees the legs in its queues only (`lastQueue` null when that is another), and 404 for a call that never reached them.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Ok<CallView>, ValidationProblem, ProblemHttpResult>> GetAsync(
        string callId, KeyScope scope, NpgsqlDataSource db, CancellationToken ct)
    {
        if (!Identifiers.IsValid(callId))
            return Problems.Invalid(new Dictionary<string, string[]> { ["callId"] = [Identifiers.Rule] }, "The call id is invalid", "See errors.");
        await using var connection = await db.OpenConnectionAsync(ct);
        using var grid = await connection.QueryMultipleAsync(new CommandDefinition(
            """
            select call_id, region, language, segment, last_queue, completed_at, resolution, visit_id from calls where call_id = @callId;
            select leg, queue, started_at, ended_at, outcome, agent_id from legs where call_id = @callId order by leg;
            """, new { callId }, cancellationToken: ct));
        var call = await grid.ReadSingleOrDefaultAsync<CallRow>();
        if (call is null) return Problems.NotFound($"There is no call '{callId}'.");
        var legs = (await grid.ReadAsync<LegRow>()).Select(l => new LegView(
            l.Leg, l.Queue, Utc(l.Started_At), l.Ended_At is { } e ? Utc(e) : null, l.Outcome,
            l.Outcome is "answered" or "abandoned" && l.Ended_At is { } end ? (end - l.Started_At).TotalSeconds : null,
            l.Agent_Id)).Where(l => scope.Allows(l.Queue)).ToList();
        // A key scoped to queues sees the call's legs in them only, and nothing of a call that never reached them.
        if (legs.Count == 0 && scope.IsScoped) return Problems.NotFound($"There is no call '{callId}'.");
        var lastQueue = call.Last_Queue is { } last && scope.Allows(last) ? last : null;
        return TypedResults.Ok(new CallView(call.Call_Id, call.Region, call.Language, call.Segment, lastQueue,
            call.Completed_At is { } c ? Utc(c) : null, call.Resolution, call.Visit_Id, legs));
    }

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    sealed record CallRow(string Call_Id, string? Region, string? Language, string? Segment, string? Last_Queue,
        DateTime? Completed_At, string? Resolution, string? Visit_Id);

    sealed record LegRow(int Leg, string Queue, DateTime Started_At, DateTime? Ended_At, string? Outcome, string? Agent_Id);
}
