using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Queue.Api;
using Queue.Auth;
using Queue.Events;
using Queue.Targets;

namespace Queue.Staffing;

/// <summary>
/// A what-if answer. Erlang C (no abandonment): <see cref="ProbabilityOfWaiting"/>, <see cref="ServiceLevel"/> within
/// <see cref="TargetSeconds"/>, <see cref="AsaSeconds"/> and <see cref="Occupancy"/>; <see cref="Stable"/> false (and
/// <see cref="Note"/> saying why) when the load is at least the agents. With a patience, Erlang A:
/// <see cref="Abandonment"/> and <see cref="WithPatience"/>.
/// </summary>
public sealed record StaffingAnswer(
    double Erlangs, int Agents, bool Stable, string? Note,
    double ProbabilityOfWaiting, double TargetSeconds, double ServiceLevel, double? AsaSeconds, double Occupancy,
    double? Abandonment, StaffingWithPatience? WithPatience,
    int? AgentsNeeded, StaffingNeedBasis AgentsNeededFor);

/// <summary>Erlang A's figures: callers leave after a patience of mean <see cref="PatienceSeconds"/>. ASA is of answered calls.</summary>
public sealed record StaffingWithPatience(double PatienceSeconds, double ProbabilityOfWaiting, double Abandonment, double? AsaSeconds);

/// <summary>The targets <c>agentsNeeded</c> meets: those of <see cref="Queue"/> (the defaults when null).</summary>
public sealed record StaffingNeedBasis(string? Queue, double? AsaSeconds, double? ServiceLevel, double ServiceLevelSeconds, string Note);

public static class StaffingApi
{
    public const double MaxCallsPerHour = 1_000_000, MinAhtSeconds = 1, MaxAhtSeconds = 14_400, MaxTargetSeconds = 3_600,
        MinPatienceSeconds = 1, MaxPatienceSeconds = 86_400, MaxErlangs = 100_000;
    public const int MaxAgents = 100_000;

