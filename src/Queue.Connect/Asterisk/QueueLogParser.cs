using System.Text;

namespace Queue.Connect.Asterisk;

/// <summary>
/// Parses one line of the queue_log file (without its newline). Asterisk writes
/// <c>epoch|callid|queue|agent|EVENT|data1|data2…</c>, each line with one <c>fprintf</c> and a flush. A crash can
/// leave a run of NUL bytes where a write had reserved space, often glued to the first line written after the
/// restart: what follows the last NUL of a line is read as a line of its own.
/// </summary>
internal static class QueueLogParser
{
    // 9999-12-31: a number past it is not a time Asterisk wrote.
    const long MaxEpoch = 253402300799;

    public static ParsedLine Parse(ReadOnlySpan<byte> raw)
    {
        var nul = raw.LastIndexOf((byte)0);
        if (nul >= 0)
        {
            var rest = Parse(raw[(nul + 1)..]);
            // The NUL run itself is skipped and counted; a line written after it still counts.
            return rest.Line is null ? new ParsedLine(null, SkipCause.Nul, false) : rest with { AfterNulRun = true };
        }
        if (raw.Length > 0 && raw[^1] == (byte)'\r') raw = raw[..^1];
        var text = Encoding.UTF8.GetString(raw);
        var fields = text.Split('|');
        if (fields.Length < 5 || fields[4].Length == 0) return new ParsedLine(null, SkipCause.Fields, false);
        if (!IsDigits(fields[0]) || !long.TryParse(fields[0], out var epoch) || epoch > MaxEpoch)
            return new ParsedLine(null, SkipCause.Time, false);
        var line = new QueueLogLine(DateTimeOffset.FromUnixTimeSeconds(epoch), fields[1], fields[2], fields[3], fields[4],
            fields[5..], EventIds.LineKey(raw));
        return new ParsedLine(line, null, false);
    }

    static bool IsDigits(string s) => s.Length is > 0 and <= 12 && s.All(char.IsAsciiDigit);
}

/// <summary>A parsed line, or why there is none; <see cref="AfterNulRun"/> when a NUL run stood before it.</summary>
internal readonly record struct ParsedLine(QueueLogLine? Line, SkipCause? Skipped, bool AfterNulRun);
