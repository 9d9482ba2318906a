using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Queue.Api;
using Queue.Auth;
using Queue.Events;
using Queue.Ingest;
using Queue.Live;
using Queue.Notifications;
using Queue.Telemetry;

namespace Queue.Alerts;

/// <summary>The body of an acknowledgement: what the supervisor is doing about it.</summary>
public sealed record AckRequest(string? Note);

public static class AlertsApi
{
    const int DefaultLimit = 100;
    const int MaxLimit = 500;
    const int CsvLimit = 10_000;
    const int MaxNote = 2_000;
    const string ListAlerts = nameof(ListAlerts);
    const string ListKinds = "ListAlertKinds";

    public static WebApplicationBuilder AddAlerts(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RefreshInterval > TimeSpan.Zero, "Queue:Alerts:RefreshInterval must be positive").ValidateOnStart();
        builder.Services.AddSingleton<AlertStore>();
        builder.Services.AddSingleton<VisitAlertStore>();
        builder.Services.AddSingleton<AlertEvaluator>();
        builder.Services.AddSingleton<IMetricSeed, AlertMetrics>();
        builder.Services.AddSingleton<ILiveObserver>(sp => sp.GetRequiredService<AlertEvaluator>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluator>());
        builder.Services.Configure<OpenApiOptions>(OpenApiDocs.Document, o => o.AddOperationTransformer((operation, _, _) =>
        {
            DescribeKindParameter(operation);
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Alerts left open and unacknowledged escalated by email and to webhooks (needs <see cref="MailSetup.AddMail"/>).</summary>
    public static WebApplicationBuilder AddEscalation(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EscalationOptions>().BindConfiguration(EscalationOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EscalationOptions>, EscalationOptionsValidator>();
        // Webhook URLs may carry a token of their own: the client's request logging (which names the URL) is off.
        builder.Services.AddHttpClient(NotificationDispatcher.WebhookClient, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .RemoveAllLoggers();
        builder.Services.AddSingleton<EscalationStore>();
        builder.Services.AddSingleton<NotificationDispatcher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        builder.Services.AddSingleton<Escalator>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Escalator>());
        return builder;
    }

    public static IEndpointRouteBuilder MapAlerts(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/alerts").WithTags("Alerts")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        alerts.MapGet("/", ListAsync).RequireAuthorization(Policies.Read).WithName(ListAlerts)
            .WithSummary("Alerts, newest first, by time range, kind, queue and state, a page at a time")
            .WithDescription("An alert is in the range [from, to) if it was active at some time in it: raised before `to` and not cleared before `from`. `next`, when present, is the URL of the following page.\n\n"
                + "As CSV (`Accept: text/csv`, or `/api/alerts.csv`): up to 10,000 alerts in one file, a row each, its figure's `value`, `target`, `samples`, `window` and `visits` as columns of their own.")
            .Produces<string>(StatusCodes.Status200OK, Csv.MediaType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/api/alerts.csv", ListAsync).RequireAuthorization(Policies.Read).ExcludeFromDescription();
        alerts.MapGet("/kinds", Kinds).RequireAuthorization(Policies.Read).WithName(ListKinds)
            .WithSummary("The kinds of alert: name, severity, what one alert is about, the unit of its figure, the label the pages show, whether it lists visits");
        alerts.MapGet("/{id:long}", GetAsync).RequireAuthorization(Policies.Read).WithName("GetAlert")
            .WithSummary("One alert with its history: raised, visits joining and leaving, acknowledged, escalated, cleared, by whom and when")
            .ProducesProblem(StatusCodes.Status404NotFound);
        alerts.MapPost("/{id:long}/ack", AcknowledgeAsync).RequireAuthorization(Policies.Supervise).WithName("AcknowledgeAlert")
            .WithSummary("Acknowledge an open alert with a note (supervisor)")
            .WithDescription("The note is required: what is being done about it. An alert already acknowledged or cleared is a 409.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    static async Task<Results<Ok<AlertPage>, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> ListAsync(
        HttpRequest request,
        [Description("Active at or after this instant (RFC 3339 with an offset).")] string? from,
        [Description("Raised before this instant (RFC 3339 with an offset).")] string? to,
        string? kind,
        [Description("The queue the alert shows under.")] string? queue,
        [Description("open, acknowledged or cleared.")] string? state,
        [Description("Alerts per page, 1–500 (100); as CSV, 1–10000 (10000) in one file.")] int? limit,
        [Description("Only alerts with a smaller id: the cursor that `next` carries.")] long? before,
        KeyScope scope, AlertStore store, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        DateTimeOffset? start = null, end = null;
        if (from is not null) { if (Rfc3339.TryParse(from, out var f)) start = f; else errors["from"] = [Rfc3339.Expected]; }
        if (to is not null) { if (Rfc3339.TryParse(to, out var t)) end = t; else errors["to"] = [Rfc3339.Expected]; }
        if (start is { } s && end is { } e && e <= s) errors["to"] = ["must be later than from"];
        if (kind is not null && !AlertKinds.ByName.ContainsKey(kind)) errors["kind"] = ["must be one of: " + string.Join(", ", AlertKinds.Names)];
        if (queue is not null && !Identifiers.IsValid(queue)) errors["queue"] = [Identifiers.Rule];
        if (state is not null && !AlertStates.All.Contains(state)) errors["state"] = ["must be one of: " + string.Join(", ", AlertStates.All)];
        var csv = Csv.Wanted(request);
        var most = csv ? CsvLimit : MaxLimit;
        if (limit is < 1 || limit > most) errors["limit"] = [$"must be 1 to {most}"];
        if (before is < 1) errors["before"] = ["must be a positive alert id"];
        if (errors.Count > 0) return Problems.Invalid(errors, "The alert query is invalid", "See errors for each parameter.");
        var (visible, team) = scope.Narrow(queue);
        if (!visible) return Problems.NoSuchQueue(queue!);

        var filter = new AlertFilter(start, end, kind, queue, state, limit ?? (csv ? CsvLimit : DefaultLimit), before, team);
        var rows = await store.ListAsync(filter, ct);
        var items = rows.Take(filter.Limit).ToList();
        if (csv) return Csv.File(items.Select(AlertRow.Of), $"alerts-{queue ?? "center"}", AlertRow.Inline);
        string? next = null;
        if (rows.Count > filter.Limit)
        {
            var query = request.Query.Where(q => q.Key != "before").ToDictionary(q => q.Key, q => q.Value.ToString());
            query["before"] = items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
            next = Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/api/alerts", query!);
        }
        return TypedResults.Ok(new AlertPage(items, next));
    }

    static Ok<IReadOnlyList<AlertKind>> Kinds() => TypedResults.Ok(AlertKinds.All);

    // The kinds in the document are the registry's: a [Description] could only be a constant copy of it.
    static void DescribeKindParameter(OpenApiOperation operation)
    {
        if (operation.OperationId != ListAlerts
            || operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == "kind") is not { } kind)
            return;
        kind.Description = $"{string.Join(", ", AlertKinds.Names.SkipLast(1))} or {AlertKinds.Names[^1]}: the kinds GET /api/alerts/kinds describes.";
        if (kind.Schema is OpenApiSchema schema) schema.Enum = [.. AlertKinds.Names.Select(n => (JsonNode)JsonValue.Create(n))];
    }

    static async Task<Results<Ok<AlertDetail>, ProblemHttpResult>> GetAsync(long id, KeyScope scope, AlertStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } detail && Sees(scope, detail.Alert) ? TypedResults.Ok(detail) : Problems.NotFound($"There is no alert {id}.");

    // A scoped key sees the alerts of its queues: not another queue's, nor those of no queue (visits with no call).
    static bool Sees(KeyScope scope, Alert alert) => !scope.IsScoped || alert.Queue is { } q && scope.Allows(q);

    static async Task<Results<Ok<Alert>, ValidationProblem, ProblemHttpResult>> AcknowledgeAsync(
        long id, AckRequest request, ClaimsPrincipal user, KeyScope scope, AlertStore store, AlertEvaluator alerts, TimeProvider time, CancellationToken ct)
    {
        var note = request.Note?.Trim();
        if (note is not { Length: >= 1 and <= MaxNote } || note.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
            return Problems.Invalid(new Dictionary<string, string[]> { ["note"] = [$"is required: 1 to {MaxNote} characters saying what is being done"] },
                "The acknowledgement is invalid", "Nothing was changed.");
        if (scope.IsScoped && (await store.GetAsync(id, ct) is not { } seen || !Sees(scope, seen.Alert)))
            return Problems.NotFound($"There is no alert {id}.");
        var by = user.FindFirstValue(ClaimTypes.Name) ?? "unknown";
        var (outcome, alert) = await store.AcknowledgeAsync(id, by, note, time.GetUtcNow(), ct);
        if (outcome == AckOutcome.Acknowledged) await alerts.PushAsync(alert!);
        return outcome switch
        {
            AckOutcome.Acknowledged => TypedResults.Ok(alert!),
            AckOutcome.NotFound => Problems.NotFound($"There is no alert {id}."),
            _ => Problems.Of(StatusCodes.Status409Conflict, ProblemTypes.AlertNotOpen, "The alert is not open",
                $"Alert {id} is {alert!.State}: only an open alert can be acknowledged.", new Dictionary<string, object?> { ["state"] = alert.State }),
        };
    }
}
