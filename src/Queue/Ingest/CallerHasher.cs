using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Queue.EventLog;

namespace Queue.Ingest;

/// <summary>
/// Replaces a caller's number by a keyed hash: enough to count repeat callers, useless without the key.
/// The number is normalised to its digits first, so "+7 (912) 000-00-00" and "+79120000000" match.
/// </summary>
internal sealed class CallerHasher
{
    const int MaxDigits = 20;

    // HMACSHA256.HashData sets up a keyed context on every call, which costs more than hashing a phone number;
    // each thread keeps one keyed instance instead (an IncrementalHash is not safe to share between threads).
    readonly ThreadLocal<IncrementalHash> hmac;

    public CallerHasher(IOptions<IngestOptions> options)
    {
        var key = Encoding.UTF8.GetBytes(options.Value.CallerHashSecret);
        hmac = new(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
    }

    static readonly string[] Withheld = ["anonymous", "unknown", "restricted", "private", "unavailable", "withheld"];

    /// <summary>Whether the text is one of the words exchanges send for a withheld number (any case).</summary>
    public static bool IsWithheld(string text) => Withheld.Contains(text.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Digits of a phone number, or null when it is not one (5 to 20 digits, with + ( ) - and spaces allowed).</summary>
    public static string? Normalize(string number)
    {
        Span<char> digits = stackalloc char[MaxDigits];
        var length = Normalize(number, digits);
        return length < 0 ? null : new string(digits[..length]);
    }

    /// <summary>The keyed hash of a number, or null when it is not one: the same as <c>Hash(Normalize(number))</c>.</summary>
    public string? HashNumber(string number)
    {
        Span<char> digits = stackalloc char[MaxDigits];
        var length = Normalize(number, digits);
        return length < 0 ? null : Hash(digits[..length]);
    }

    public string Hash(string normalizedDigits) => Hash(normalizedDigits.AsSpan());

    string Hash(ReadOnlySpan<char> digits)
    {
        var ascii = digits.Length <= 64 ? stackalloc byte[digits.Length] : new byte[digits.Length];
        Encoding.ASCII.GetBytes(digits, ascii);
        Span<byte> mac = stackalloc byte[32];
        var h = hmac.Value!;
        h.AppendData(ascii);
        h.GetHashAndReset(mac);
        return Convert.ToHexStringLower(mac);
    }

    // Writes the digits and returns their count, or -1 when the text is not a phone number.
    static int Normalize(string number, Span<char> digits)
    {
        var length = 0;
        foreach (var ch in number)
        {
            if (char.IsAsciiDigit(ch))
            {
                if (length == MaxDigits) return -1;
                digits[length++] = ch;
            }
            else if (ch is ' ' or '-' or '(' or ')' || (ch == '+' && length == 0)) continue;
            else return -1;
        }
        return length >= 5 ? length : -1;
    }
}
