using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Hangfire;
using Hangfire.Common;
using Hangfire.Storage;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using Queue.Events;
using Queue.Reports;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Reports;

/// <summary>The service with a real SMTP server on loopback and two report recipients.</summary>
public sealed class ReportEmailApp : QueueApp
{
    public SmtpSink Smtp { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Queue:Smtp:Host"] = "127.0.0.1",
        ["Queue:Smtp:Port"] = Smtp.Port.ToString(CultureInfo.InvariantCulture),
        ["Queue:Smtp:Security"] = "None",
        ["Queue:Smtp:From"] = "Queue <queue@center.example>",
        ["Queue:Smtp:Timeout"] = "00:00:05",
        ["Queue:Reports:To:0"] = "Center manager <manager@center.example>",
        ["Queue:Reports:To:1"] = "quality@center.example",
    };

    internal ReportMailer Mailer => Factory.Services.GetRequiredService<ReportMailer>();

    public override async ValueTask InitializeAsync()
    {
        await Smtp.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>
/// Issue 7.3: the weekly report by email, received by a real SMTP server and parsed with MimeKit; once per week
/// across nodes and retries; scheduled on Mondays at 08:00 center time; the jobs dashboard for admins only.
/// </summary>
public sealed class ReportEmailTests(ReportEmailApp app) : IClassFixture<ReportEmailApp>
{
    static readonly TimeSpan Center = TimeSpan.FromHours(5);
    static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    static DateTimeOffset Local(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, Center);

    int count;

    // Tuesday to Sunday of the week of Monday `monday`: per day two answered calls in em-a (12 s and 45 s), completed,
    // the 11:00 one by a field visit every other day, and one abandoned in em-b; on Wednesday and Friday four more in
    // em-b, answered in 25 s.
    async Task PostWeekAsync(DateTimeOffset monday)
    {
        var events = new List<JsonNode>();
        for (var d = 1; d <= 6; d++)
        {
            var day = monday.AddDays(d);
            var calls = new List<(string, int, int, bool, string?)>
            {
                ("em-a", 9, 12, true, "resolved"), ("em-a", 11, 45, true, d % 2 == 1 ? "field_visit" : "resolved"), ("em-b", 15, 20, false, null),
            };
            if (d is 2 or 4) calls.AddRange([("em-b", 10, 25, true, null), ("em-b", 12, 25, true, null), ("em-b", 13, 25, true, null), ("em-b", 16, 25, true, null)]);
            foreach (var (queue, hour, wait, answered, resolution) in calls)
            {
                var id = $"em-{monday:MMdd}-{count++}";
                var at = day.AddHours(hour);
                events.Add(Ev.Queued(id + "-q", at, id, queue));
                events.Add(answered ? Ev.Answered(id + "-a", at.AddSeconds(wait), id, "ag-em") : Ev.Abandoned(id + "-x", at.AddSeconds(wait), id));
                if (resolution is not null) events.Add(Ev.Completed(id + "-c", at.AddSeconds(wait + 120), id, resolution));
            }
        }
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync([.. events])).StatusCode);
    }

    List<(MimeMessage Message, IReadOnlyList<string> Recipients)> Mail(string week) =>
        [.. app.Smtp.Messages.Where(m => m.Message.Subject?.Contains(week, StringComparison.Ordinal) == true)];

