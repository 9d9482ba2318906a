using System.Globalization;
using Queue.Simulator.Bench;
using Queue.Simulator.CallRecords;
using Queue.Simulator.Demo;
using Queue.Simulator.QueueLog;
using Queue.Simulator.Traffic;

namespace Queue.Simulator;

/// <summary>Commands of the simulator: benchmarks of the service, the traffic they are made of, and the demo.</summary>
internal static class Cli
{
    const string Usage = """
        usage: Queue.Simulator <command> [options]

        commands:
          ingest    SPEC §7 ingest benchmark: the service against PostgreSQL's own rate, and single-event latency
                    (run it through ops/bench ingest; --help lists its options)
          live      SPEC §7 freshness and rebuild benchmark: wallboards connected while events flow, and live state
                    rebuilt from a generated week (run it through ops/bench live; --help lists its options)
          screens   a share of ops/bench live's screens, in a process of its own (started by the bench, which talks to it on stdin)
          alerts    SPEC §4/§7 alert latency: threshold crossing → AlertChanged at a SignalR client, time-driven and
                    event-driven, under load (run it through ops/bench alerts; --help lists its options)
          report    SPEC §7 weekly report: a generated week of a 10,000-operator center, made in ≤ 30 s (ops/bench report)
          connect   a generated month of a 1,000-operator center's Asterisk queue_log imported end to end by the connector,
                    against the service's batch rate in the same run (run it through ops/bench connect; --help lists its options)
          demo      post a simulated center's events to a running service: the last 7 days, then live, for ever
                      --url URL  --key-file FILE  --operators N (60)  --speed S (1)  --backfill-days D (7)  --seed N (1)
                      (--help lists them all)
          queue-log write a simulated center's calls and operators as an Asterisk queue_log: the last days, then
                    (--follow) each line as it happens, with a CRM posting what a PBX does not know
                      --out FILE  --days D (7)  --follow  --operators N (60)  --url URL  --key-file FILE
                      (--help lists them all)
          csv-records
                    write a simulated center's calls of the last days as CSV call records, one row per leg, in local time
                      --out FILE  --days D (1)  --until TIME (now)  --operators N (60)  (--help lists them all)
          stream    print a simulated center's events as JSON lines, with a summary on stderr
                      --operators N (200)  --hours H (24, ending now)  --seed N (1)  --prefix ID (sim)  --quiet
          ewt       the expected wait each caller would be told against the wait that happened, over the demo center's
                    traffic or a database's stored history (--help lists its options)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var options = new Args(args[1..]);
            return args[0] switch
            {
                "ingest" => await IngestBench.RunAsync(options),
                "live" => await LiveBench.RunAsync(options),
                "screens" => await ScreensCommand.RunAsync(options),
                "alerts" => await AlertBench.RunAsync(options),
                "report" => await ReportBench.RunAsync(options),
                "connect" => await ConnectBench.RunAsync(options),
                "demo" => await DemoCommand.RunAsync(options),
                "queue-log" => await QueueLogCommand.RunAsync(options),
                "csv-records" => CallRecordsCommand.Run(options),
                "stream" => Stream(options),
                "ewt" => await EwtMeasure.RunAsync(options),
                _ => Fail($"unknown command '{args[0]}'\n\n{Usage}"),
            };
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.Message);
        }
    }

    static int Stream(Args args)
    {
        var options = new TrafficOptions
        {
            Operators = args.Int("--operators", 200),
            Seed = args.Int("--seed", 1),
            IdPrefix = args.String("--prefix", "sim"),
        };
        var hours = args.Double("--hours", 24);
        var quiet = args.Flag("--quiet");
        args.EnsureAllUsed();
        var end = DateTimeOffset.UtcNow;
        var stats = new StreamStats();
        using var stdout = Console.OpenStandardOutput();
        foreach (var e in new TrafficGenerator(options).Run(end.AddHours(-hours), end))
        {
            stats.Add(e);
            if (quiet) continue;
            stdout.Write(WireJson.Serialize(e));
            stdout.WriteByte((byte)'\n');
        }
        Console.Error.WriteLine(stats);
        return 0;
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}

/// <summary><c>--name value</c> options and <c>--flag</c>s; anything not asked for is an error.</summary>
internal sealed class Args
{
    readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    readonly HashSet<string> used = new(StringComparer.Ordinal);

    public Args(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{args[i]}'");
            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            values[args[i]] = hasValue ? args[++i] : null;
        }
    }

    public bool Flag(string name)
    {
        used.Add(name);
        if (!values.TryGetValue(name, out var value)) return false;
        return value is null ? true : throw new ArgumentException($"{name} takes no value");
    }

    public string String(string name, string fallback)
    {
        used.Add(name);
        if (!values.TryGetValue(name, out var value)) return fallback;
        return value ?? throw new ArgumentException($"{name} needs a value");
    }

    public string? OptionalString(string name)
    {
        used.Add(name);
        return values.TryGetValue(name, out var value) ? value ?? throw new ArgumentException($"{name} needs a value") : null;
    }

    public int Int(string name, int fallback, int min = 1)
    {
        var text = String(name, fallback.ToString(CultureInfo.InvariantCulture)).Replace("_", "", StringComparison.Ordinal);
        return int.TryParse(text, NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw new ArgumentException($"{name} must be a whole number ≥ {min}");
    }

    public double Double(string name, double fallback) =>
        double.TryParse(String(name, fallback.ToString(CultureInfo.InvariantCulture)), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive number");

    public void EnsureAllUsed()
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown)} (try --help)");
    }

    public bool Help => values.ContainsKey("--help") || values.ContainsKey("-h");
}
