using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Queue.Events;
using Queue.Simulator.Demo;
using Queue.Simulator.Traffic;

namespace Queue.Simulator.QueueLog;

/// <summary><c>queue-log</c>: the simulated center as its Asterisk would log it, as history and then live.</summary>
internal static class QueueLogCommand
{
    public const string Help = """
        usage: Queue.Simulator queue-log --out FILE [options]

        Writes a simulated center's calls and operators as an Asterisk queue_log (epoch|uniqueid|queue|agent|EVENT|data…),
        as its PBX would have: the file is written anew with the last days, then, with --follow, each line is appended
        and flushed when its time comes, for ever. What a PBX does not know — each call's resolution, told a little after
        the call as call.resolution, and the field visits — is posted to the service as a CRM would (--url, --key-file).

          --out FILE           the queue_log to write
          --days D             days of history written first (7); without --follow, the file holds them and it exits
          --follow             then append each line as it happens, and post the CRM's events, until stopped
          --operators N        operators of the center (60): ~100 calls each a day
          --speed S            the center's day plays S times faster (1), as for demo
          --seed N             seeds the traffic (1)
          --prefix ID          starts the ids of the CRM's events (pbx)
          --source NAME        the --source the connector reads the log with: the CRM names calls as it does (asterisk)
          --url URL            with --follow: the service the CRM posts to (http://127.0.0.1:8080)
          --key-file FILE      with --follow: an ingest key for the CRM's events; without it only the log is written
        """;

    /// <summary>The demo center with what only a PBX's log shows: offers that ring out, and pause reasons.</summary>
    public static TrafficOptions Center(int operators, double speed = 1, int seed = 1, string prefix = "pbx") =>
        DemoTraffic.Center(operators, speed, seed, prefix) with { MissedOfferShare = 0.03, BreakReasons = true };

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(Help);
            return 0;
        }
        var path = args.OptionalString("--out") ?? throw new ArgumentException("--out FILE is needed: the queue_log to write");
        var days = args.Int("--days", 7, min: 0);
        var follow = args.Flag("--follow");
        var operators = args.Int("--operators", 60);
        var speed = args.Double("--speed", 1);
        var seed = args.Int("--seed", 1);
        var prefix = args.String("--prefix", "pbx");
        var source = args.String("--source", "asterisk");
        var url = new Uri(args.String("--url", "http://127.0.0.1:8080").TrimEnd('/') + "/");
        var keyFile = args.OptionalString("--key-file");
        args.EnsureAllUsed();
        if (!Queue.Events.Identifiers.IsValid(source + ":0.0")) throw new ArgumentException("--source must be letters, digits, '.', '_', '-', ':'");
        if (keyFile is not null && !follow) throw new ArgumentException("--key-file goes with --follow: the CRM posts only while the log is followed");
        var center = Center(operators, speed, seed, prefix);
        var queues = center.Queues.Select(q => q.Name).ToList();

        var time = TimeProvider.System;
        var from = time.GetUtcNow().AddDays(-days);
        var lines = AsteriskQueueLog.Write(DemoTraffic.Run(center, from), queues);
        using var file = new QueueLogFile(path);
        if (!follow)
        {
            var clock = Stopwatch.StartNew();
            using var e = lines.GetEnumerator();
            file.WriteUntil(e, e.MoveNext(), time.GetUtcNow());
            var seconds = Math.Max(0.001, clock.Elapsed.TotalSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"queue-log: {file.Lines:N0} lines, {days} days of {operators} operators, written to {path} in {seconds:0.0} s ({file.Lines / seconds:N0} lines/s)"));
            return 0;
        }

        using var stop = new StopSignal();
        var log = Console.Out;
        log.WriteLine($"{DemoPoster.Stamp(time)} queue-log: {operators} operators, day speed {speed}, seed {seed}, writing {path} from {from:u}");

        // Writing the history takes a few seconds of its own: the CRM starts meanwhile.
        var running = new List<Task> { Task.Run(() => file.FollowAsync(lines, time, log, stop.Token), stop.Token) };
        using var http = keyFile is null ? null : new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
        if (http is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", ReadKey(keyFile!));
            // The CRM has no history older than the service takes from an ingest key: the last week at most.
            var crm = new DemoRunner(http, start => CrmFeed.Events(DemoTraffic.Run(center, start), source), TimeSpan.FromDays(Math.Min(days, 7)), time, log);
            log.WriteLine($"{DemoPoster.Stamp(time)} queue-log: the CRM posts resolutions and visits to {url}");
            running.Add(crm.RunAsync(stop.Token));
        }
        else log.WriteLine($"{DemoPoster.Stamp(time)} queue-log: no --key-file: resolutions and visits are not posted");

        try
        {
            // Either part failing for good stops both.
            await await Task.WhenAny(running);
            return 0;
        }
        catch (OperationCanceledException) when (stop.Stopped)
        {
            log.WriteLine($"{DemoPoster.Stamp(time)} queue-log: stopped after {file.Lines:N0} lines");
            return 0;
        }
        catch (DemoException ex)
        {
            await Console.Error.WriteLineAsync($"{DemoPoster.Stamp(time)} queue-log: {ex.Message}");
            return 1;
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    static string ReadKey(string file)
    {
        try
        {
            var key = File.ReadAllText(file).Trim();
            return key.Length > 0 ? key : throw new ArgumentException($"--key-file {file} is empty");
        }
        catch (IOException ex) { throw new ArgumentException($"--key-file: {ex.Message}"); }
        catch (UnauthorizedAccessException ex) { throw new ArgumentException($"--key-file: {ex.Message}"); }
    }
}
