using System.Globalization;
using System.Text;

namespace Queue.Reports;

/// <summary>
/// The report as plain text: the alternative to the HTML in an email, for clients that show no HTML and for people who
/// prefer it. Fixed-width columns, every target met or missed in words, "—" where there was nothing to count.
/// </summary>
public static class ReportText
{
    static readonly CultureInfo En = CultureInfo.InvariantCulture;

    /// <summary>What a reader must know of this version: provisional (events may still arrive), revised (and from which).</summary>
    public static IEnumerable<string> Standing(WeeklyReport r)
    {
        if (r.Provisional && r.FinalFrom is { } final)
            yield return string.Format(En, "Provisional: events may still arrive late for this week until {0:ddd d MMM yyyy HH:mm} ({1}); " +
                "a change makes a new version of this report, which says what changed.", TimeZoneInfo.ConvertTime(final, TimeZoneInfo.FindSystemTimeZoneById(r.TimeZone)), r.TimeZone);
        if (r.Revision is { } revision)
            yield return string.Format(En, "Revised: version {0}, made {1:d MMM yyyy HH:mm}, changes {2} figure(s) of version {3} (made {4:d MMM yyyy HH:mm}){5}.",
                r.Version, r.MadeAt, revision.Changes.Count, revision.Revises, revision.RevisesMadeAt,
                revision.SentVersion is { } sent ? $"; version {sent} was the one sent by email" : "; no version was sent by email yet");
    }

    public static string Write(WeeklyReport r)
    {
        var t = new StringBuilder();
        t.AppendLine(En, $"Weekly SLA report {r.Week}: {ReportEmail.Days(r)}");
        t.AppendLine(En, $"Center time {r.TimeZone}; made {r.MadeAt:d MMM yyyy HH:mm}.{(r.Partial ? " PARTIAL: the week is not over." : "")}");
        foreach (var line in Standing(r)) t.AppendLine(line);
        t.AppendLine();

        var s = r.Center;
        var g = s.Targets;
        t.AppendLine("Whole center");
        Line(t, "Target", "This week", "", "Week before");
        Line(t, $"Average wait to answer <= {g.WaitSeconds.ToString("0.#", En)} s", Seconds(s.Week.AsaSeconds), Met(s.Met.Wait), Seconds(s.PreviousWeek.AsaSeconds));
        Line(t, $"Resolved remotely >= {Percent(g.Remote)}", Percent(s.Week.RemoteResolution), Met(s.Met.Remote), Percent(s.PreviousWeek.RemoteResolution));
        Line(t, $"Visits resolved within 24 h >= {Percent(g.Visit24)}", Percent(s.Week.Visit24), Met(s.Met.Visit24), Percent(s.PreviousWeek.Visit24));
        Line(t, $"Visits resolved within 48 h >= {Percent(g.Visit48)}", Breached(s.Week), Met(s.Met.Visit48), Breached(s.PreviousWeek));
        t.AppendLine();
        t.AppendLine(En, $"Calls offered {s.Week.Offered:N0}, answered {s.Week.Answered:N0}, abandoned {s.Week.Abandoned:N0} (and {s.Week.ShortAbandoned:N0} short);");
        t.AppendLine(En, $"service level {Percent(s.Week.ServiceLevel)}, abandonment {Percent(s.Week.AbandonmentRate)};");
        t.AppendLine(En, $"completed {s.Week.Completed:N0}, outcome not known of {s.Week.ResolutionUnknown:N0}.");
        t.AppendLine();

        t.AppendLine("Queues");
        if (r.Queues.Count == 0) t.AppendLine("  No calls this week.");
        foreach (var q in r.Queues)
        {
            var f = q.Week;
            t.AppendLine(En, $"  {q.Queue}: offered {f.Offered:N0}, answered {f.Answered:N0}, abandoned {f.Abandoned:N0}");
            t.AppendLine(En, $"    ASA {Seconds(f.AsaSeconds)} ({Met(q.Met.Wait)}), service level {Percent(f.ServiceLevel)}, " +
                $"remote {Percent(f.RemoteResolution)} ({Met(q.Met.Remote)}), visits <= 24 h {Percent(f.Visit24)} ({Met(q.Met.Visit24)}), " +
                $"48 h breaches {f.Overdue48:N0} ({Met(q.Met.Visit48)})");
        }
        t.AppendLine();

        if (r.Regions is not null)
        {
            t.AppendLine(En, $"Regions (the week in center time, {r.TimeZone}; center targets)");
            if (r.Regions.Count == 0) t.AppendLine("  No calls or visits this week.");
            foreach (var region in r.Regions)
            {
                var f = region.Week;
                t.AppendLine(En, $"  {region.Region ?? "unknown"}: offered {f.Offered:N0}, answered {f.Answered:N0}, ASA {Seconds(f.AsaSeconds)} ({Met(region.Met.Wait)}), " +
                    $"service level {Percent(f.ServiceLevel)}, abandonment {Percent(f.AbandonmentRate)}");
                t.AppendLine(En, $"    remote {Percent(f.RemoteResolution)} ({Met(region.Met.Remote)}), visits <= 24 h {Percent(f.Visit24)} ({Met(region.Met.Visit24)}), " +
                    $"48 h breaches {f.Overdue48:N0} ({Met(region.Met.Visit48)})");
            }
            t.AppendLine();
        }

        t.AppendLine("Day by day, whole center");
        t.AppendLine(En, $"  {"Day",-11}{"Offered",9}{"Answered",10}{"Abandoned",11}{"ASA",9}{"SL",9}{"Remote",9}");
        foreach (var d in s.Days)
        {
            var f = d.Figures;
            t.AppendLine(En, $"  {d.Day.ToString("ddd d MMM", En),-11}{f.Offered,9:N0}{f.Answered,10:N0}{f.Abandoned,11:N0}" +
                $"{Seconds(f.AsaSeconds),9}{Percent(f.ServiceLevel),9}{Percent(f.RemoteResolution),9}");
        }
        t.AppendLine();

        t.AppendLine("Visits past 48 h unresolved (deadline in the week)");
        if (r.Breaches48.Count == 0) t.AppendLine("  None.");
        foreach (var b in r.Breaches48)
        {
            var outcome = b.ResolvedAt is { } at ? "resolved " + at.ToString("ddd d MMM HH:mm", En)
                : b.CancelledAt is { } c ? "cancelled " + c.ToString("ddd d MMM HH:mm", En) : "still open";
            t.AppendLine(En, $"  {b.VisitId} (queue {b.Queue ?? "—"}, region {b.Region ?? "—"}): created {b.Created:ddd d MMM HH:mm}, " +
                $"deadline {b.Deadline:ddd d MMM HH:mm}, {outcome}");
        }
        t.AppendLine();
        t.AppendLine(En, $"Every figure, per queue and day and per region, is in the CSV attached (sla-report-{r.Week}.csv).");
        return t.ToString();
    }

    static void Line(StringBuilder t, string name, string value, string met, string previous) =>
        t.AppendLine(En, $"  {name,-42}{value,12}  {met,-7}{previous,12}");

    static string Met(bool? met) => met switch { true => "met", false => "MISSED", null => "—" };

    static string Seconds(double? value) => value is { } v ? v.ToString("0.0", En) + " s" : "—";

    static string Percent(double? value) => value is { } v ? (v * 100).ToString("0.#", En) + " %" : "—";

    static string Breached(ReportFigures f) => f.Due48 == 0 ? "—" : $"{f.Overdue48.ToString("N0", En)} of {f.Due48.ToString("N0", En)} late";
}
