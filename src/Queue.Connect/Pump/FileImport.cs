using Queue.Connect.Asterisk;
using Queue.Connect.Reading;

namespace Queue.Connect.Pumping;

/// <summary>
/// <c>asterisk --queue-log PATH…</c>: whole files read in the order given (older rotated ones first), as one stream
/// through one mapping, every event posted and acknowledged before it returns.
/// </summary>
internal static class FileImport
{
    public static async Task RunAsync(IReadOnlyList<string> paths, Pump<QueueLogLine> pump, CancellationToken ct)
    {
        var lines = new List<RawLine>();
        foreach (var path in paths)
        {
            using var reader = new LogReader(path);
            reader.Open(null);
            while (true)
            {
                lines.Clear();
                if (!reader.Read(lines, 1000)) break;
                foreach (var line in lines)
                {
                    pump.Take(QueueLogParser.Parse(line.Bytes));
                    if (pump.Full) await pump.FlushAsync(ct);
                }
            }
            if (reader.HasPartialLine) pump.Cut();
            for (var i = 0; i < reader.Overlong; i++) pump.Summary.Skip(SkipCause.Fields);
        }
        pump.End();
        await pump.FlushAsync(ct);
    }
}
