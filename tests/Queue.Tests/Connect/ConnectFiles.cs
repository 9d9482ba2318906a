using Queue.Connect;
using Queue.Connect.Asterisk;
using Queue.Connect.Pumping;
using Queue.Connect.Reading;
using Queue.Tests.Ops;

namespace Queue.Tests.Connect;

/// <summary>The hand-written queue_log files beside these tests, and mapping them as an import does, without posting.</summary>
internal static class ConnectFiles
{
    public static string PathOf(string name) => OpsFiles.PathOf("tests", "Queue.Tests", "Connect", "Files", name);

    public static (List<WireEvent> Events, RunSummary Summary, MappingCounts Counts) Map(string name, MappingOptions? options = null) =>
        MapPaths([PathOf(name)], options);

    public static (List<WireEvent> Events, RunSummary Summary, MappingCounts Counts) MapPaths(IReadOnlyList<string> paths, MappingOptions? options = null)
    {
        var mapper = new QueueLogMapper(options ?? MappingOptions.For("pbx"));
        var events = new List<WireEvent>();
        var summary = new RunSummary();
        var lines = new List<RawLine>();
        foreach (var path in paths)
        {
            using var reader = new LogReader(path);
            reader.Open(null);
            while (true)
            {
                lines.Clear();
                if (!reader.Read(lines, 100)) break;
                foreach (var line in lines)
                {
                    summary.Lines++;
                    var parsed = QueueLogParser.Parse(line.Bytes);
                    if (parsed.AfterNulRun) summary.Skip(SkipCause.Nul);
                    if (parsed.Line is null) summary.Skip(parsed.Skipped!.Value);
                    else if (mapper.Map(parsed.Line, events) is { } cause) summary.Skip(cause);
                }
            }
            if (reader.HasPartialLine) summary.Skip(SkipCause.Truncated);
        }
        mapper.End(events);
        return (events, summary, mapper.Counts);
    }

    public static DateTimeOffset At(long secondsAfterBase) => DateTimeOffset.FromUnixTimeSeconds(Base + secondsAfterBase);

    /// <summary>The fixtures' first second: 2026-03-02 09:00:00 UTC.</summary>
    public const long Base = 1772442000;

    public static string Call(int n) => $"pbx:{Base}.{n}";

    public static List<WireEvent> Of(this IEnumerable<WireEvent> events, string callId) => [.. events.Where(e => e.CallId == callId)];

    public static string Kinds(this IEnumerable<WireEvent> events) => string.Join(" ", events.Select(e => e.Type));
}
