using System.Security.Cryptography;
using System.Text;

namespace Queue.Notifications;

/// <summary>
/// The signature of a webhook delivery: <c>sha256=</c> and the lowercase hex HMAC-SHA256, keyed with the webhook's
/// secret, of the timestamp (Unix seconds, as sent in <c>X-Queue-Timestamp</c>), a dot, and the body's bytes.
/// The timestamp is signed so that a receiver can refuse an old delivery replayed.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Queue-Signature";
    public const string TimestampHeader = "X-Queue-Timestamp";
    public const string DeliveryHeader = "X-Queue-Delivery";
    public const string EventHeader = "X-Queue-Event";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
