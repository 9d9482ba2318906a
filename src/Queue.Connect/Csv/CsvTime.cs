using System.Globalization;
using System.Text.RegularExpressions;

namespace Queue.Connect.Csv;

/// <summary>
/// Timestamps of a call record: ISO 8601 dates and times (<c>2026-03-02T09:00:05+05:00</c>, <c>2026-03-02 09:00:05Z</c>,
/// <c>2026-03-02 09:00:05.250</c>). With an offset (or <c>Z</c>) a time is taken as written; without one it is local
/// time of the zone given (<c>--time-zone</c>), and without a zone it cannot be placed and is refused. A local time the
/// zone skips (a clock moved forward) is refused; one it repeats (a clock moved back) is taken in standard time.
/// </summary>
internal static partial class CsvTime
{
    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso();

    /// <summary>The instant <paramref name="text"/> names, or null with <paramref name="error"/> saying why not.</summary>
    public static DateTimeOffset? Parse(string text, TimeZoneInfo? zone, out string? error)
    {
        error = null;
        var m = Iso().Match(text);
        if (!m.Success)
        {
            error = "is not a date and time (yyyy-MM-ddTHH:mm:ss, with an offset or in --time-zone)";
            return null;
        }
        int N(int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);
        DateTime local;
        try
        {
            local = new DateTime(N(1), N(2), N(3), N(4), N(5), m.Groups[6].Success ? N(6) : 0, DateTimeKind.Unspecified);
        }
        catch (ArgumentOutOfRangeException)
        {
            error = "is not a valid date and time";
            return null;
        }
        if (m.Groups[7].Success) local = local.AddTicks(long.Parse(m.Groups[7].Value.PadRight(7, '0'), CultureInfo.InvariantCulture));
        if (m.Groups[8].Success)
        {
            var offset = Offset(m.Groups[8].Value);
            if (offset is null)
            {
                error = "has an offset out of range";
                return null;
            }
            return new DateTimeOffset(local, offset.Value);
        }
        if (zone is null)
        {
            error = "has no offset, and no --time-zone says where it was written";
            return null;
        }
        if (zone.IsInvalidTime(local))
        {
            error = $"does not exist in {zone.Id} (the clocks skipped it)";
            return null;
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    static TimeSpan? Offset(string s)
    {
        if (s is "Z" or "z") return TimeSpan.Zero;
        var sign = s[0] == '-' ? -1 : 1;
        var digits = s[1..].Replace(":", "", StringComparison.Ordinal);
        var hours = int.Parse(digits[..2], CultureInfo.InvariantCulture);
        var minutes = digits.Length > 2 ? int.Parse(digits[2..], CultureInfo.InvariantCulture) : 0;
        if (hours > 14 || minutes > 59) return null;
        return sign * new TimeSpan(hours, minutes, 0);
    }
}
