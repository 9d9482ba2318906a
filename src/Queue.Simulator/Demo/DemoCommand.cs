using System.Runtime.InteropServices;
using Queue.Simulator.CallRecords;
using Queue.Simulator.Traffic;

namespace Queue.Simulator.Demo;

/// <summary><c>demo</c>: a simulated center posting its events to a running service, for ever.</summary>
internal static class DemoCommand
{
    public const string Help = """
        usage: Queue.Simulator demo [options]

        Posts a simulated center's events to a running service through POST /api/events, as its telephony and
        field-service systems would: first the last days (backfill), then live, each event when its time comes.
        Restarting it sends the same events again (duplicates, not double counts).

          --url URL            the service (http://127.0.0.1:8080)
          --key-file FILE      a file holding an ingest API key (or --key KEY, or QUEUE_DEMO_KEY)
          --operators N        operators of the center (60): ~100 calls each a day
          --speed S            the center's day plays S times faster (1): shifts, breaks and the arrival profile
                               are S times shorter; calls and visits keep their real durations (1 to 1440)
          --backfill-days D    days of history sent first, 0 to 7 (7)
          --seed N             seeds the traffic (1)
          --prefix ID          starts every id (demo)
          --csv-until TIME     the calls of the --csv-days days before TIME (RFC 3339) reach the service as call records
                               (csv-records with the same options, imported by ops/connect csv --source --csv-source):
                               they are not posted, and visits made on them name them as that import does
          --csv-days D         days of calls those records hold (1)
          --csv-source NAME    the --source of that import (csv)
        """;

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(Help);
            return 0;
        }
        var url = new Uri(args.String("--url", "http://127.0.0.1:8080").TrimEnd('/') + "/");
        var key = Key(args.OptionalString("--key"), args.OptionalString("--key-file"));
        var operators = args.Int("--operators", 60);
        var speed = args.Double("--speed", 1);
        var backfillDays = args.Int("--backfill-days", 7, min: 0);
        var seed = args.Int("--seed", 1);
        var prefix = args.String("--prefix", "demo");
        var csvUntil = CallRecordsCommand.Instant(args, "--csv-until");
        var csvDays = args.Int("--csv-days", 1);
        var csvSource = args.String("--csv-source", "csv");
        args.EnsureAllUsed();
        if (backfillDays > 7) throw new ArgumentException("--backfill-days must be 0 to 7 (the service refuses events older than 7 days)");
        var center = DemoTraffic.Center(operators, speed, seed, prefix);
        var csv = csvUntil is { } until ? CsvHistory.Of(center, until, csvDays, csvSource) : null;
        Func<DateTimeOffset, IEnumerable<Queue.Ingest.EventDocs.Event>> feed = csv is null
            ? from => DemoTraffic.Run(center, from)
            : from => csv.Without(DemoTraffic.Run(center, from));

        using var stop = new StopSignal();

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var log = Console.Out;
        var runner = new DemoRunner(http, feed, TimeSpan.FromDays(backfillDays), TimeProvider.System, log);
        log.WriteLine($"{DemoPoster.Stamp(TimeProvider.System)} demo: {operators} operators, day speed {speed}, seed {seed}, posting to {url}");
        if (csv is not null)
            log.WriteLine($"{DemoPoster.Stamp(TimeProvider.System)} demo: the calls queued from {csv.From:u} to {csv.Until:u} come as call records (source {csv.Source}): not posted");
        try
        {
            await runner.RunAsync(stop.Token);
            return 0;
        }
        catch (OperationCanceledException) when (stop.Stopped)
        {
            var t = runner.Totals;
            log.WriteLine($"{DemoPoster.Stamp(TimeProvider.System)} demo: stopped after {t.Events:N0} events ({t.New:N0} new)");
            return 0;
        }
        catch (DemoException ex)
        {
            Console.Error.WriteLine($"{DemoPoster.Stamp(TimeProvider.System)} demo: {ex.Message}");
            return 1;
        }
    }

    static string Key(string? key, string? file)
    {
        if (file is not null)
        {
            try { key = File.ReadAllText(file).Trim(); }
            catch (IOException ex) { throw new ArgumentException($"--key-file: {ex.Message}"); }
            catch (UnauthorizedAccessException ex) { throw new ArgumentException($"--key-file: {ex.Message}"); }
        }
        key ??= Environment.GetEnvironmentVariable("QUEUE_DEMO_KEY");
        return string.IsNullOrWhiteSpace(key) ? throw new ArgumentException("an ingest key is needed: --key-file FILE, --key KEY or QUEUE_DEMO_KEY") : key;
    }
}
