using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using static Queue.Simulator.Bench.BenchRun;

namespace Queue.Simulator.Bench;

/// <summary>
/// <c>ops/bench live</c>: SPEC §7 freshness and rebuild in one run. (a) a floor of screens (the .NET SignalR client,
/// in processes of their own) connected to the service (a child process) while this process posts events at a steady
/// rate: the time from posting an event to each screen seeing it, pushes lost, the CPU of the service, the screens and
/// the load, the service's memory per screen; at several counts in turn, the knee; (b) live state rebuilt from
/// PostgreSQL holding a generated week of a large center.
/// </summary>
internal static class LiveBench
{
    public const string Usage = """
        usage: ops/bench live [options]
          --screens N[,N…]     screens connected, a floor's mix: 80 % wallboards of 4 queues, 15 % joined to the whole
                               center, 5 % consoles (the center and a queue in detail); several counts are run in turn,
                               each on a fresh service, and the largest holding p99 ≤ 250 ms is the knee (2000)
          --screen-processes N processes the screens run in, apart from the load generator's (1)
          --rate N             events posted per second (1000)
          --seconds N          how long the load runs, timed (60)
          --warmup N           how long it runs first, untimed: a fresh service settling under load (10)
          --queues N           queues the load spreads over (20)
          --agents N           operators the load's calls and status events name (500)
          --protocol P         the screens' hub protocol: messagepack, as the pages speak it, or json (messagepack)
          --via V              watch: one message a round per screen, as the pages; join: the joining methods' message
                               per queue per push, as API clients of JoinQueues/JoinCenter (watch)
          --client C           how the screens read the hub: lean, the protocol read where it arrives, one hop per
                               message; signalr, the official .NET client (lean; json and join use the official one)
          --week-operators N   operators of the generated center whose week is rebuilt (10000; ~100 calls a day each)
          --skip-rebuild       only (a)
          --skip-freshness     only (b)
          --keep-week          keep (b)'s generated week in database queue_week_N (N operators) and use it again next time
          --output DIR         where figures go (artifacts/bench)
        """;

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var options = new Options(
            args.String("--service", ServiceProcess.DefaultDll),
            Counts(args.String("--screens", "2000")), args.Int("--screen-processes", 1), args.Int("--rate", 1000), args.Int("--seconds", 60), args.Int("--warmup", 10, min: 0), args.Int("--queues", 20), args.Int("--agents", 500, min: 1),
            args.Int("--week-operators", 10_000), args.Flag("--skip-rebuild"), args.Flag("--skip-freshness"), args.Flag("--keep-week"), args.String("--output", "artifacts/bench"),
            args.String("--protocol", "messagepack"), args.String("--via", "watch"), args.String("--client", "lean"));
        if (options.Protocol is not ("messagepack" or "json"))
        {
            Console.Error.WriteLine($"--protocol: messagepack or json, not '{options.Protocol}'");
            return 2;
        }
        if (options.Via is not ("watch" or "join"))
        {
            Console.Error.WriteLine($"--via: watch or join, not '{options.Via}'");
            return 2;
        }
        if (options.Client is not ("lean" or "signalr"))
        {
            Console.Error.WriteLine($"--client: lean or signalr, not '{options.Client}'");
            return 2;
        }
        args.EnsureAllUsed();

