using System.Globalization;
using System.Text;
using MimeKit;

namespace Queue.Reports;

/// <summary>
/// Pure: the weekly report as an email. HTML with inline styles (what mail clients keep), the same in plain text as
/// the alternative, the daily trend chart as an inline PNG that the HTML refers to by <c>cid:trend</c>, and the CSV
/// attached.
/// </summary>
public static class ReportEmail
{
    public const string ChartId = "trend";
    static readonly CultureInfo En = CultureInfo.InvariantCulture;

    /// <summary>"Weekly SLA report 2026-W48 (23–29 Nov 2026): 3 of 4 targets met".</summary>
    public static string Subject(WeeklyReport r)
    {
        var m = r.Center.Met;
        bool?[] all = [m.Wait, m.Remote, m.Visit24, m.Visit48];
        var judged = all.Count(x => x is not null);
        var verdict = judged == 0 ? "no targets to judge" : $"{all.Count(x => x == true)} of {judged} targets met";
        return $"Weekly SLA report {r.Week} ({Days(r)}): {verdict}{(r.Partial ? " (partial)" : "")}{(r.Version > 1 ? $" (revised: version {r.Version})" : "")}";
    }

    /// <summary>The week's days in words: "23–29 Nov 2026", "30 Nov – 6 Dec 2026", "28 Dec 2026 – 3 Jan 2027".</summary>
    public static string Days(WeeklyReport r)
    {
        var (first, last) = (r.From, r.To.AddDays(-1));
        if (first.Year != last.Year) return string.Create(En, $"{first:d MMM yyyy} – {last:d MMM yyyy}");
        if (first.Month != last.Month) return string.Create(En, $"{first:d MMM} – {last:d MMM yyyy}");
        return string.Create(En, $"{first:%d}–{last:d MMM yyyy}");
    }

    public static string CsvName(WeeklyReport r) => $"sla-report-{r.Week}.csv";

    /// <param name="r">The report, as stored.</param>
    /// <param name="chart">The daily trend chart, a PNG.</param>
    /// <param name="to">The recipients.</param>
    /// <param name="messageId">The Message-Id, the same on every attempt of one send.</param>
    public static MimeMessage Build(WeeklyReport r, byte[] chart, IEnumerable<MailboxAddress> to, string messageId)
    {
        var message = new MimeMessage { Subject = Subject(r), MessageId = messageId };
        message.To.AddRange(to);
        var body = new BodyBuilder { TextBody = ReportText.Write(r), HtmlBody = ReportHtml.Write(r, "cid:" + ChartId) };
        var image = body.LinkedResources.Add("trend.png", chart, new ContentType("image", "png"));
        image.ContentId = ChartId;
        body.Attachments.Add(CsvName(r), Encoding.UTF8.GetBytes(ReportCsv.Write(r)), new ContentType("text", "csv") { Charset = "utf-8" });
        message.Body = body.ToMessageBody();
        return message;
    }
}
