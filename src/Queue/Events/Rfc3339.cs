using System.Globalization;

namespace Queue.Events;

/// <summary>Strict RFC 3339 timestamps: an offset (or Z) is required; precision is cut to microseconds,
/// which is what PostgreSQL's <c>timestamptz</c> keeps.</summary>
public static class Rfc3339
{
    public const string Expected = "an RFC 3339 timestamp with an offset, e.g. 2026-11-25T10:00:00+05:00 or 2026-11-25T05:00:00Z";

    /// <summary>Reads <c>YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)</c> with a real date and time; anything else is refused.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        return text is not null && text.Length <= 40 && TryParse(text.AsSpan(), out value);
    }

    static bool TryParse(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        // The fixed part: YYYY-MM-DDTHH:MM:SS
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] is not ('T' or 't') || s[13] != ':' || s[16] != ':')
            return false;
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
            return false;

        var i = 19;
        long fractionTicks = 0;
        if (s[i] == '.')
        {
            var start = ++i;
            while (i < s.Length && i - start < 9 && char.IsAsciiDigit(s[i])) i++;
            var count = i - start;
            if (count == 0) return false;
            // Truncated, not rounded, to microseconds: the first six digits, padded with zeros.
            for (var k = 0; k < 6; k++)
                fractionTicks = fractionTicks * 10 + (k < count ? s[start + k] - '0' : 0);
            fractionTicks *= 10;
        }

        if (i >= s.Length) return false;
        var offsetMinutes = 0;
        if (s[i] is 'Z' or 'z') i++;
        else if (s[i] is '+' or '-')
        {
            if (i + 6 > s.Length || s[i + 3] != ':' || !Digits(s, i + 1, 2, out var oh) || !Digits(s, i + 4, 2, out var om))
                return false;
            if (oh > 23 || om > 59) return false;
            offsetMinutes = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
            i += 6;
        }
        else return false;

        if (i != s.Length) return false;

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
            return false;
        // DateTimeOffset allows at most ±14:00, and the instant must exist in UTC too.
        if (Math.Abs(offsetMinutes) > 14 * 60) return false;
        var offset = TimeSpan.FromMinutes(offsetMinutes);
        var clockTicks = new DateTime(year, month, day, hour, minute, second).Ticks + fractionTicks;
        var utcTicks = clockTicks - offset.Ticks;
        if (clockTicks > DateTime.MaxValue.Ticks || utcTicks < 0 || utcTicks > DateTime.MaxValue.Ticks) return false;
        value = new DateTimeOffset(clockTicks, offset);
        return true;
    }

    // ASCII digits only: a Unicode digit such as '２' is not part of the format.
    static bool Digits(ReadOnlySpan<char> s, int start, int length, out int number)
    {
        number = 0;
        for (var k = start; k < start + length; k++)
        {
            if (!char.IsAsciiDigit(s[k])) return false;
            number = number * 10 + (s[k] - '0');
        }
        return true;
    }

    /// <summary>Writes an instant keeping its offset, with microseconds: 2026-11-25T10:00:00.000000+05:00.</summary>
    public static string Format(DateTimeOffset value) =>
        value.Offset == TimeSpan.Zero
            ? value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)
            : value.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
}
