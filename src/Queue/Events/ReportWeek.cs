using System.Globalization;
using System.Text.RegularExpressions;

namespace Queue.Events;

/// <summary>An ISO week (Monday to Monday) in the center's time zone, named like <c>2026-W48</c>.</summary>
public readonly partial record struct ReportWeek(int Year, int Week)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}-W{Week:D2}");

    public static bool TryParse(string? text, out ReportWeek week)
    {
        week = default;
        if (text is null || Pattern().Match(text) is not { Success: true } m) return false;
        var year = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var number = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        if (year is < 2000 or > 9998 || number < 1 || number > ISOWeek.GetWeeksInYear(year)) return false;
        week = new ReportWeek(year, number);
        return true;
    }

    public static ReportWeek Containing(DateTimeOffset at, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone).DateTime;
        return new ReportWeek(ISOWeek.GetYear(local), ISOWeek.GetWeekOfYear(local));
    }

    public DateOnly Monday => DateOnly.FromDateTime(ISOWeek.ToDateTime(Year, Week, DayOfWeek.Monday));

    public ReportWeek Previous() => Containing(Monday.AddDays(-7));

    static ReportWeek Containing(DateOnly day)
    {
        var d = day.ToDateTime(TimeOnly.MinValue);
        return new ReportWeek(ISOWeek.GetYear(d), ISOWeek.GetWeekOfYear(d));
    }

    /// <summary>Monday 00:00 of this week and of the next, as instants in <paramref name="zone"/>.</summary>
    public (DateTimeOffset From, DateTimeOffset To) Bounds(TimeZoneInfo zone) => (Midnight(Monday, zone), Midnight(Monday.AddDays(7), zone));

    public static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue);
        var offset = zone.IsInvalidTime(midnight) ? zone.GetUtcOffset(midnight.AddHours(1)) : zone.GetUtcOffset(midnight);
        return new DateTimeOffset(midnight, offset);
    }

    // ASCII digits only: \d also matches other scripts' digits, which int.Parse then refuses.
    [GeneratedRegex(@"^([0-9]{4})-W([0-9]{2})$")]
    private static partial Regex Pattern();
}
