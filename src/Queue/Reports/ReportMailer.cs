using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;
using Queue.Events;
using Queue.Notifications;
using Queue.Telemetry;

namespace Queue.Reports;

/// <summary>The weekly report email, from <c>Queue:Reports</c>; the SMTP server is <c>Queue:Smtp</c>.</summary>
public sealed class ReportEmailOptions
{
    public const string Section = "Queue:Reports";

    /// <summary>When the email goes out (cron, in <see cref="TimeZone"/>): Mondays at 08:00.</summary>
    public string Cron { get; set; } = "0 8 * * 1";

    /// <summary>The zone the cron is read in (IANA id); empty: the center's, <c>Queue:Live:TimeZone</c>.</summary>
    public string TimeZone { get; set; } = "";

    /// <summary>The recipients, addresses with optional names; none: no email is sent (and none recorded).</summary>
    public string[] To { get; set; } = [];

    public TimeZoneInfo Zone(CenterOptions live) => TimeZone.Length == 0 ? live.Zone() : TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public IEnumerable<string> Problems(SmtpOptions smtp)
    {
        foreach (var to in To.Where(t => !MailboxAddress.TryParse(t, out _))) yield return $"{Section}:To has '{to}', not an email address";
        if (To.Length > 0 && !smtp.Configured) yield return $"{Section}:To needs an SMTP server ({SmtpOptions.Section}:Host)";
        if (TimeZone.Length > 0 && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _)) yield return $"{Section}:TimeZone '{TimeZone}' is unknown";
        if (string.IsNullOrWhiteSpace(Cron)) yield return $"{Section}:Cron is empty";
    }
}

