using Microsoft.Extensions.Options;
using MimeKit;
using Queue.Events;
using Queue.Ingest;
using Queue.Notifications;

namespace Queue.Alerts;

/// <summary>Escalation of alerts left open and unacknowledged, from <c>Queue:Alerts:Escalation</c>.</summary>
public sealed class EscalationOptions
{
    public const string Section = "Queue:Alerts:Escalation";

    /// <summary>How long an alert may stay open and unacknowledged before it is escalated (at raised + After, inclusive).</summary>
    public TimeSpan After { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The kinds escalated; empty: every kind, warnings and breaches.</summary>
    public string[] Kinds { get; set; } = [];

    public EscalationEmail Email { get; set; } = new();

    public List<Webhook> Webhooks { get; set; } = [];

    /// <summary>How often a node looks for alerts due, besides waking at the next one it knows of (raised by another node, say).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts at one notification before it is given up (and logged).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failed attempt; it doubles after each next one, up to <see cref="MaxRetryAfter"/>.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a webhook has to answer; no answer in time is a failed attempt.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public bool Escalates(string kind) => Kinds.Length == 0 || Kinds.Contains(kind, StringComparer.Ordinal);

    public Webhook? WebhookNamed(string name) => Webhooks.FirstOrDefault(w => w.Name == name);
}

public sealed class EscalationEmail
{
    /// <summary>Who is told; empty: no email.</summary>
    public string[] To { get; set; } = [];
}

/// <summary>A receiver of escalations: a name (shown in the history and the deliveries), where to post, the key to sign with.</summary>
public sealed class Webhook
{
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    public string Secret { get; set; } = "";
}

/// <summary>Refuses at start-up what would fail only when an alert escalates, hours later.</summary>
internal sealed class EscalationOptionsValidator(IOptions<SmtpOptions> smtp) : IValidateOptions<EscalationOptions>
{
    const int MinSecret = 16;

    public ValidateOptionsResult Validate(string? name, EscalationOptions o)
    {
        var s = EscalationOptions.Section;
        var errors = new List<string>();
        if (o.After <= TimeSpan.Zero) errors.Add($"{s}:After must be positive");
        if (o.CheckInterval <= TimeSpan.Zero) errors.Add($"{s}:CheckInterval must be positive");
        if (o.MaxAttempts < 1) errors.Add($"{s}:MaxAttempts must be at least 1");
        if (o.RetryAfter <= TimeSpan.Zero) errors.Add($"{s}:RetryAfter must be positive");
        if (o.MaxRetryAfter < o.RetryAfter) errors.Add($"{s}:MaxRetryAfter must not be shorter than RetryAfter");
        if (o.WebhookTimeout <= TimeSpan.Zero) errors.Add($"{s}:WebhookTimeout must be positive");
        foreach (var kind in o.Kinds.Where(k => !AlertKinds.ByName.ContainsKey(k)))
            errors.Add($"{s}:Kinds: '{kind}' is not one of {string.Join(", ", AlertKinds.Names)}");
        foreach (var to in o.Email.To.Where(t => !MailboxAddress.TryParse(t, out var a) || a.Address.Length == 0 || !a.Address.Contains('@')))
            errors.Add($"{s}:Email:To: '{to}' is not an email address");
        if (o.Email.To.Length > 0)
        {
            if (!smtp.Value.Configured) errors.Add($"{s}:Email:To is set but {SmtpOptions.Section}:Host is not");
            errors.AddRange(smtp.Value.Problems());
        }
        for (var i = 0; i < o.Webhooks.Count; i++)
        {
            var w = o.Webhooks[i];
            var at = $"{s}:Webhooks:{i}";
            if (!Identifiers.IsValid(w.Name)) errors.Add($"{at}:Name: {Identifiers.Rule}");
            else if (o.Webhooks.Take(i).Any(x => x.Name == w.Name)) errors.Add($"{at}:Name: '{w.Name}' is used twice");
            if (!Uri.TryCreate(w.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                errors.Add($"{at}:Url must be an absolute http or https URL");
            if (w.Secret.Length < MinSecret) errors.Add($"{at}:Secret must be at least {MinSecret} characters");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
