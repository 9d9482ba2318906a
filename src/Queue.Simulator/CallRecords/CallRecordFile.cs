using System.Globalization;
using System.Text;

namespace Queue.Simulator.CallRecords;

/// <summary>
/// Call records as a CSV export: a header row of SPEC §9's columns, then one row per leg. Times are written as many
/// exports write them: the center's local time, to the second, with no offset (<c>2026-12-05 09:14:03</c>), so that
/// reading them needs the zone they were written in (the connector's <c>--time-zone</c>).
/// </summary>
internal sealed class CallRecordFile : IDisposable
{
    public const string Header = "call_id,queue,queued_at,outcome,ended_at,agent_id,completed_at,resolution,transferred_to,region,language,segment,caller";

    readonly StreamWriter writer;
    readonly TimeZoneInfo zone;

    /// <summary>Writes <paramref name="path"/> anew, its header first.</summary>
    public CallRecordFile(string path, TimeZoneInfo zone)
    {
        this.zone = zone;
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine(Header);
    }

    public long Rows { get; private set; }

    public void Write(CallRecordRow row)
    {
        writer.WriteLine(Line(row, zone));
        Rows++;
    }

    /// <summary>One row as written, without its newline.</summary>
    public static string Line(CallRecordRow r, TimeZoneInfo zone)
    {
        string T(DateTimeOffset? at) => at is { } t ? TimeZoneInfo.ConvertTime(t, zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";
        return string.Join(',',
            Field(r.CallId), Field(r.Queue), T(r.QueuedAt), r.Outcome, T(r.EndedAt), Field(r.AgentId), T(r.CompletedAt),
            Field(r.Resolution), Field(r.TransferredTo), Field(r.Region), Field(r.Language), Field(r.Segment), Field(r.Caller));
    }

    // RFC 4180: a field holding a separator, a quote or a line break is quoted, its quotes doubled.
    static string Field(string? value) =>
        value is null ? ""
        : value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value
        : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public void Dispose() => writer.Dispose();
}