    async Task<(string State, int Attempts, string? Error, int Rows)> SendRowAsync(string week)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string, int, string?)>(
            "select state, attempts, last_error from report_sends where week = @week and scheduled", new { week })).ToList();
        return rows.Count == 0 ? ("", 0, null, 0) : (rows[0].Item1, rows[0].Item2, rows[0].Item3, rows.Count);
    }

    [Fact]
    public async Task The_Monday_email_has_the_recipients_the_week_its_figures_an_inline_chart_and_the_CSV_of_the_stored_report()
    {
        await PostWeekAsync(Local(11, 16, 0)); // 2026-W47; the clock is at Monday 23 Nov 10:00, the week after

        await app.Mailer.SendLastWeekAsync(null, TestContext.Current.CancellationToken);

        var (message, envelope) = Assert.Single(Mail("2026-W47"));
        Assert.Equal(["manager@center.example", "quality@center.example"], envelope.Order());
        Assert.Equal(["manager@center.example", "quality@center.example"], message.To.Mailboxes.Select(m => m.Address).Order());
        Assert.Equal("queue@center.example", message.From.Mailboxes.Single().Address);
        Assert.Equal("Weekly SLA report 2026-W47 (16–22 Nov 2026): 1 of 2 targets met", message.Subject);

        // The week's figures: 26 offered, 20 answered at 27.1 s on average (met), 9 of 12 resolved remotely (missed).
        var html = WebUtility.HtmlDecode(message.HtmlBody);
        Assert.Contains("Weekly SLA report · 2026-W47", html, StringComparison.Ordinal);
        Assert.Contains("Calls offered 26 · answered 20 · abandoned 6", html, StringComparison.Ordinal);
        Assert.Contains(">27.1 s<", html, StringComparison.Ordinal);
        Assert.Contains(">75 %<", html, StringComparison.Ordinal);
        Assert.Contains("✘ missed", html, StringComparison.Ordinal);
        Assert.Contains(">em-a<", html, StringComparison.Ordinal);
        Assert.Contains("src=\"cid:trend\"", html, StringComparison.Ordinal);
        var text = message.TextBody;
        Assert.Contains("Weekly SLA report 2026-W47: 16–22 Nov 2026", text, StringComparison.Ordinal);
        Assert.Contains("Calls offered 26, answered 20, abandoned 6", text, StringComparison.Ordinal);
        Assert.Contains("27.1 s  met", text, StringComparison.Ordinal);
        Assert.Contains("75 %  MISSED", text, StringComparison.Ordinal);

        // The chart: an inline PNG that the HTML refers to, 1440×640 (720×320 at twice the density).
        var chart = message.BodyParts.OfType<MimePart>().Single(p => p.ContentId == "trend");
        Assert.Equal("image/png", chart.ContentType.MimeType);
        using var png = new MemoryStream();
        await chart.Content!.DecodeToAsync(png, TestContext.Current.CancellationToken);
        var bytes = png.ToArray();
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(1440, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.True(bytes.Length > 20_000, $"a chart of {bytes.Length} bytes has hardly anything drawn");

        // The CSV attached is the stored report's: its rows carry the JSON's figures, section by section.
        var csvPart = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("sla-report-2026-W47.csv", csvPart.FileName);
        Assert.Equal("text/csv", csvPart.ContentType.MimeType);
        using var csvBytes = new MemoryStream();
        await csvPart.Content!.DecodeToAsync(csvBytes, TestContext.Current.CancellationToken);
        var csv = System.Text.Encoding.UTF8.GetString(csvBytes.ToArray());
        using var http = app.Client();
        Assert.Equal(await http.GetStringAsync("/api/reports/weekly/2026-W47.csv"), csv);
        var json = await http.GetFromJsonAsync<JsonElement>("/api/reports/weekly/2026-W47.json");
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r').Split(',')).ToList();
        var header = rows[0].ToList();
        var sections = json.GetProperty("queues").EnumerateArray().Prepend(json.GetProperty("center")).ToList();
        Assert.Equal(1 + sections.Count * 9 + json.GetProperty("regions").GetArrayLength(), rows.Count);
        foreach (var section in sections)
        {
            var name = section.GetProperty("queue").GetString() ?? "center";
            var week = section.GetProperty("week");
            var row = rows.Single(r => r[0] == name && r[1] == "week");
            foreach (var (column, field) in new[] { ("offered", "offered"), ("answered", "answered"), ("abandoned", "abandoned"), ("completed", "completed"),
                ("resolved_remotely", "resolvedRemotely"), ("asa_seconds", "asaSeconds"), ("service_level", "serviceLevel"), ("remote_resolution", "remoteResolution") })
            {
                var value = week.GetProperty(field);
                var cell = row[header.IndexOf(column)];
                if (value.ValueKind == JsonValueKind.Null) Assert.Equal("", cell);
                else Assert.Equal(value.GetDouble(), double.Parse(cell, CultureInfo.InvariantCulture));
            }
        }

        // Sent once: the same week again sends nothing.
        Assert.False(await app.Mailer.SendWeekAsync(new ReportWeek(2026, 47), TestContext.Current.CancellationToken));
        Assert.Single(Mail("2026-W47"));
        Assert.Equal(("sent", 1, (string?)null, 1), await SendRowAsync("2026-W47"));

        // An admin's re-send gives the same document, as a new message.
        using var supervisor = app.Client(await app.KeyAsync("supervisor"));
        Assert.Equal(HttpStatusCode.Forbidden, (await supervisor.PostAsync("/api/reports/weekly/2026-W47/send", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/reports/weekly/2026-W48/send", null)).StatusCode);
        var resent = await http.PostAsync("/api/reports/weekly/2026-W47/send", null);
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal(2, Mail("2026-W47").Count);
        var again = Mail("2026-W47")[1].Message;
        Assert.Equal(message.HtmlBody, again.HtmlBody);
        Assert.Equal(message.TextBody, again.TextBody);
        Assert.NotEqual(message.MessageId, again.MessageId);
        Assert.Equal(("sent", 1, (string?)null, 1), await SendRowAsync("2026-W47"));

        await KeepAsync(message, bytes);
    }

    [Fact]
    public async Task Two_nodes_sending_the_same_week_at_once_send_one_email()
    {
        var week = new ReportWeek(2026, 46);

        // Four senders on their own connections, as four nodes (or a node and a retry) would be.
        var sent = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => app.Factory.Services.GetRequiredService<ReportMailer>().SendWeekAsync(week, CancellationToken.None))));

        Assert.Equal(1, sent.Count(s => s));
        Assert.Single(Mail("2026-W46"));
        Assert.Equal(("sent", 1, (string?)null, 1), await SendRowAsync("2026-W46"));
    }

    [Fact]
    public async Task A_failed_send_throws_for_Hangfire_to_retry_leaves_the_week_unsent_and_a_later_run_sends_it_once()
    {
        var week = new ReportWeek(2026, 45);
        var retry = typeof(ReportMailer).GetMethod(nameof(ReportMailer.SendLastWeekAsync))!.GetCustomAttributes(typeof(AutomaticRetryAttribute), false);
        Assert.Equal(ReportMailer.Attempts, Assert.IsType<AutomaticRetryAttribute>(Assert.Single(retry)).Attempts);

        await app.Smtp.StopAsync();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => app.Mailer.SendWeekAsync(week, CancellationToken.None));
            var (state, attempts, error, _) = await SendRowAsync("2026-W45");
            Assert.Equal(("pending", 1), (state, attempts));
            Assert.False(string.IsNullOrEmpty(error));
            Assert.Empty(Mail("2026-W45"));
        }
        finally
        {
            await app.Smtp.StartAsync();
        }

        Assert.True(await app.Mailer.SendWeekAsync(week, CancellationToken.None));
        Assert.False(await app.Mailer.SendWeekAsync(week, CancellationToken.None));
        Assert.Single(Mail("2026-W45"));
        Assert.Equal(("sent", 2, (string?)null, 1), await SendRowAsync("2026-W45"));
    }

    [Fact]
    public async Task The_recurring_job_fires_on_Monday_at_08_00_center_time_for_the_week_just_ended()
    {
        var storage = app.Factory.Services.GetRequiredService<JobStorage>();
        using (var connection = storage.GetConnection())
        {
            var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == ReportMailer.JobId);
            Assert.Equal("0 8 * * 1", job.Cron);
            Assert.Equal("Asia/Yekaterinburg", job.TimeZoneId);
            Assert.Equal(typeof(ReportMailer), job.Job.Type);
        }

        // Registered as at Sunday 29 Nov 23:00 in the center: next due Monday 30 Nov 08:00 there, not before.
        var sunday = Local(11, 29, 23);
        var manager = new RecurringJobManager(storage, JobFilterProviders.Providers, new DefaultTimeZoneResolver(), () => sunday.UtcDateTime);
        manager.RemoveIfExists(ReportMailer.JobId);
        ReportEmailSetup.Schedule(manager, app.Factory.Services.GetRequiredService<IOptions<ReportEmailOptions>>().Value,
            app.Factory.Services.GetRequiredService<IOptions<CenterOptions>>().Value);
        using (var connection = storage.GetConnection())
        {
            var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == ReportMailer.JobId);
            Assert.Equal(Local(11, 30, 8).UtcDateTime, job.NextExecution);
        }

        // Fired then (or retried later), it sends the week before: Monday 08:00 → the week that ended at midnight.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg");
        Assert.Equal(new ReportWeek(2026, 48), ReportMailer.WeekBefore(Local(11, 30, 8), zone));
        Assert.Equal(new ReportWeek(2026, 47), ReportMailer.WeekBefore(Local(11, 29, 23, 59), zone));
        Assert.Equal(new ReportWeek(2026, 53), ReportMailer.WeekBefore(new DateTimeOffset(2027, 1, 4, 8, 0, 0, Center), zone));
    }

    [Fact]
    public async Task The_jobs_dashboard_is_for_admin_keys_given_once_in_the_address_then_kept_in_a_cookie_for_jobs_only()
    {
        using var browser = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/jobs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/jobs?key=qk_not-a-real-key-0000000000000000")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync($"/jobs?key={await app.KeyAsync("supervisor")}")).StatusCode);

        var login = await browser.GetAsync($"/jobs/recurring?key={QueueApp.AdminKey}");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/jobs/recurring", login.Headers.Location!.OriginalString);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("path=/jobs", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var page = new HttpRequestMessage(HttpMethod.Get, "/jobs/recurring");
        page.Headers.Add("Cookie", cookie.Split(';')[0]);
        var response = await browser.SendAsync(page);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Queue jobs", html, StringComparison.Ordinal);
        Assert.Contains(ReportMailer.JobId, html, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", html, StringComparison.Ordinal);

        // The cookie is no key for the API.
        using var api = new HttpRequestMessage(HttpMethod.Get, "/api/keys");
        api.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.SendAsync(api)).StatusCode);
    }

    [Fact]
    public void The_subject_names_the_week_its_days_and_how_many_targets_were_met()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg");
        Assert.Equal("Weekly SLA report 2026-W48 (23–29 Nov 2026): no targets to judge", ReportEmail.Subject(Empty(new ReportWeek(2026, 48), zone)));
        Assert.Equal("30 Nov – 6 Dec 2026", ReportEmail.Days(Empty(new ReportWeek(2026, 49), zone)));
        Assert.Equal("28 Dec 2026 – 3 Jan 2027", ReportEmail.Days(Empty(new ReportWeek(2026, 53), zone)));
    }

    static WeeklyReport Empty(ReportWeek week, TimeZoneInfo zone) =>
        ReportBuilder.Build(week, zone, week.Bounds(zone).To.AddDays(1), [], [], _ => new Queue.Targets.TargetOptions());

    // The email as a reader sees it: the HTML with its chart beside it, rendered by headless Chromium, kept in artifacts/.
    static async Task KeepAsync(MimeMessage message, byte[] chart)
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Queue.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("no Queue.sln above the tests");
        var dir = Directory.CreateDirectory(Path.Combine(root, "artifacts", "email")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(dir, "trend.png"), chart);
        await File.WriteAllTextAsync(Path.Combine(dir, "weekly-report.html"), message.HtmlBody!.Replace("cid:trend", "trend.png", StringComparison.Ordinal));
        await File.WriteAllTextAsync(Path.Combine(dir, "weekly-report.txt"), message.TextBody);
        await message.WriteToAsync(Path.Combine(dir, "weekly-report.eml"));
        const string chromium = "/usr/bin/chromium";
        if (!File.Exists(chromium)) return;
        var shot = Path.Combine(dir, "weekly-report-email.png");
        File.Delete(shot);
        using var process = Process.Start(new ProcessStartInfo(chromium,
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--hide-scrollbars", $"--screenshot={shot}",
             "--window-size=1000,1200", Path.Combine(dir, "weekly-report.html")])
        { RedirectStandardError = true, RedirectStandardOutput = true })!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(File.Exists(shot), "Chromium made no screenshot: " + await process.StandardError.ReadToEndAsync());
    }
}

