using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Queue.Alerts;
using Queue.Events;
using Queue.Tests.Alerts;
using Queue.Tests.Infrastructure;
using Queue.Tests.Reports;
using Queue.Tests.Storage;

namespace Queue.Tests.Telemetry;

/// <summary><c>queue_report_sends_total</c>: a weekly report email sent, or failed (for Hangfire to try again).</summary>
public sealed class ReportSendMetricsTests(ReportEmailApp app) : IClassFixture<ReportEmailApp>
{
    [Fact]
    public async Task A_failed_and_a_sent_report_email_are_counted_and_a_week_sent_already_is_not()
    {
        using var anonymous = app.Client(key: null);
        var week = new ReportWeek(2026, 44);
        var before = await Scrape.OfAsync(anonymous);

        await app.Smtp.StopAsync();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => app.Mailer.SendWeekAsync(week, CancellationToken.None));
        }
        finally
        {
            await app.Smtp.StartAsync();
        }
        Assert.True(await app.Mailer.SendWeekAsync(week, CancellationToken.None));
        Assert.False(await app.Mailer.SendWeekAsync(week, CancellationToken.None));

        var after = await Scrape.OfAsync(anonymous);
        Assert.Equal(1, after.Sum("queue_report_sends_total", ("outcome", "failed")) - before.Sum("queue_report_sends_total", ("outcome", "failed")));
        Assert.Equal(1, after.Sum("queue_report_sends_total", ("outcome", "sent")) - before.Sum("queue_report_sends_total", ("outcome", "sent")));
    }
}

/// <summary><c>queue_notifications_total</c>: escalation deliveries by channel, sent, failed (to be tried again) or given up.</summary>
public sealed class NotificationMetricsTests(EscalationApp app) : IClassFixture<EscalationApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task Deliveries_are_counted_by_channel_and_outcome()
    {
        using var anonymous = app.Client(key: null);
        var store = app.Factory.Services.GetRequiredService<AlertStore>();
        var before = await Scrape.OfAsync(anonymous);
        app.Hooks.Failing["nm-flaky"] = 1;
        app.Hooks.Failing["nm-down"] = 100;
        var flaky = (await store.RaiseAsync(AlertKinds.QueueAsa, "nm-flaky", "nm-flaky", Now, new { value = 41.0 }, "test", CancellationToken.None))!;
        var down = (await store.RaiseAsync(AlertKinds.QueueAsa, "nm-down", "nm-down", Now, new { value = 41.0 }, "test", CancellationToken.None))!;

        // Escalated: two emails sent, both webhooks refused once.
        app.Time.Advance(EscalationApp.After);
        await UntilAsync(async () => await AttemptsAsync(flaky.Id) == 1 && await AttemptsAsync(down.Id) == 1, "the first attempts");
        // Each later attempt comes after its back-off (5 s doubling): the flaky one gets through, the other is given up
        // at its fourth.
        for (var attempt = 2; attempt <= EscalationApp.MaxAttempts; attempt++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(1));
            var expected = attempt;
            await UntilAsync(async () => await AttemptsAsync(down.Id) == expected, $"attempt {expected}");
        }
        await UntilAsync(async () => await GivenUpAsync(down.Id), "the webhook given up");

        var after = await Scrape.OfAsync(anonymous);
        double Delta(string channel, string outcome) =>
            after.Sum("queue_notifications_total", ("channel", channel), ("outcome", outcome)) - before.Sum("queue_notifications_total", ("channel", channel), ("outcome", outcome));
        Assert.Equal(2, Delta("email", "sent"));
        Assert.Equal(1, Delta("webhook", "sent"));
        Assert.Equal(1 + EscalationApp.MaxAttempts - 1, Delta("webhook", "failed"));
        Assert.Equal(1, Delta("webhook", "given_up"));
        Assert.Equal(0, Delta("email", "failed") + Delta("email", "given_up"));
    }

    async Task<int> AttemptsAsync(long alertId)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>(
            "select coalesce(max(attempts), 0) from notifications where alert_id = @alertId and channel = 'webhook'", new { alertId });
    }

    async Task<bool> GivenUpAsync(long alertId)
    {
        await using var connection = await app.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<bool>(
            "select exists (select from notifications where alert_id = @alertId and channel = 'webhook' and failed_at is not null)", new { alertId });
    }

    static async Task UntilAsync(Func<Task<bool>> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("not within 15 s: " + what);
            await Task.Delay(25);
        }
    }
}

/// <summary><c>queue_events_rejected_total{reason="unavailable"}</c>: a batch answered 503 because PostgreSQL is out of reach.</summary>
public sealed class UnavailableMetricsTests(CuttableDatabaseApp app) : IClassFixture<CuttableDatabaseApp>
{
    [Fact]
    public async Task A_batch_refused_for_want_of_the_database_counts_its_events_as_unavailable()
    {
        using var client = app.Client();
        using var anonymous = app.Client(key: null);
        var now = app.Time.GetUtcNow();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("um-1", now, "um-call", "um"))).StatusCode);
        var before = await Scrape.OfAsync(anonymous);

        app.Proxy.Cut();
        try
        {
            var response = await client.PostEventsAsync(Ev.Queued("um-2", now, "um-call-2", "um"), Ev.Abandoned("um-3", now, "um-call-2"));
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        finally
        {
            app.Proxy.Restore();
        }

        var after = await Scrape.OfAsync(anonymous);
        Assert.Equal(2, after.Sum("queue_events_rejected_total", ("reason", "unavailable")) - before.Sum("queue_events_rejected_total", ("reason", "unavailable")));
        Assert.Equal(2, after.Sum("queue_events_rejected_total") - before.Sum("queue_events_rejected_total"));
        Assert.Equal(1, after.Sum("queue_ingest_duration_seconds_count") - before.Sum("queue_ingest_duration_seconds_count"));
        Assert.Equal(before.Sum("queue_events_accepted_total"), after.Sum("queue_events_accepted_total"));
    }
}