/// <summary>
/// Sends the weekly report by email: the recurring job <see cref="JobId"/> sends the week that ended before it fired,
/// once (see <see cref="ReportSends"/>); a failure throws, and Hangfire tries again with its back-off, in view on the
/// jobs dashboard. The report is the one stored when first made, so every send of a week is the same document.
/// </summary>
internal sealed partial class ReportMailer(
    WeeklyReports reports, ReportSends sends, MailSender mail, IOptions<ReportEmailOptions> options, IOptions<SmtpOptions> smtp,
    QueueMetrics metrics, TimeProvider time, ILogger<ReportMailer> logger)
{
    public const string JobId = "weekly-report";
    public const int Attempts = 10;

    /// <summary>The recurring job: the week before the one it fired in (center time).</summary>
    [AutomaticRetry(Attempts = Attempts)]
    [JobDisplayName("Weekly SLA report email")]
    public async Task SendLastWeekAsync(PerformContext? context, CancellationToken ct)
    {
        // A retry, even one started by hand days later, sends the week of the occurrence, not of the retry.
        var fired = context?.BackgroundJob.CreatedAt is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : time.GetUtcNow();
        await SendWeekAsync(WeekBefore(fired, reports.Zone), ct);
    }

    public static ReportWeek WeekBefore(DateTimeOffset at, TimeZoneInfo zone) => ReportWeek.Containing(at, zone).Previous();

    public IReadOnlyList<MailboxAddress> Recipients => [.. options.Value.To.Select(MailboxAddress.Parse)];

    /// <summary>Sends the week's scheduled email unless it has been sent; answers whether this call sent it.</summary>
    public async Task<bool> SendWeekAsync(ReportWeek week, CancellationToken ct)
    {
        var to = Recipients;
        if (to.Count == 0)
        {
            LogNoRecipients(logger, week.ToString());
            return false;
        }
        using var span = QueueMetrics.Source.StartActivity("report.send")?.SetTag("queue.report.week", week.ToString());
        bool sent;
        try
        {
            var report = await reports.GetAsync(week, ct);
            if (report.Partial)
                throw new InvalidOperationException($"week {week} is not over (it ends {report.To:O}, the service's clock says {time.GetUtcNow():O}): its report would be partial");
            sent = await sends.SendOnceAsync(week.ToString(), report.Version, [.. to.Select(a => a.ToString())], MessageId(week), time.GetUtcNow(),
                smtp.Value.Timeout + TimeSpan.FromSeconds(30), id => mail.SendAsync(ReportEmail.Build(report, ReportChart.Png(report.Center), to, id), ct),
                time.GetUtcNow, ct);
        }
        catch (Exception e)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            metrics.ReportSent(false);
            throw;
        }
        span?.SetTag("queue.report.outcome", sent ? "sent" : "already_sent");
        if (sent)
        {
            metrics.ReportSent(true);
            LogSent(logger, week.ToString(), to.Count);
        }
        else LogAlreadySent(logger, week.ToString());
        return sent;
    }

    /// <summary>Sends the stored report of a week that is over again, as asked by <paramref name="by"/>; answers the Message-Id.</summary>
    public async Task<string> ResendAsync(ReportWeek week, string by, CancellationToken ct)
    {
        var to = Recipients;
        using var span = QueueMetrics.Source.StartActivity("report.resend")?.SetTag("queue.report.week", week.ToString());
        var id = MessageId(week);
        try
        {
            var report = await reports.GetAsync(week, ct);
            await sends.ResendAsync(week.ToString(), report.Version, [.. to.Select(a => a.ToString())], id, by, time.GetUtcNow(),
                () => mail.SendAsync(ReportEmail.Build(report, ReportChart.Png(report.Center), to, id), ct), time.GetUtcNow, ct);
        }
        catch (Exception e)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            metrics.ReportSent(false);
            throw;
        }
        metrics.ReportSent(true);
        LogResent(logger, week.ToString(), to.Count, by);
        return id;
    }

    string MessageId(ReportWeek week)
    {
        var domain = MailboxAddress.TryParse(smtp.Value.From, out var from) && from.Domain.Length > 0 ? from.Domain : "localhost";
        return $"sla-report-{week}.{MimeUtils.GenerateMessageId(domain)}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly report {Week}: no recipients are configured (Queue:Reports:To), nothing sent")]
    static partial void LogNoRecipients(ILogger logger, string week);

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly report {Week} sent to {Count} recipients")]
    static partial void LogSent(ILogger logger, string week, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly report {Week} was sent already; not again")]
    static partial void LogAlreadySent(ILogger logger, string week);

    [LoggerMessage(Level = LogLevel.Information, Message = "Weekly report {Week} sent again to {Count} recipients, asked by {By}")]
    static partial void LogResent(ILogger logger, string week, int count, string by);
}

public static class ReportEmailSetup
{
    /// <summary>The weekly report email (<c>Queue:Reports</c>), its record of sends, and the job that sends it.</summary>
    public static WebApplicationBuilder AddReportEmail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReportEmailOptions>().BindConfiguration(ReportEmailOptions.Section)
            .Validate<IOptions<SmtpOptions>>((o, smtp) => !o.Problems(smtp.Value).Any(), $"{ReportEmailOptions.Section} is invalid (To, TimeZone, Cron)")
            .ValidateOnStart();
        builder.Services.AddSingleton<ReportSends>();
        builder.Services.AddTransient<ReportMailer>();
        return builder;
    }

    /// <summary>Registers (or updates) the recurring job with its cron and zone; every node does, to the same effect.</summary>
    public static void ScheduleWeeklyReport(this IServiceProvider services) =>
        Schedule(services.GetRequiredService<IRecurringJobManager>(), services.GetRequiredService<IOptions<ReportEmailOptions>>().Value,
            services.GetRequiredService<IOptions<CenterOptions>>().Value);

    public static void Schedule(IRecurringJobManager jobs, ReportEmailOptions o, CenterOptions live) =>
        jobs.AddOrUpdate<ReportMailer>(ReportMailer.JobId, m => m.SendLastWeekAsync(null, CancellationToken.None), o.Cron,
            new RecurringJobOptions { TimeZone = o.Zone(live) });
}
