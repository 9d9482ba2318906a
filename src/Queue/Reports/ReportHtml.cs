using System.Globalization;
using System.Net;
using System.Text;

namespace Queue.Reports;

/// <summary>
/// The report as one HTML document fit to forward: styles inline (mail clients drop style sheets), tables rather than
/// layout tricks, every target met or missed in words as well as colour, "—" where there was nothing to count.
/// </summary>
public static class ReportHtml
{
    static readonly CultureInfo En = CultureInfo.InvariantCulture; // English names, and the service runs with invariant globalization
    const string Met = "color:#0a6b2d;font-weight:bold";
    const string Missed = "color:#b00020;font-weight:bold";
    const string Cell = "padding:6px 10px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap";
    const string Head = "padding:6px 10px;border-bottom:2px solid #333;text-align:right;background:#f3f3f3";
    const string First = "padding:6px 10px;border-bottom:1px solid #ddd;text-align:left";

    /// <param name="r">The report.</param>
    /// <param name="chart">The daily trend chart's source (a <c>cid:</c> reference in an email), or null for none.</param>
    public static string Write(WeeklyReport r, string? chart = null)
    {
        var h = new StringBuilder();
        var days = $"{r.From:d MMM} – {r.To.AddDays(-1):d MMM yyyy}";
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
         .Append("<title>Weekly SLA report ").Append(E(r.Week)).Append("</title></head>")
         .Append("<body style=\"margin:0;padding:24px;font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff;font-size:14px\">")
         .Append("<h1 style=\"font-size:24px;margin:0 0 4px\">Weekly SLA report · ").Append(E(r.Week)).Append("</h1>")
         .Append("<p style=\"margin:0 0 16px;color:#555\">").Append(E(string.Format(En, "{0} ({1}), made {2:d MMM yyyy HH:mm}", days, r.TimeZone, r.MadeAt)));
        if (r.Partial) h.Append(" · <strong style=\"").Append(Missed).Append("\">PARTIAL: the week is not over</strong>");
        h.Append("</p>");
        foreach (var line in ReportText.Standing(r))
            h.Append("<p style=\"margin:0 0 8px;padding:8px 12px;background:#fff6d6;border-left:4px solid #b38600\">").Append(E(line)).Append("</p>");
        if (r.Revision is { Changes.Count: > 0 } revision)
        {
            h.Append("<details style=\"margin:0 0 16px\"><summary>What changed since version ").Append(revision.Revises).Append("</summary>")
             .Append("<table style=\"border-collapse:collapse\"><tr>").Append(Th("Figure", left: true)).Append(Th("Before")).Append(Th("Now")).Append("</tr>");
            foreach (var c in revision.Changes)
                h.Append("<tr>").Append(Td(c.Figure, left: true)).Append(Td(c.Before ?? "—")).Append(Td(c.After ?? "—")).Append("</tr>");
            h.Append("</table></details>");
        }

        Targets(h, r.Center);
        h.Append("<h2 style=\"font-size:18px;margin:24px 0 8px\">Queues</h2>");
        Queues(h, r);
        if (r.Regions is not null)
        {
            h.Append("<h2 style=\"font-size:18px;margin:24px 0 8px\">Regions</h2>")
             .Append("<p style=\"margin:0 0 8px;color:#555\">").Append(E($"The week in center time ({r.TimeZone}), whatever each region's own clock; judged by the center's targets."))
             .Append("</p>");
            Regions(h, r.Regions);
        }
        h.Append("<h2 style=\"font-size:18px;margin:24px 0 8px\">Day by day, whole center</h2>");
        if (chart is not null) h.Append("<img src=\"").Append(E(chart)).Append("\" alt=\"Daily trend: calls, ASA and service level\" width=\"720\" style=\"display:block;max-width:100%;margin:0 0 12px\">");
        Daily(h, r.Center);
        h.Append("<h2 style=\"font-size:18px;margin:24px 0 8px\">Visits past 48 h unresolved (deadline in the week)</h2>");
        Breaches(h, r);
        h.Append("<p style=\"margin:24px 0 0;color:#777;font-size:12px\">Figures by event time in ").Append(E(r.TimeZone))
         .Append(". Service level: answered within T of answered and abandoned (short abandons apart). A rate with nothing to count shows —.</p>")
         .Append("</body></html>");
        return h.ToString();
    }

