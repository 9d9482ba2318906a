using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Queue.Alerts;
using Queue.Notifications;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Alerts;

/// <summary>Escalation settings that would fail only when an alert escalates, hours later, stop the service at start-up instead.</summary>
public sealed class EscalationOptionsTests
{
    static EscalationOptions Valid() => new()
    {
        Email = new() { To = ["duty@center.example"] },
        Webhooks = [new() { Name = "ops", Url = "https://hooks.center.example/queue", Secret = "0123456789abcdef" }],
    };

    static readonly SmtpOptions Smtp = new() { Host = "smtp.center.example" };

    public static TheoryData<string, Action<EscalationOptions>> Bad() => new()
    {
        { "After must be positive", o => o.After = TimeSpan.Zero },
        { "After must be positive", o => o.After = TimeSpan.FromMinutes(-1) },
        { "Webhooks:0:Url must be an absolute http or https URL", o => o.Webhooks[0].Url = "/hooks/queue" },
        { "Webhooks:0:Url must be an absolute http or https URL", o => o.Webhooks[0].Url = "ftp://hooks.center.example/queue" },
        { "Webhooks:0:Secret must be at least 16 characters", o => o.Webhooks[0].Secret = "short" },
        { "Webhooks:0:Name", o => o.Webhooks[0].Name = "" },
        { "'ops' is used twice", o => o.Webhooks.Add(new() { Name = "ops", Url = "http://other.example/", Secret = "0123456789abcdef" }) },
        { "'duty' is not an email address", o => o.Email.To = ["duty"] },
        { "'queue.slow' is not one of", o => o.Kinds = ["queue.slow"] },
        { "MaxAttempts must be at least 1", o => o.MaxAttempts = 0 },
        { "MaxRetryAfter must not be shorter than RetryAfter", o => o.MaxRetryAfter = TimeSpan.FromSeconds(1) },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void A_bad_setting_is_refused_and_named(string expected, Action<EscalationOptions> spoil)
    {
        var validator = new EscalationOptionsValidator(Options.Create(Smtp));
        Assert.True(validator.Validate(null, Valid()).Succeeded);
        var options = Valid();
        spoil(options);

        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Queue:Alerts:Escalation:", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Email_recipients_need_an_SMTP_server()
    {
        var result = new EscalationOptionsValidator(Options.Create(new SmtpOptions())).Validate(null, Valid());

        Assert.Contains("Email:To is set but Queue:Smtp:Host is not", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void No_recipients_and_no_webhooks_is_a_valid_choice()
    {
        Assert.True(new EscalationOptionsValidator(Options.Create(new SmtpOptions())).Validate(null, new EscalationOptions()).Succeeded);
    }

    [Theory]
    [InlineData("Queue:Alerts:Escalation:After", "00:00:00", "After must be positive")]
    [InlineData("Queue:Alerts:Escalation:Webhooks:0:Url", "hooks.center.example/queue", "Url must be an absolute http or https URL")]
    public async Task The_service_refuses_to_start_with_a_bad_escalation_setting(string key, string value, string expected)
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Queue"] = TestDatabase.BaseConnectionString,
                ["Queue:Ingest:CallerHashSecret"] = QueueApp.CallerSecret,
                ["Queue:Alerts:Escalation:Webhooks:0:Name"] = "ops",
                ["Queue:Alerts:Escalation:Webhooks:0:Url"] = "https://hooks.center.example/queue",
                ["Queue:Alerts:Escalation:Webhooks:0:Secret"] = "0123456789abcdef",
                [key] = value,
            }));
        });

        var error = Record.Exception(() => factory.Server);

        Assert.NotNull(error);
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_wait_between_attempts_doubles_up_to_its_cap_with_a_tenth_of_jitter_at_most()
    {
        var first = TimeSpan.FromSeconds(5);
        var max = TimeSpan.FromMinutes(10);
        Assert.Equal([5, 10, 20, 40, 80, 160, 320, 600, 600], Enumerable.Range(1, 9).Select(n => Backoff.After(n, first, max, 0).TotalSeconds).ToArray());
        Assert.Equal(5.5, Backoff.After(1, first, max, 1).TotalSeconds, 6);
        Assert.Equal(660, Backoff.After(40, first, max, 1).TotalSeconds, 6);
    }

    [Theory]
    [InlineData(600, "10 min")]
    [InlineData(5400, "1 h 30 min")]
    [InlineData(7200, "2 h")]
    [InlineData(45, "45 s")]
    public void Durations_in_the_subject_read_as_people_say_them(int seconds, string expected) =>
        Assert.Equal(expected, EscalationEmails.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void The_signature_is_the_hex_HMAC_of_the_timestamp_a_dot_and_the_body()
    {
        var body = """{"id":1}"""u8.ToArray();
        var signature = WebhookSignature.Sign("0123456789abcdef", 1_795_000_000, body);

        Assert.Matches("^sha256=[0-9a-f]{64}$", signature);
        Assert.True(WebhookReceiver.Verify("0123456789abcdef", "1795000000", body, signature));
        Assert.False(WebhookReceiver.Verify("0123456789abcdeF", "1795000000", body, signature));
    }
}
