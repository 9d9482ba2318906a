using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using MimeKit;
using Queue.Events;
using Queue.Jobs;
using Queue.Live;
using Queue.Notifications;
using Queue.Telemetry;

namespace Queue.Alerts;

/// <summary>
/// Sends the outbox: claims notifications due (a few at a time, skipping those another node holds), sends them by
/// email or to their webhook, and marks each sent, or due again after a back-off, or given up after
/// <see cref="EscalationOptions.MaxAttempts"/>. Runs on its own connections, apart from ingest: a slow SMTP server or
/// webhook delays only the next notification.
/// </summary>
internal sealed partial class NotificationDispatcher(
    EscalationStore store, MailSender mail, IHttpClientFactory http, IOptions<EscalationOptions> options, IOptions<CenterOptions> live,
    QueueMetrics metrics, TimeProvider time, ILogger<NotificationDispatcher> logger) : AlarmLoop(time, options.Value.CheckInterval)
{
    public const string WebhookClient = "webhooks";
    const int Batch = 10;

    readonly TimeZoneInfo zone = live.Value.Zone();

    /// <summary>New notifications are in the outbox: send them now rather than at the next check.</summary>
    /// <summary>Sends what is due now, a batch after another; answers when the next notification waiting falls due.</summary>
    public async Task<DateTimeOffset?> DispatchDueAsync(CancellationToken ct)
    {
        while (await store.DispatchAsync(Time.GetUtcNow(), Batch, batch => SendAllAsync(batch, ct), Time.GetUtcNow, ct) == Batch) { }
        return await store.NextDueAsync(Time.GetUtcNow(), ct);
    }

    async Task<IReadOnlyList<Attempt>> SendAllAsync(IReadOnlyList<Notification> batch, CancellationToken ct)
    {
        using var span = QueueMetrics.Source.StartActivity("escalation.dispatch")?.SetTag("queue.notifications", batch.Count);
        return await Task.WhenAll(batch.Select(async n =>
        {
            using var send = QueueMetrics.Source.StartActivity("notification.send")
                ?.SetTag("queue.notification.id", n.Id).SetTag("queue.notification.channel", n.Channel)
                .SetTag("queue.notification.attempt", n.Attempts + 1).SetTag("queue.alert.id", n.AlertId);
            var error = await TryAsync(n, ct);
            if (error is null)
            {
                metrics.Notification(n.Channel, NotificationOutcomes.Sent);
                LogSent(logger, n.Channel, n.Target, n.Id, n.AlertId, n.Attempts + 1);
                return new Attempt(n.Id, null, null);
            }
            send?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error);
            var o = options.Value;
            if (n.Attempts + 1 >= o.MaxAttempts)
            {
                metrics.Notification(n.Channel, NotificationOutcomes.GivenUp);
                LogGivenUp(logger, n.Channel, n.Target, n.Id, n.AlertId, n.Attempts + 1, error);
                return new Attempt(n.Id, error, null);
            }
            metrics.Notification(n.Channel, NotificationOutcomes.Failed);
            var retry = Time.GetUtcNow() + Backoff.After(n.Attempts + 1, o.RetryAfter, o.MaxRetryAfter, Random.Shared.NextDouble());
            LogRetrying(logger, n.Channel, n.Target, n.Id, n.Attempts + 1, error, retry);
            return new Attempt(n.Id, error, retry);
        }));
    }

    // Null when sent; otherwise why not. Any failure of the SMTP server or the webhook is worth another attempt.
    async Task<string?> TryAsync(Notification n, CancellationToken ct)
    {
        try
        {
            return n.Channel switch
            {
                NotificationChannels.Email => await EmailAsync(n.Message, ct),
                NotificationChannels.Webhook => await PostAsync(n, ct),
                _ => $"unknown channel '{n.Channel}'",
            };
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    async Task<string?> EmailAsync(EscalationMessage m, CancellationToken ct)
    {
        var to = options.Value.Email.To;
        if (to.Length == 0) return "no email recipients are configured any more";
        var message = new MimeMessage { Subject = EscalationEmails.Subject(m) };
        message.To.AddRange(to.Select(MailboxAddress.Parse));
        message.Body = new BodyBuilder { TextBody = EscalationEmails.Text(m, zone), HtmlBody = EscalationEmails.Html(m, zone) }.ToMessageBody();
        await mail.SendAsync(message, ct);
        return null;
    }

    async Task<string?> PostAsync(Notification n, CancellationToken ct)
    {
        var o = options.Value;
        if (o.WebhookNamed(n.Target) is not { } hook) return $"no webhook named '{n.Target}' is configured any more";
        var body = JsonSerializer.SerializeToUtf8Bytes(n.Message, AlertJson.Options);
        var timestamp = Time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(hook.Secret, timestamp, body));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.DeliveryHeader, n.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.EventHeader, n.Message.Event);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(o.WebhookTimeout);
        try
        {
            using var response = await http.CreateClient(WebhookClient).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"no answer within {o.WebhookTimeout}";
        }
    }

    protected override Task<DateTimeOffset?> StepAsync(CancellationToken ct) => DispatchDueAsync(ct);

    protected override void OnOutage(string reason) => LogFailed(logger, reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Escalation sent by {Channel} to {Target} (notification {Id}, alert #{AlertId}, attempt {Attempt})")]
    static partial void LogSent(ILogger logger, string channel, string target, long id, long alertId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Escalation by {Channel} to {Target} failed (notification {Id}, attempt {Attempt}): {Error}; next attempt at {RetryAt}")]
    static partial void LogRetrying(ILogger logger, string channel, string target, long id, int attempt, string error, DateTimeOffset retryAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Escalation by {Channel} to {Target} given up after {Attempts} attempts (notification {Id}, alert #{AlertId}): {Error}")]
    static partial void LogGivenUp(ILogger logger, string channel, string target, long id, long alertId, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notifications could not be read, retrying: {Reason}")]
    static partial void LogFailed(ILogger logger, string reason);
}

/// <summary>Pure: the wait before the next attempt, doubling from the first, capped, stretched by up to a tenth at random.</summary>
public static class Backoff
{
    public static TimeSpan After(int failedAttempts, TimeSpan first, TimeSpan max, double random)
    {
        var doubled = first * Math.Pow(2, Math.Min(failedAttempts - 1, 30));
        var capped = doubled < max ? doubled : max;
        // The jitter keeps nodes that failed together (a receiver down) from all retrying at the same instant.
        return capped * (1 + 0.1 * random);
    }
}