        return await BenchRun.RunAsync("live", async ct =>
        {
            var stamp = BenchRun.Stamp(DateTimeOffset.UtcNow);
            Directory.CreateDirectory(options.Output);
            var freshness = new List<FreshnessResult>();
            if (!options.SkipFreshness)
            {
                foreach (var screens in options.Screens) freshness.Add(await FreshnessAsync(options, ScreenMix.Of(screens), stamp, ct));
            }
            var rebuild = options.SkipRebuild ? null : await RebuildAsync(options, stamp, ct);
            var report = new LiveReport(options, freshness, rebuild);
            await BenchRun.ReportAsync(options.Output, $"live-{stamp}.json", JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }),
                report.Table(), ct);
            return 0;
        });
    }

    static int[] Counts(string text)
    {
        var counts = text.Split(',').Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 20 ? n : 0).ToArray();
        return counts.Any(n => n == 0) ? throw new ArgumentException($"--screens: counts of at least 20, separated by commas, not '{text}'") : counts;
    }

    internal sealed record Options(
        string ServiceDll, int[] Screens, int ScreenProcesses, int Rate, int Seconds, int Warmup, int Queues, int Agents, int WeekOperators, bool SkipRebuild, bool SkipFreshness, bool KeepWeek, string Output,
        string Protocol = "messagepack", string Via = "watch", string Client = "lean")
    {
        /// <summary>The client the screens read with: the lean one speaks MessagePack to the watching method only.</summary>
        public string ScreenClient => Client == "lean" && Protocol == "messagepack" && Via == "watch" ? "lean client" : "official .NET client";
    }

    static async Task<FreshnessResult> FreshnessAsync(Options options, ScreenMix mix, string stamp, CancellationToken ct)
    {
        var databases = BenchDatabases.FromEnvironment();
        await databases.DropAbandonedAsync(ct);
        await databases.RecreateAsync(databases.Service, ct);
        var prefix = $"bench{System.Environment.ProcessId}:";
        try
        {
            var logPath = Path.Combine(options.Output, $"live-{stamp}-{mix.Count}-service.log");
            Say($"(a) starting the service; its log: {logPath}");
            await using var service = await ServiceProcess.StartAsync(options.ServiceDll, databases.ServiceConnectionString(),
                RandomNumberGenerator.GetHexString(48, lowercase: true), logPath, ct, BenchRedis.ServiceEnvironment(prefix));
            var ingestKey = await service.CreateKeyAsync("bench ingest", "ingest", ct);
            var screenKey = await service.CreateKeyAsync("bench screens", "supervisor", ct);

            Say($"(a) connecting {mix} over WebSockets ({options.Protocol}, {options.Via}, {options.ScreenClient}), in {options.ScreenProcesses} process(es) of their own");
            var memoryBefore = service.MemoryBytes;
            await using var screens = await ScreenProcesses.StartAsync(options.ScreenProcesses, mix, service.Address, screenKey, options.Queues, options.Protocol, options.Via, options.Client, ct);
            var memoryPerScreen = (double)(service.MemoryBytes - memoryBefore) / mix.Count;

            Say($"(a) posting {options.Rate:N0} events/s for {options.Seconds} s over {options.Queues} queues, a probe call every 500 ms");
            using var http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add("X-Api-Key", ingestKey);
            var load = new SteadyLoad(options.Queues, options.Agents);
            // Untimed first: a service just started compiles each path on its first use, and sends every screen its
            // first changes, while the load runs; timed from its first seconds, a run measures that, not the floor.
            await load.RunAsync(http, options.Rate, TimeSpan.FromSeconds(options.Warmup), probes: null, probeSent: null, ct);
            await screens.ResetAsync(ct);
            var cpuBefore = service.CpuTime;
            var loadCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var probes = new ConcurrentDictionary<int, long>();
            var probeSent = new ConcurrentDictionary<int, DateTimeOffset>();
            var marks = new Dictionary<string, List<long[]>>(StringComparer.Ordinal);
            var posted = await load.RunAsync(http, options.Rate, TimeSpan.FromSeconds(options.Seconds), probes, probeSent, ct, marks);
            var loadTime = clock.Elapsed;
            var cpu = (service.CpuTime - cpuBefore).TotalSeconds;
            var loadCpu = (Process.GetCurrentProcess().TotalProcessorTime - loadCpuBefore).TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // the last pushes in flight
            var seen = await screens.SeenAsync(probes, marks, await PublishedAsync(service, screenKey, ct), ct);
            var result = FreshnessResult.Of(mix, seen, probes.Count, probeSent, posted, loadTime,
                new FreshnessCost(cpu / loadTime.TotalSeconds, service.PeakMemoryBytes / 1024.0 / 1024.0, memoryPerScreen / 1024.0,
                    seen.CpuSeconds / loadTime.TotalSeconds, loadCpu / loadTime.TotalSeconds));
            Console.Error.WriteLine($"    {result}");
            return result;
        }
        finally
        {
            await databases.DropAsync(databases.Service, CancellationToken.None);
            await BenchRedis.DeleteKeysAsync(prefix);
        }
    }

    // Each queue's number as last published, from the API: where every screen must have ended.
    static async Task<Dictionary<string, long>> PublishedAsync(ServiceProcess service, string key, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = service.Address };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        using var queues = JsonDocument.Parse(await http.GetStringAsync("api/queues", ct));
        return queues.RootElement.EnumerateArray().ToDictionary(q => q.GetProperty("queue").GetString()!, q => q.GetProperty("seq").GetInt64());
    }

    static async Task<RebuildResult> RebuildAsync(Options options, string stamp, CancellationToken ct)
    {
        var databases = BenchDatabases.FromEnvironment();
        var name = options.KeepWeek ? $"queue_week_{options.WeekOperators}" : databases.Service;
        var prefix = $"bench{System.Environment.ProcessId}w:";
        var callsPerDay = options.WeekOperators * 100;
        try
        {
            await BenchWeek.PrepareAsync(databases, name, options.KeepWeek, options.ServiceDll, options.WeekOperators, DateTimeOffset.UtcNow,
                "(b) a week ending now", ct);

            var logPath = Path.Combine(options.Output, $"live-{stamp}-rebuild.log");
            var memoryBefore = await BenchRedis.MemoryAsync();
            Say($"(b) starting a service on it with empty live state; it rebuilds; its log: {logPath}");
            var clock = Stopwatch.StartNew();
            await using var service = await ServiceProcess.StartAsync(options.ServiceDll, databases.ConnectionStringOf(name),
                RandomNumberGenerator.GetHexString(48, lowercase: true), logPath, ct, BenchRedis.ServiceEnvironment(prefix));
            await BenchRedis.WaitForLiveStateAsync(prefix, clock, ct);
            var untilLive = clock.Elapsed;
            var (entities, rebuildMs) = await RebuiltLineAsync(logPath);
            var memory = await BenchRedis.MemoryAsync() - memoryBefore;
            var result = new RebuildResult(options.WeekOperators, 7L * callsPerDay, entities, rebuildMs / 1000.0, untilLive.TotalSeconds,
                memory / 1024.0 / 1024.0, service.PeakMemoryBytes / 1024.0 / 1024.0);
            Console.Error.WriteLine($"    {result}");
            return result;
        }
        finally
        {
            if (!options.KeepWeek) await databases.DropAsync(name, CancellationToken.None);
            await BenchRedis.DeleteKeysAsync(prefix);
        }
    }

    // The log line the service writes when a rebuild ends: "Live state rebuilt from PostgreSQL: N entities in M ms".
    static async Task<(long Entities, double Milliseconds)> RebuiltLineAsync(string logPath)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            foreach (var line in await File.ReadAllLinesAsync(logPath))
            {
                var at = line.IndexOf("rebuilt from PostgreSQL: ", StringComparison.Ordinal);
                if (at < 0) continue;
                var parts = line[(at + 25)..].Split(' ');
                return (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture));
            }
            await Task.Delay(100);
        }
        throw new BenchException($"the service did not log its rebuild; see {logPath}");
    }
}
