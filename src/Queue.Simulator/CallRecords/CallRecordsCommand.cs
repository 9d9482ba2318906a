using System.Diagnostics;
using System.Globalization;
using Queue.Events;
using Queue.Simulator.Traffic;

namespace Queue.Simulator.CallRecords;

/// <summary><c>csv-records</c>: the simulated center's calls of the last days as a CSV export of call records.</summary>
internal static class CallRecordsCommand
{
    public const string Help = """
        usage: Queue.Simulator csv-records --out FILE [options]

        Writes the demo center's calls as call records, as a system that exports them would (SPEC §9): a header row,
        then one row per leg (call_id, queue, queued_at, outcome, ended_at, agent_id, completed_at, resolution,
        transferred_to, region, language, segment, caller). Times are the center's local time without an offset
        (Asia/Yekaterinburg): import them with ops/connect csv FILE --time-zone Asia/Yekaterinburg. The file holds the
        calls queued in the days before --until and over by then; a call still going on has no record yet.

          --out FILE           the file to write (anew)
          --days D             days of calls (1)
          --until TIME         the end of the span, RFC 3339 (now)
          --operators N        operators of the center (60): ~100 calls each a day
          --speed S            the center's day plays S times faster (1), as for demo
          --seed N             seeds the traffic (1)
          --prefix ID          starts the call ids (csv); demo --csv-until with the same options leaves these calls out
        """;

    public static int Run(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(Help);
            return 0;
        }
        var path = args.OptionalString("--out") ?? throw new ArgumentException("--out FILE is needed: the CSV file to write");
        var days = args.Int("--days", 1);
        var until = Instant(args, "--until") ?? DateTimeOffset.UtcNow;
        var center = DemoTraffic.Center(args.Int("--operators", 60), args.Double("--speed", 1), args.Int("--seed", 1), args.String("--prefix", "csv"));
        args.EnsureAllUsed();
        var history = CsvHistory.Of(center, until, days);

        var clock = Stopwatch.StartNew();
        var calls = new HashSet<string>(StringComparer.Ordinal);
        long rows;
        using (var file = new CallRecordFile(path, CsvHistory.Zone))
        {
            foreach (var row in history.Rows())
            {
                file.Write(row);
                calls.Add(row.CallId);
            }
            rows = file.Rows;
        }
        var local = (DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, CsvHistory.Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"csv-records: {rows:N0} rows, {calls.Count:N0} calls of {history.Center.Operators} operators queued {local(history.From)} to {local(history.Until)} ({CsvHistory.ZoneId}), written to {path} in {clock.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }

    /// <summary>An RFC 3339 instant given as <paramref name="name"/>, if it is.</summary>
    public static DateTimeOffset? Instant(Args args, string name) =>
        args.OptionalString(name) is not { } text ? null
        : Queue.Events.Rfc3339.TryParse(text, out var at) ? at
        : throw new ArgumentException($"{name} must be an RFC 3339 instant with an offset, e.g. 2026-12-06T09:00:00Z");
}