    static void Targets(StringBuilder h, ReportSection s)
    {
        var t = s.Targets;
        h.Append("<table style=\"border-collapse:collapse;min-width:560px\"><tr>")
         .Append(Th("Target", left: true)).Append(Th("This week")).Append(Th("")).Append(Th("Week before")).Append(Th("Change")).Append("</tr>");
        Row(h, $"Average wait to answer ≤ {t.WaitSeconds:0.#} s", Seconds(s.Week.AsaSeconds), s.Met.Wait, Seconds(s.PreviousWeek.AsaSeconds),
            Change(s.Week.AsaSeconds, s.PreviousWeek.AsaSeconds, "s", lowerIsBetter: true));
        Row(h, $"Resolved remotely ≥ {Percent(t.Remote)}", Percent(s.Week.RemoteResolution), s.Met.Remote, Percent(s.PreviousWeek.RemoteResolution),
            Change(s.Week.RemoteResolution, s.PreviousWeek.RemoteResolution, "pp", lowerIsBetter: false));
        Row(h, $"Visits resolved within 24 h ≥ {Percent(t.Visit24)}", Percent(s.Week.Visit24), s.Met.Visit24, Percent(s.PreviousWeek.Visit24),
            Change(s.Week.Visit24, s.PreviousWeek.Visit24, "pp", lowerIsBetter: false));
        Row(h, $"Visits resolved within 48 h ≥ {Percent(t.Visit48)}", Breached(s.Week), s.Met.Visit48, Breached(s.PreviousWeek),
            Change(s.Week.Overdue48, s.PreviousWeek.Overdue48));
        h.Append("</table>");
        h.Append("<p style=\"margin:8px 0 0;color:#333\">").Append(E(string.Format(En,
            "Calls offered {0:N0} · answered {1:N0} · abandoned {2:N0} (and {3:N0} short) · service level {4} · abandonment {5} · completed {6:N0}, outcome not known of {7:N0}",
            s.Week.Offered, s.Week.Answered, s.Week.Abandoned, s.Week.ShortAbandoned, Percent(s.Week.ServiceLevel), Percent(s.Week.AbandonmentRate),
            s.Week.Completed, s.Week.ResolutionUnknown)))
         .Append("</p>");
    }

    static void Row(StringBuilder h, string name, string value, bool? met, string previous, string change) =>
        h.Append("<tr>").Append(Td(name, left: true)).Append(Td(value)).Append(MetCell(met)).Append(Td(previous)).Append(Td(change)).Append("</tr>");

    static void Queues(StringBuilder h, WeeklyReport r)
    {
        if (r.Queues.Count == 0)
        {
            h.Append("<p>No calls this week.</p>");
            return;
        }
        h.Append("<table style=\"border-collapse:collapse\"><tr>");
        foreach (var (c, i) in ((string[])["Queue", "Offered", "Answered", "Abandoned", "ASA", "", "Service level", "Remote", "", "Visits ≤ 24 h", "", "48 h breaches", ""]).Select((c, i) => (c, i)))
            h.Append(Th(c, left: i == 0));
        h.Append("</tr>");
        foreach (var s in r.Queues)
        {
            h.Append("<tr>").Append(Td(s.Queue!, left: true)).Append(Td(N(s.Week.Offered))).Append(Td(N(s.Week.Answered))).Append(Td(N(s.Week.Abandoned)))
             .Append(Td(Seconds(s.Week.AsaSeconds))).Append(MetCell(s.Met.Wait)).Append(Td(Percent(s.Week.ServiceLevel)))
             .Append(Td(Percent(s.Week.RemoteResolution))).Append(MetCell(s.Met.Remote)).Append(Td(Percent(s.Week.Visit24))).Append(MetCell(s.Met.Visit24))
             .Append(Td(N(s.Week.Overdue48))).Append(MetCell(s.Met.Visit48)).Append("</tr>");
        }
        h.Append("</table>");
    }

    static void Regions(StringBuilder h, IReadOnlyList<ReportRegion> regions)
    {
        if (regions.Count == 0)
        {
            h.Append("<p>No calls or visits this week.</p>");
            return;
        }
        h.Append("<table style=\"border-collapse:collapse\"><tr>");
        foreach (var (c, i) in ((string[])["Region", "Offered", "Answered", "ASA", "", "Service level", "Abandoned", "Remote", "", "Visits ≤ 24 h", "", "48 h breaches", ""]).Select((c, i) => (c, i)))
            h.Append(Th(c, left: i == 0));
        h.Append("</tr>");
        foreach (var g in regions)
        {
            var f = g.Week;
            h.Append("<tr>").Append(g.Region is null ? $"<td style=\"{First};color:#777\">unknown</td>" : Td(g.Region, left: true))
             .Append(Td(N(f.Offered))).Append(Td(N(f.Answered))).Append(Td(Seconds(f.AsaSeconds))).Append(MetCell(g.Met.Wait))
             .Append(Td(Percent(f.ServiceLevel))).Append(Td(Percent(f.AbandonmentRate)))
             .Append(Td(Percent(f.RemoteResolution))).Append(MetCell(g.Met.Remote)).Append(Td(Percent(f.Visit24))).Append(MetCell(g.Met.Visit24))
             .Append(Td(N(f.Overdue48))).Append(MetCell(g.Met.Visit48)).Append("</tr>");
        }
        h.Append("</table>");
    }

