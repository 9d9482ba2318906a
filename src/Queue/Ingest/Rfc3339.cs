using System.Globalization;
using System.Text.RegularExpressions;

namespace Queue.Ingest;

/// <summary>Strict RFC 3339 timestamps: an offset (or Z) is required; precision is cut to microseconds,
/// which is what PostgreSQL's <c>timestamptz</c> keeps.</summary>
public static partial class Rfc3339
{
    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public const string Expected = "an RFC 3339 timestamp with an offset, e.g. 2026-11-25T10:00:00+05:00 or 2026-11-25T05:00:00Z";

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (text is null || text.Length > 40) return false;
        var m = Pattern().Match(text);
        if (!m.Success) return false;
        int N(int g) => int.Parse(m.Groups[g].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        try
        {
            var offset = TimeSpan.Zero;
            if (!m.Groups[8].Success)
            {
                if (N(10) > 23 || N(11) > 59) return false;
                offset = new TimeSpan(N(10), N(11), 0) * (m.Groups[9].ValueSpan[0] == '-' ? -1 : 1);
            }
            value = new DateTimeOffset(N(1), N(2), N(3), N(4), N(5), N(6), offset);
            if (m.Groups[7].Success)
            {
                var micros = m.Groups[7].Value.PadRight(6, '0')[..6];
                value = value.AddTicks(int.Parse(micros, NumberStyles.None, CultureInfo.InvariantCulture) * 10L);
            }
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Writes an instant keeping its offset, with microseconds: 2026-11-25T10:00:00.000000+05:00.</summary>
    public static string Format(DateTimeOffset value) =>
        value.Offset == TimeSpan.Zero
            ? value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)
            : value.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
}
