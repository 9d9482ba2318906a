using System.Globalization;
using CsvHelper;
using Queue.Events;

namespace Queue.Reports;

/// <summary>
/// The report as CSV: a row per section (the center, then each queue) and period (the week, the week before, each day),
/// then a row per region (section <c>region</c>, period <c>week</c>, the region in the last column, empty for calls and
/// visits that carry none); every figure as the JSON has it (rates as fractions with full precision, empty where there
/// is none), and whether each target was met. The <c>region</c> column comes last, so the columns before it are where
/// they always were.
/// </summary>
public static class ReportCsv
{
    public static readonly string[] Header =
    [
        "section", "period", "from", "to", "offered", "answered", "abandoned", "short_abandoned", "asa_seconds", "service_level",
        "abandonment_rate", "completed", "resolved_remotely", "remote_resolution", "due24", "resolved_by24", "visit24", "due48",
        "overdue48", "wait_met", "remote_met", "visit24_met", "visit48_met", "region", "resolution_unknown",
    ];

    public static string Write(WeeklyReport report)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: true))
        {
            csv.WriteHeader(Header);
            foreach (var section in Sections(report))
            {
                var name = section.Queue ?? "center";
                csv.WriteRecord(Row(name, "week", report.From, report.To, section.Week, section.Met));
                csv.WriteRecord(Row(name, "previous_week", report.From.AddDays(-7), report.From, section.PreviousWeek, section.PreviousMet));
                foreach (var day in section.Days)
                {
                    var from = ReportWeek.Midnight(day.Day, TimeZoneInfo.FindSystemTimeZoneById(report.TimeZone));
                    csv.WriteRecord(Row(name, day.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), from,
                        ReportWeek.Midnight(day.Day.AddDays(1), TimeZoneInfo.FindSystemTimeZoneById(report.TimeZone)), day.Figures, null));
                }
            }
            foreach (var region in report.Regions ?? [])
                csv.WriteRecord(Row("region", "week", report.From, report.To, region.Week, region.Met, region.Region ?? ""));
        }
        return text.ToString();
    }

    public static IEnumerable<ReportSection> Sections(WeeklyReport report) => report.Queues.Prepend(report.Center);

    static string[] Row(string section, string period, DateTimeOffset from, DateTimeOffset to, ReportFigures f, TargetsMet? met, string region = "") =>
    [
        section, period, Instant(from), Instant(to), N(f.Offered), N(f.Answered), N(f.Abandoned), N(f.ShortAbandoned), D(f.AsaSeconds),
        D(f.ServiceLevel), D(f.AbandonmentRate), N(f.Completed), N(f.ResolvedRemotely), D(f.RemoteResolution), N(f.Due24), N(f.ResolvedBy24),
        D(f.Visit24), N(f.Due48), N(f.Overdue48), B(met?.Wait), B(met?.Remote), B(met?.Visit24), B(met?.Visit48), region, N(f.ResolutionUnknown),
    ];

    static string Instant(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    static string D(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    static string B(bool? value) => value switch { true => "met", false => "missed", null => "" };
}
