using System.ComponentModel.DataAnnotations;
using MailKit.Security;
using MimeKit;

namespace Queue.Notifications;

/// <summary>The SMTP server the service sends its mail through (escalations, the weekly report), from <c>Queue:Smtp</c>.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Queue:Smtp";

    /// <summary>The server's host name; empty: the service sends no mail.</summary>
    public string Host { get; set; } = "";

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>None, StartTls (required), StartTlsWhenAvailable, SslOnConnect, or Auto (MailKit decides by port).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;

    /// <summary>Empty: no authentication.</summary>
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>The sender of every message, an address with an optional name: <c>Queue &lt;queue@example.org&gt;</c>.</summary>
    public string From { get; set; } = "Queue <queue@localhost>";

    /// <summary>How long connecting, authenticating and sending one message may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public bool Configured => Host.Length > 0;

    /// <summary>What is wrong with these settings; empty when nothing is.</summary>
    public IEnumerable<string> Problems()
    {
        if (!MailboxAddress.TryParse(From, out _)) yield return $"{Section}:From is not an email address: '{From}'";
        if (Timeout <= TimeSpan.Zero) yield return $"{Section}:Timeout must be positive";
        if (Username.Length > 0 && Password.Length == 0) yield return $"{Section}:Password is required with a Username";
    }
}
