using System.ComponentModel;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Queue.Api;
using Queue.Auth;
using Queue.Events;

namespace Queue.Reports;

public static class ReportsApi
{
    public static WebApplicationBuilder AddReports(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReportQuery>();
        builder.Services.AddSingleton<WeeklyReports>();
        return builder;
    }

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/reports/weekly/{name}", GetAsync).RequireAuthorization(Policies.Read).WithTags("Reports").WithName("GetWeeklyReport")
            .WithSummary("The weekly SLA report of an ISO week in center time, as JSON, CSV or HTML")
            .WithDescription("""
                `name` is the week and the format: `2026-W48.json`, `2026-W48.csv`, `2026-W48.html` (no extension: JSON). A week that is
                over is made and kept; when events that arrive later (late ones, or history loaded with an `import` key) change a
                figure of it, the next read keeps a new `version` whose `revision` lists what changed, and the versions before stay
                on record (`?version=1`: the first, as it was sent). So a report never differs from `/api/metrics` over its week
                without saying so. Until the week's lateness has passed a report is `provisional` (until `finalFrom`). The
                current week is made up to now and marked `partial`; a week not begun is a 400. A week with nothing in it is a
                report of zeros and "—". A key scoped to queues gets their sections alone, the center as their sum, and the
                latest version only.
                """)
            .Produces<WeeklyReport>(contentType: "application/json")
            .Produces<string>(StatusCodes.Status200OK, "text/csv", "text/html")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapPost("/api/reports/weekly/{name}/send", SendAsync).RequireAuthorization(Policies.Admin).WithTags("Reports").WithName("SendWeeklyReport")
            .WithSummary("Sends the weekly report of a week that is over by email again")
            .WithDescription("""
                `name` is the ISO week, e.g. `2026-W47`. Sends the latest version of the report (the same document as a download
                now: a revised one says what changed since the version before) to the configured recipients (`Queue:Reports:To`),
                whether or not it was sent before. Recorded in `report_sends` with the version sent; it does not count as the
                week's scheduled send.
                """)
            .Produces<ReportSent>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    static async Task<Results<Ok<ReportSent>, ValidationProblem, ProblemHttpResult>> SendAsync(
        [Description("The ISO week, e.g. 2026-W47")] string name, ReportMailer mailer, WeeklyReports reports, TimeProvider time,
        System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        if (!ReportWeek.TryParse(name, out var week)) return Invalid("must be an ISO week: 2026-W47");
        if (week.Bounds(reports.Zone).To > time.GetUtcNow()) return Invalid($"week {week} is not over");
        if (mailer.Recipients.Count == 0)
            return Problems.Of(StatusCodes.Status409Conflict, ProblemTypes.NoRecipients, "No recipients",
                $"No recipients are configured ({ReportEmailOptions.Section}:To): there is no one to send the report to.");
        try
        {
            var id = await mailer.ResendAsync(week, user.Identity?.Name ?? "admin", ct);
            return TypedResults.Ok(new ReportSent(week.ToString(), [.. mailer.Recipients.Select(r => r.ToString())], id));
        }
        catch (Exception e) when (e is MailKit.ProtocolException or MailKit.Net.Smtp.SmtpCommandException or System.Net.Sockets.SocketException
            or IOException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return Problems.Of(StatusCodes.Status502BadGateway, ProblemTypes.MailFailed, "The SMTP server did not take the email",
                $"{e.GetType().Name}: {e.Message}. Nothing was sent; try again later.");
        }
    }

    static async Task<Results<Ok<WeeklyReport>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> GetAsync(
        [Description("The ISO week and the format, e.g. 2026-W48.html")] string name, KeyScope scope, WeeklyReports reports, TimeProvider time,
        CancellationToken ct, [Description("A version of the report (1: the first made); none: the latest")] int? version = null)
    {
        var dot = name.LastIndexOf('.');
        var (text, format) = dot < 0 ? (name, "json") : (name[..dot], name[(dot + 1)..]);
        if (!ReportWeek.TryParse(text, out var week) || format is not ("json" or "csv" or "html"))
            return Invalid("must be an ISO week and a format: 2026-W48.json, 2026-W48.csv or 2026-W48.html");
        if (week.Bounds(reports.Zone).From > time.GetUtcNow()) return Invalid($"week {week} has not begun");
        if (version is < 1) return Invalid("version must be 1 or more");
        if (scope.IsScoped && version is not null)
            return Invalid("a key scoped to queues reads the latest version only: the versions on record are of the whole center");
        var report = scope.Queues is { } queues ? await reports.ForTeamAsync(week, queues, ct) : await reports.GetAsync(week, version, ct);
        if (report is null) return Problems.NotFound($"Week {week} has no version {version} of its report.");
        return format switch
        {
            "csv" => TypedResults.Text(ReportCsv.Write(report), "text/csv; charset=utf-8", Encoding.UTF8),
            "html" => TypedResults.Text(ReportHtml.Write(report), "text/html; charset=utf-8", Encoding.UTF8),
            _ => TypedResults.Ok(report),
        };
    }

    static ValidationProblem Invalid(string message) =>
        Problems.Invalid(new Dictionary<string, string[]> { ["week"] = [message] }, "The report asked for is invalid", "See errors.");
}

/// <summary>A weekly report sent again: the week, to whom, and the email's Message-Id.</summary>
public sealed record ReportSent(string Week, IReadOnlyList<string> Recipients, string MessageId);
