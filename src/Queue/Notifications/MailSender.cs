using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Queue.Notifications;

/// <summary>
/// Sends one message through the configured SMTP server (MailKit), a connection per message: the service sends a
/// few messages an hour, and a connection kept open would only go stale between them.
/// </summary>
internal sealed class MailSender(IOptions<SmtpOptions> options)
{
    public bool Configured => options.Value.Configured;

    /// <summary>Sends it, or throws: unreachable, refused, timed out (a failure to retry).</summary>
    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        var o = options.Value;
        if (!o.Configured) throw new InvalidOperationException($"no SMTP server is configured ({SmtpOptions.Section}:Host)");
        if (message.From.Count == 0) message.From.Add(MailboxAddress.Parse(o.From));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(o.Timeout);
        using var client = new SmtpClient { Timeout = (int)o.Timeout.TotalMilliseconds };
        await client.ConnectAsync(o.Host, o.Port, o.Security, timeout.Token);
        if (o.Username.Length > 0) await client.AuthenticateAsync(o.Username, o.Password, timeout.Token);
        await client.SendAsync(message, timeout.Token);
        await client.DisconnectAsync(quit: true, timeout.Token);
    }
}

public static class MailSetup
{
    /// <summary>The SMTP server settings (<c>Queue:Smtp</c>) and the sender that uses them.</summary>
    public static WebApplicationBuilder AddMail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations()
            .Validate(o => !o.Problems().Any(), $"{SmtpOptions.Section} is invalid (From, Timeout, Password)").ValidateOnStart();
        builder.Services.AddSingleton<MailSender>();
        return builder;
    }
}
