using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Queue.Ingest;

/// <summary>
/// Replaces a caller's number by a keyed hash: enough to count repeat callers, useless without the key.
/// The number is normalised to its digits first, so "+7 (912) 000-00-00" and "+79120000000" match.
/// </summary>
internal sealed class CallerHasher(IOptions<IngestOptions> options)
{
    readonly byte[] key = Encoding.UTF8.GetBytes(options.Value.CallerHashSecret);

    /// <summary>Digits of a phone number, or null when it is not one (5 to 20 digits, with + ( ) - and spaces allowed).</summary>
    public static string? Normalize(string number)
    {
        var digits = new StringBuilder(number.Length);
        for (var i = 0; i < number.Length; i++)
        {
            var ch = number[i];
            if (char.IsAsciiDigit(ch)) digits.Append(ch);
            else if (ch is ' ' or '-' or '(' or ')' || (ch == '+' && digits.Length == 0)) continue;
            else return null;
        }
        return digits.Length is >= 5 and <= 20 ? digits.ToString() : null;
    }

    public string Hash(string normalizedDigits) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(normalizedDigits)));
}