/// <summary>The service running a Hangfire server, its SMTP server down, one report recipient.</summary>
public sealed class ReportJobApp : QueueApp
{
    public SmtpSink Smtp { get; } = new(); // never started: every connection is refused

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Queue:Smtp:Host"] = "127.0.0.1",
        ["Queue:Smtp:Port"] = Smtp.Port.ToString(CultureInfo.InvariantCulture),
        ["Queue:Smtp:Security"] = "None",
        ["Queue:Smtp:Timeout"] = "00:00:05",
        ["Queue:Reports:To:0"] = "manager@center.example",
        ["Queue:Jobs:Server"] = "true",
        ["Queue:Jobs:Workers"] = "1",
        ["Queue:Jobs:PollInterval"] = "00:00:01",
    };
}

/// <summary>The recurring job run by Hangfire itself: a failed send is retried with back-off, in view on /jobs.</summary>
public sealed class ReportJobTests(ReportJobApp app) : IClassFixture<ReportJobApp>
{
    [Fact]
    public async Task A_failed_send_run_by_Hangfire_is_scheduled_for_a_retry_and_shows_on_the_dashboard()
    {
        // Hangfire stamps the job with its own (real) clock, and the job sends the week before that: the service's
        // clock must find that week over.
        app.Time.SetUtcNow(DateTimeOffset.UtcNow);
        var storage = app.Factory.Services.GetRequiredService<JobStorage>();
        app.Factory.Services.GetRequiredService<IRecurringJobManager>().Trigger(ReportMailer.JobId);

        var monitoring = storage.GetMonitoringApi();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (monitoring.ScheduledCount() == 0)
        {
            Assert.True(DateTime.UtcNow < until, "the job was not scheduled for a retry within 30 s: " + string.Join(" | ", app.Logs.Where(l => l.Contains("Hangfire", StringComparison.Ordinal)).TakeLast(5)));
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        var (id, _) = Assert.Single(monitoring.ScheduledJobs(0, 10));
        var history = monitoring.JobDetails(id).History;
        Assert.Contains(history, h => h.StateName == "Failed");
        Assert.Contains(history, h => h.StateName == "Scheduled" && h.Reason?.Contains($"Retry attempt 1 of {ReportMailer.Attempts}", StringComparison.Ordinal) == true);

        var week = ReportMailer.WeekBefore(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg")).ToString();
        await using (var connection = await app.Db.OpenConnectionAsync())
        {
            var rows = (await connection.QueryAsync<(string, int)>(
                "select state, attempts from report_sends where week = @week and scheduled", new { week })).ToList();
            var failure = history.FirstOrDefault(h => h.StateName == "Failed")?.Data;
            Assert.True(rows.Count == 1, $"no send of {week} recorded; the job failed with: "
                + (failure is null ? "(nothing)" : string.Join("; ", failure.Where(kv => kv.Key.StartsWith("Exception", StringComparison.Ordinal)).Select(kv => $"{kv.Key}={kv.Value}"))));
            Assert.Equal(("pending", 1), rows[0]);
        }

        using var browser = app.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var login = await browser.GetAsync($"/jobs/retries?key={QueueApp.AdminKey}");
        using var page = new HttpRequestMessage(HttpMethod.Get, login.Headers.Location);
        page.Headers.Add("Cookie", login.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
        var html = await (await browser.SendAsync(page)).Content.ReadAsStringAsync();
        Assert.Contains("Weekly SLA report email", html, StringComparison.Ordinal);
    }
}