    public static IEndpointRouteBuilder MapStaffing(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/staffing", Get)
            .RequireAuthorization(Policies.Supervise)
            .WithTags("Staffing")
            .WithName("GetStaffing")
            .WithSummary("What-if for planners (supervisor): Erlang C and Erlang A figures for a load and a staffing, and the fewest agents meeting the targets")
            .WithDescription("""
                Offered load `erlangs` = calls an hour × handle time. Erlang C (callers never give up): `probabilityOfWaiting`,
                `serviceLevel` (answered within `targetSeconds`), `asaSeconds`, `occupancy`. With `patienceSeconds`, Erlang A
                (callers give up after an exponential patience of that mean): `abandonment`, and under `withPatience` the
                probability of waiting and the ASA of answered calls with abandonment. A load at least the agents is unstable
                without abandonment: `stable` is false, `note` says so, `asaSeconds` is null; Erlang A still answers.
                `agentsNeeded` is the fewest agents whose Erlang C figures meet the queue's targets (the defaults, or those of
                `queue`): its ASA target, and its service-level share within the queue's service-level time when one is set
                (`Queue:Targets:ServiceLevel` or the queue's `serviceLevel`; none by default); `agentsNeededFor` says what was
                met. Figures are fractions 0–1 and seconds.
                """)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    static Results<Ok<StaffingAnswer>, ValidationProblem, ProblemHttpResult> Get(
        [Required, Description("Calls offered an hour, 0 to 1,000,000.")] string? callsPerHour,
        [Required, Description("Average handle time (talk and wrap-up) in seconds, 1 to 14,400.")] string? ahtSeconds,
        [Required, Description("Agents answering, a whole number from 1 to 100,000.")] string? agents,
        [Required, Description("T of the service level: the share answered within this many seconds, 0 to 3,600.")] string? targetSeconds,
        [Description("Callers' mean patience in seconds, 1 to 86,400: adds Erlang A's abandonment.")] string? patienceSeconds,
        [Description("Meet this queue's targets in agentsNeeded (the configured defaults without it).")] string? queue,
        KeyScope scope, QueueTargets targets)
    {
        var errors = new Dictionary<string, string[]>();
        var calls = Number(errors, nameof(callsPerHour), callsPerHour, 0, MaxCallsPerHour, "calls an hour");
        var aht = Number(errors, nameof(ahtSeconds), ahtSeconds, MinAhtSeconds, MaxAhtSeconds, "seconds");
        var n = Agents(errors, agents);
        var t = Number(errors, nameof(targetSeconds), targetSeconds, 0, MaxTargetSeconds, "seconds");
        var patience = patienceSeconds is null ? null : Number(errors, nameof(patienceSeconds), patienceSeconds, MinPatienceSeconds, MaxPatienceSeconds, "seconds");
        if (queue is not null && !Identifiers.IsValid(queue)) errors[nameof(queue)] = [Identifiers.Rule];
        if (calls is { } c && aht is { } h && c / 3600 * h > MaxErlangs)
        {
            var message = Invariant($"with the handle time this offers {c / 3600 * h:0.#} Erlangs; at most {MaxErlangs:0} are taken");
            errors[nameof(callsPerHour)] = [message];
            errors[nameof(ahtSeconds)] = [message];
        }
        if (errors.Count > 0) return Problems.Invalid(errors, "The staffing question is invalid", "See errors for each parameter.");
        if (queue is not null && !scope.Allows(queue)) return Problems.NoSuchQueue(queue);

        var traffic = new Traffic(calls!.Value, TimeSpan.FromSeconds(aht!.Value));
        var need = StaffingTargets.Of(targets.For(queue));
        var figures = StaffingFigures.Of(traffic, n!.Value, TimeSpan.FromSeconds(t!.Value), patience is { } p ? TimeSpan.FromSeconds(p) : null, need);
        return TypedResults.Ok(Answer(figures, queue, need));
    }

    static StaffingAnswer Answer(StaffingFigures f, string? queue, StaffingTargets need)
    {
        var c = f.ErlangC;
        var a = f.ErlangA;
        string? note = c.Stable ? null : Invariant(
            $"Unstable: the offered load ({c.Erlangs:0.###} Erlangs) is at least the agents ({c.Agents}). Callers who never give up would queue without bound: every call waits and the average wait has no limit.")
            + (a is null ? " Give patienceSeconds for the figures with abandonment (Erlang A)." : " withPatience gives the figures with abandonment (Erlang A).");
        var asaTarget = need.Asa is { } asa ? Invariant($"an ASA of at most {asa.TotalSeconds:0.###} s") : "no ASA target";
        var basis = new StaffingNeedBasis(queue, need.Asa?.TotalSeconds, need.ServiceLevel, need.ServiceLevelTime.TotalSeconds,
            (f.AgentsNeeded is null ? "No staffing meets " : "agentsNeeded meets ") + asaTarget
            + (need.ServiceLevel is { } share
                ? Invariant($" and a service level of at least {share:0.###} within {need.ServiceLevelTime.TotalSeconds:0.###} s.")
                : "; the targets set no service-level share, so service level is not asked for."));
        return new StaffingAnswer(c.Erlangs, c.Agents, c.Stable, note,
            c.ProbabilityOfWaiting, c.ServiceLevelTime.TotalSeconds, c.ServiceLevel, c.Asa?.TotalSeconds, c.Occupancy,
            a?.Abandonment, a is null ? null : new StaffingWithPatience(a.Patience.TotalSeconds, a.ProbabilityOfWaiting, a.Abandonment, a.Asa?.TotalSeconds),
            f.AgentsNeeded, basis);
    }

    static double? Number(Dictionary<string, string[]> errors, string field, string? text, double min, double max, string unit)
    {
        var range = Invariant($"a number from {min:0.###} to {max:0.###} ({unit})");
        if (string.IsNullOrWhiteSpace(text)) errors[field] = ["is required: " + range];
        else if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            errors[field] = ["must be " + range];
        else if (value < min || value > max) errors[field] = ["must be " + range];
        else return value;
        return null;
    }

    static int? Agents(Dictionary<string, string[]> errors, string? text)
    {
        var rule = Invariant($"a whole number of agents from 1 to {MaxAgents}");
        if (string.IsNullOrWhiteSpace(text)) errors["agents"] = ["is required: " + rule];
        else if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > MaxAgents) errors["agents"] = ["must be " + rule];
        else return n;
        return null;
    }

    static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
