using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Queue.Alerts;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Alerts;

/// <summary>The service, with a real SMTP server and a webhook receiver on loopback to escalate to.</summary>
public sealed class EscalationApp : QueueApp
{
    public const string Secret = "webhook-secret-0123456789abcdef";
    public const int MaxAttempts = 4;
    public static readonly TimeSpan After = TimeSpan.FromMinutes(10);

    public SmtpSink Smtp { get; } = new();
    public WebhookReceiver Hooks { get; } = new(Secret);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Queue:Smtp:Host"] = "127.0.0.1",
        ["Queue:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Queue:Smtp:Security"] = "None",
        ["Queue:Smtp:From"] = "Queue <queue@center.example>",
        ["Queue:Smtp:Timeout"] = "00:00:05",
        ["Queue:Alerts:Escalation:After"] = "00:10:00",
        ["Queue:Alerts:Escalation:Email:To:0"] = "duty@center.example",
        ["Queue:Alerts:Escalation:Email:To:1"] = "Supervisors <supervisors@center.example>",
        ["Queue:Alerts:Escalation:Webhooks:0:Name"] = "ops",
        ["Queue:Alerts:Escalation:Webhooks:0:Url"] = Hooks.Url,
        ["Queue:Alerts:Escalation:Webhooks:0:Secret"] = Secret,
        ["Queue:Alerts:Escalation:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public override async ValueTask InitializeAsync()
    {
        await Smtp.StartAsync();
        await Hooks.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Hooks.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

/// <summary>
/// Issue 5.4: an alert left open and unacknowledged for <c>After</c> is escalated once, by email through a real SMTP
/// server and to a webhook, signed; failures are retried with back-off and never lost; on a fake clock.
/// </summary>
public sealed class EscalationTests(EscalationApp app) : IClassFixture<EscalationApp>
{
    static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    DateTimeOffset Now => app.Time.GetUtcNow();
    AlertStore Store => app.Factory.Services.GetRequiredService<AlertStore>();

    async Task<Alert> RaiseAsync(string subject, string kind = AlertKinds.QueueAsa) =>
        (await Store.RaiseAsync(kind, subject, subject, Now, new { value = 41.5, target = 30.0, samples = 12, window = "m60" }, "test", CancellationToken.None))!;

    static async Task UntilAsync(Func<Task<bool>> done, string what, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await done())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"not within {timeout ?? TimeSpan.FromSeconds(15)}: {what}");
            await Task.Delay(25);
        }
    }

    static Task UntilAsync(Func<bool> done, string what) => UntilAsync(() => Task.FromResult(done()), what);