    static void Daily(StringBuilder h, ReportSection s)
    {
        h.Append("<table style=\"border-collapse:collapse\"><tr>");
        foreach (var (c, i) in ((string[])["Day", "Offered", "Answered", "Abandoned", "ASA", "Service level", "Remote", "Visits ≤ 24 h", "48 h breaches"]).Select((c, i) => (c, i)))
            h.Append(Th(c, left: i == 0));
        h.Append("</tr>");
        foreach (var d in s.Days)
        {
            var f = d.Figures;
            h.Append("<tr>").Append(Td(d.Day.ToString("ddd d MMM", En), left: true)).Append(Td(N(f.Offered))).Append(Td(N(f.Answered)))
             .Append(Td(N(f.Abandoned))).Append(Td(Seconds(f.AsaSeconds))).Append(Td(Percent(f.ServiceLevel))).Append(Td(Percent(f.RemoteResolution)))
             .Append(Td(Percent(f.Visit24))).Append(Td(N(f.Overdue48))).Append("</tr>");
        }
        h.Append("</table>");
    }

    static void Breaches(StringBuilder h, WeeklyReport r)
    {
        if (r.Breaches48.Count == 0)
        {
            h.Append("<p>None.</p>");
            return;
        }
        h.Append("<table style=\"border-collapse:collapse\"><tr>");
        foreach (var (c, i) in ((string[])["Visit", "Queue", "Region", "Created", "48 h deadline", "Resolved"]).Select((c, i) => (c, i)))
            h.Append(Th(c, left: i < 3));
        h.Append("</tr>");
        foreach (var b in r.Breaches48)
        {
            var outcome = b.ResolvedAt is { } at ? at.ToString("ddd d MMM HH:mm", En) : b.CancelledAt is { } c ? "cancelled " + c.ToString("ddd d MMM HH:mm", En) : "still open";
            h.Append("<tr>").Append(Td(b.VisitId, left: true)).Append(Td(b.Queue ?? "—", left: true)).Append(Td(b.Region ?? "—", left: true))
             .Append(Td(b.Created.ToString("ddd d MMM HH:mm", En))).Append(Td(b.Deadline.ToString("ddd d MMM HH:mm", En)))
             .Append(b.ResolvedAt is null && b.CancelledAt is null ? $"<td style=\"{Cell};{Missed}\">{E(outcome)}</td>" : Td(outcome)).Append("</tr>");
        }
        h.Append("</table>");
    }

    static string MetCell(bool? met) => met switch
    {
        true => $"<td style=\"{Cell};{Met}\">✔ met</td>",
        false => $"<td style=\"{Cell};{Missed}\">✘ missed</td>",
        null => $"<td style=\"{Cell};color:#777\">—</td>",
    };

    static string Th(string text, bool left = false) => $"<th style=\"{Head}{(left ? ";text-align:left" : "")}\">{E(text)}</th>";

    static string Td(string text, bool left = false) => $"<td style=\"{(left ? First : Cell)}\">{E(text)}</td>";

    static string E(string text) => WebUtility.HtmlEncode(text);

    static string N(long value) => value.ToString("N0", En);

    static string Seconds(double? value) => value is { } v ? v.ToString("0.0", En) + " s" : "—";

    static string Percent(double? value) => value is { } v ? (v * 100).ToString("0.#", En) + " %" : "—";

    static string Breached(ReportFigures f) => f.Due48 == 0 ? "—" : $"{f.Overdue48.ToString("N0", En)} of {f.Due48.ToString("N0", En)} late";

    static string Change(double? now, double? before, string unit, bool lowerIsBetter)
    {
        if (now is not { } a || before is not { } b) return "—";
        var delta = unit == "pp" ? (a - b) * 100 : a - b;
        if (Math.Abs(delta) < 0.05) return "no change";
        var better = lowerIsBetter ? delta < 0 : delta > 0;
        return $"{(delta > 0 ? "▲" : "▼")} {Math.Abs(delta).ToString("0.0", En)} {unit} ({(better ? "better" : "worse")})";
    }

    static string Change(long now, long before) =>
        now == before ? "no change" : $"{(now > before ? "▲" : "▼")} {Math.Abs(now - before).ToString("N0", En)} ({(now < before ? "better" : "worse")})";
}