    async Task<List<OutboxRow>> OutboxAsync(long alertId)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return [.. await connection.QueryAsync<OutboxRow>(
            "select id, channel, target, attempts, next_attempt_at as NextAttemptAt, sent_at as SentAt, failed_at as FailedAt, last_error as LastError from notifications where alert_id = @alertId order by id",
            new { alertId })];
    }

    async Task<OutboxRow> OutboxAsync(long alertId, string channel) => (await OutboxAsync(alertId)).Single(r => r.Channel == channel);

    // Sent: the dispatcher has committed it (the receiver may have it a moment before).
    async Task<bool> SentAsync(long alertId) => (await OutboxAsync(alertId)) is { Count: 2 } rows && rows.All(r => r.SentAt is not null);

    async Task<int> AttemptsAsync(long alertId, string channel) => (await OutboxAsync(alertId)).SingleOrDefault(r => r.Channel == channel)?.Attempts ?? 0;

    async Task<List<(string By, DateTime At, string? Note)>> EscalationsAsync(long alertId)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return [.. await connection.QueryAsync<(string, DateTime, string?)>(
            "select by, at, note from alert_history where alert_id = @alertId and action = 'escalated'", new { alertId })];
    }

    [Fact]
    public async Task An_alert_left_open_past_After_is_escalated_once_by_email_and_to_the_webhook_signed()
    {
        await using var console = await LiveClient.ConnectAsync(app.Factory.Server, await app.KeyAsync("supervisor"));
        await console.JoinCenterAsync();
        var alert = await RaiseAsync("esc-once");

        // Unacknowledged for 10 min less a millisecond: not yet.
        app.Time.Advance(EscalationApp.After - TimeSpan.FromMilliseconds(1));
        await Task.Delay(Quiet);
        Assert.Empty(await EscalationsAsync(alert.Id));
        Assert.Empty(app.Smtp.About("esc-once"));

        // For 10 min: escalated, at that instant.
        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        await UntilAsync(() => SentAsync(alert.Id), "an email and a webhook");
        var pushed = await console.WaitForAlertAsync(a => a.Id == alert.Id && a.EscalatedAt is not null);
        Assert.Equal(alert.RaisedAt + EscalationApp.After, pushed.EscalatedAt);
        Assert.Equal(AlertStates.Open, pushed.State);

        var (mail, recipients) = Assert.Single(app.Smtp.About("esc-once"));
        Assert.Equal("[Queue] breach: queue.asa esc-once unacknowledged for 10 min", mail.Subject);
        Assert.Equal(["duty@center.example", "supervisors@center.example"], recipients.Order().ToArray());
        Assert.Equal("queue@center.example", Assert.Single(mail.From.Mailboxes).Address);
        Assert.Contains($"/api/alerts/{alert.Id}", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("average wait 41.5 s over the last 60 min, target 30 s (12 answered)", mail.TextBody, StringComparison.Ordinal);
        var raisedThere = alert.RaisedAt.ToOffset(TimeSpan.FromHours(5)).ToString("yyyy-MM-dd HH:mm:ss +05:00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("Raised:    " + raisedThere, mail.TextBody, StringComparison.Ordinal); // in the center's time
        Assert.Contains("<strong>queue.asa esc-once</strong>", mail.HtmlBody, StringComparison.Ordinal);

        var hook = Assert.Single(app.Hooks.About("esc-once"));
        Assert.True(hook.Valid);
        Assert.Equal(200, hook.Status);
        Assert.Equal("alert.escalated", hook.Event);
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), hook.Timestamp);
        var body = hook.Json;
        Assert.StartsWith($"{{\"event\":\"alert.escalated\",\"id\":{alert.Id},\"kind\":", System.Text.Encoding.UTF8.GetString(hook.Body), StringComparison.Ordinal);
        Assert.Equal(alert.Id, body.GetProperty("id").GetInt64());
        Assert.Equal("queue.asa", body.GetProperty("kind").GetString());
        Assert.Equal("esc-once", body.GetProperty("queue").GetString());
        Assert.Equal("breach", body.GetProperty("severity").GetString());
        Assert.Equal("open", body.GetProperty("state").GetString());
        Assert.Equal(alert.RaisedAt, body.GetProperty("raisedAt").GetDateTimeOffset());
        Assert.Equal(600, body.GetProperty("unacknowledgedForSeconds").GetInt64());
        Assert.Equal(41.5, body.GetProperty("details").GetProperty("value").GetDouble());
        Assert.Equal($"/api/alerts/{alert.Id}", body.GetProperty("link").GetString());

        // A receiver with another secret, or a body changed on the way, refuses it.
        Assert.False(WebhookReceiver.Verify("another-secret-0123456789abcdef", hook.Timestamp, hook.Body, hook.Signature));
        Assert.False(WebhookReceiver.Verify(EscalationApp.Secret, hook.Timestamp, [.. hook.Body, (byte)' '], hook.Signature));
        Assert.False(WebhookReceiver.Verify(EscalationApp.Secret, (Now.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), hook.Body, hook.Signature));

        var outbox = await OutboxAsync(alert.Id);
        Assert.Equal(["email", "webhook"], outbox.Select(r => r.Channel).ToArray());
        Assert.All(outbox, r => Assert.Equal((1, true), (r.Attempts, r.SentAt is not null)));
        Assert.Equal(outbox.Single(r => r.Channel == "webhook").Id.ToString(System.Globalization.CultureInfo.InvariantCulture), hook.Id);
        var escalated = Assert.Single(await EscalationsAsync(alert.Id));
        Assert.StartsWith("node ", escalated.By, StringComparison.Ordinal);
        Assert.Equal("email to 2 recipients, webhook ops", escalated.Note);

        using var http = app.Client();
        var detail = await http.GetFromJsonAsync<JsonElement>($"/api/alerts/{alert.Id}");
        Assert.Equal(Now, detail.GetProperty("alert").GetProperty("escalatedAt").GetDateTimeOffset());
        Assert.Contains(detail.GetProperty("history").EnumerateArray(), h => h.GetProperty("action").GetString() == "escalated");

        // Hours more unacknowledged: still escalated once.
        for (var i = 0; i < 6; i++) app.Time.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(Quiet);
        Assert.Single(app.Smtp.About("esc-once"));
        Assert.Single(app.Hooks.About("esc-once"));
        Assert.Single(await EscalationsAsync(alert.Id));
        Assert.Equal(2, (await OutboxAsync(alert.Id)).Count);
    }

    [Fact]
    public async Task An_alert_acknowledged_or_cleared_before_After_is_never_escalated()
    {
        var acked = await RaiseAsync("esc-acked");
        var cleared = await RaiseAsync("esc-cleared", AlertKinds.QueueWait);
        var left = await RaiseAsync("esc-left", AlertKinds.QueueRemote);
        app.Time.Advance(EscalationApp.After - TimeSpan.FromSeconds(1));

        using var supervisor = app.Client(await app.KeyAsync("supervisor"));
        Assert.Equal(HttpStatusCode.OK, (await supervisor.PostAsJsonAsync($"/api/alerts/{acked.Id}/ack", new { note = "on it" })).StatusCode);
        Assert.NotNull(await Store.ClearAsync(AlertKinds.QueueWait, "esc-cleared", Now, "test", CancellationToken.None));
        app.Time.Advance(TimeSpan.FromSeconds(1));
        app.Time.Advance(TimeSpan.FromHours(1));

        // The one left open is escalated (a warning too, and the escalator has looked after the others changed) …
        await UntilAsync(() => SentAsync(left.Id), "the open one escalated");
        Assert.Equal("[Queue] breach: queue.remote esc-left unacknowledged for 10 min", app.Smtp.About("esc-left").Single().Message.Subject);
        Assert.Single(await EscalationsAsync(left.Id));
        // … the acknowledged and the cleared ones never.
        await Task.Delay(Quiet);
        foreach (var (alert, subject) in new[] { (acked, "esc-acked"), (cleared, "esc-cleared") })
        {
            Assert.Empty(await EscalationsAsync(alert.Id));
            Assert.Empty(await OutboxAsync(alert.Id));
            Assert.Empty(app.Smtp.About(subject));
            Assert.Empty(app.Hooks.About(subject));
        }
    }

    [Fact]
    public async Task A_warning_is_escalated_too()
    {
        var alert = await RaiseAsync("esc-warning", AlertKinds.QueueWait);
        app.Time.Advance(EscalationApp.After);
        await UntilAsync(() => SentAsync(alert.Id), "the warning's email");
        Assert.Equal("[Queue] warning: queue.wait esc-warning unacknowledged for 10 min", app.Smtp.About("esc-warning").Single().Message.Subject);
        Assert.Single(await EscalationsAsync(alert.Id));
    }

    [Fact]
    public async Task A_webhook_failing_is_retried_with_back_off_and_delivered_once()
    {
        app.Hooks.Failing["esc-flaky"] = 2;
        var alert = await RaiseAsync("esc-flaky");
        app.Time.Advance(EscalationApp.After);

        // First attempt: 500. The next is due 5 s later (and up to a tenth more, at random).
        await UntilAsync(async () => await AttemptsAsync(alert.Id, "webhook") == 1, "the first attempt");
        var first = await OutboxAsync(alert.Id, "webhook");
        Assert.Null(first.SentAt);
        Assert.Equal("HTTP 500", first.LastError);
        var wait = first.NextAttemptAt!.Value - Now.UtcDateTime;
        Assert.InRange(wait, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.5));
        Assert.Single(app.Smtp.About("esc-flaky")); // the email went, whatever the webhook does

        app.Time.Advance(wait - TimeSpan.FromMilliseconds(1));
        await Task.Delay(Quiet);
        Assert.Single(app.Hooks.About("esc-flaky"));

        // Second: 500 again, and the wait doubles.
        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        await UntilAsync(async () => await AttemptsAsync(alert.Id, "webhook") == 2, "the second attempt");
        var second = await OutboxAsync(alert.Id, "webhook");
        wait = second.NextAttemptAt!.Value - Now.UtcDateTime;
        Assert.InRange(wait, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(11));

        // Third: delivered, and never again.
        app.Time.Advance(wait);
        await UntilAsync(async () => (await OutboxAsync(alert.Id, "webhook")).SentAt is not null, "the delivery");
        app.Time.Advance(TimeSpan.FromHours(1));
        await Task.Delay(Quiet);
        var posts = app.Hooks.About("esc-flaky").ToList();
        Assert.Equal([500, 500, 200], posts.Select(p => p.Status).ToArray());
        Assert.All(posts, p => Assert.True(p.Valid));
        Assert.Single(posts.Select(p => p.Id).Distinct()); // one delivery id: a receiver can tell a retry from a new one
        Assert.Single(posts.Select(p => p.Json.GetRawText()).Distinct());
        Assert.Equal(3, (await OutboxAsync(alert.Id, "webhook")).Attempts);
        Assert.Single(app.Smtp.About("esc-flaky"));
    }

    [Fact]
    public async Task With_the_SMTP_server_down_the_email_is_retried_and_delivered_once_it_is_back()
    {
        await app.Smtp.StopAsync();
        try
        {
            var alert = await RaiseAsync("esc-smtp-down");
            app.Time.Advance(EscalationApp.After);
            await UntilAsync(async () => await AttemptsAsync(alert.Id, "email") == 1, "the first attempt");
            var failed = await OutboxAsync(alert.Id, "email");
            Assert.Null(failed.SentAt);
            Assert.Null(failed.FailedAt);
            Assert.NotNull(failed.LastError);
            Assert.Single(app.Hooks.About("esc-smtp-down")); // the webhook did not wait for the email

            await app.Smtp.StartAsync();
            app.Time.Advance(failed.NextAttemptAt!.Value - Now.UtcDateTime);
            await UntilAsync(async () => (await OutboxAsync(alert.Id, "email")).SentAt is not null, "the email, once the server is back");
            Assert.Equal(2, (await OutboxAsync(alert.Id, "email")).Attempts);
            app.Time.Advance(TimeSpan.FromHours(1));
            await Task.Delay(Quiet);
            Assert.Single(app.Smtp.About("esc-smtp-down"));
        }
        finally
        {
            if (!app.Smtp.Running) await app.Smtp.StartAsync();
        }
    }

    [Fact]
    public async Task A_notification_failing_every_attempt_is_given_up_after_MaxAttempts_and_logged()
    {
        app.Hooks.Failing["esc-doomed"] = int.MaxValue;
        var alert = await RaiseAsync("esc-doomed");
        app.Time.Advance(EscalationApp.After);
        for (var attempt = 1; attempt <= EscalationApp.MaxAttempts; attempt++)
        {
            await UntilAsync(async () => await AttemptsAsync(alert.Id, "webhook") == attempt, $"attempt {attempt}");
            var row = await OutboxAsync(alert.Id, "webhook");
            if (attempt < EscalationApp.MaxAttempts) app.Time.Advance(row.NextAttemptAt!.Value - Now.UtcDateTime);
        }
        var given = await OutboxAsync(alert.Id, "webhook");
        Assert.Null(given.SentAt);
        Assert.NotNull(given.FailedAt);
        Assert.Equal("HTTP 500", given.LastError);
        await UntilAsync(() => app.Logs.Any(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("to ops given up after 4 attempts", StringComparison.Ordinal)), "the warning");

        app.Time.Advance(TimeSpan.FromHours(2));
        await Task.Delay(Quiet);
        Assert.Equal(EscalationApp.MaxAttempts, app.Hooks.About("esc-doomed").Count());
    }

    [Fact]
    public async Task Two_nodes_escalate_each_alert_once()
    {
        await using var second = app.Factory.WithWebHostBuilder(_ => { });
        _ = second.Server;
        var alerts = new List<Alert>();
        for (var i = 0; i < 20; i++) alerts.Add(await RaiseAsync($"esc-two-{i}"));
        app.Time.Advance(EscalationApp.After);

        await UntilAsync(async () =>
        {
            foreach (var a in alerts) if (!await SentAsync(a.Id)) return false;
            return true;
        }, "every alert escalated");
        app.Time.Advance(TimeSpan.FromMinutes(30));
        await Task.Delay(Quiet);
        foreach (var a in alerts)
        {
            Assert.Single(app.Smtp.About(a.Subject));
            Assert.Single(app.Hooks.About(a.Subject));
            Assert.Single(await EscalationsAsync(a.Id));
            Assert.All(await OutboxAsync(a.Id), r => Assert.Equal(1, r.Attempts));
        }
    }

    sealed class OutboxRow
    {
        public long Id { get; init; }
        public string Channel { get; init; } = "";
        public string Target { get; init; } = "";
        public int Attempts { get; init; }
        public DateTime? NextAttemptAt { get; init; }
        public DateTime? SentAt { get; init; }
        public DateTime? FailedAt { get; init; }
        public string? LastError { get; init; }
    }
}
