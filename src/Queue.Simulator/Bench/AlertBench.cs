using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using static Queue.Simulator.Bench.BenchRun;

namespace Queue.Simulator.Bench;

/// <summary>
/// <c>ops/bench alerts</c>: SPEC §4 and §7, an alert reaches a SignalR client within a second of its threshold. The
/// service (a child process, on a fresh database) takes steady traffic into ordinary queues while, in bench queues
/// of their own, breach episodes follow one another: a call left waiting past the wait target (time-driven, no event
/// at the crossing) and an answer that takes the rolling ASA past it (event-driven). Clients joined to the whole
/// center record when each <c>AlertChanged</c> arrives.
/// </summary>
internal static class AlertBench
{
    public const string QueueWait = "queue.wait";
    public const string QueueAsa = "queue.asa";
    public const string WaitQueuePrefix = "alert-wait-";
    public const string AsaQueuePrefix = "alert-asa-";

    public const string Usage = """
        usage: ops/bench alerts [options]
          --seconds N        how long the run lasts; episodes start only if they can end inside it (120)
          --rate N           events posted per second into ordinary queues meanwhile (1000)
          --queues N         ordinary queues that load spreads over (10)
          --wait-queues N    queues with time-driven queue.wait episodes, one call waiting at a time (100)
          --asa-queues N     queues with event-driven queue.asa episodes at a time; 0 for none (4)
          --wait-target S    wait target set on the bench queues through PUT /api/targets/{queue}, where the
                             service has it; otherwise they keep the service's own (5)
          --clients N        SignalR clients joined to the whole center, each recording every AlertChanged (2)
          --timeout S        an alert not seen this long after its crossing is missed (5)
          --output DIR       where figures go (artifacts/bench)
        """;

    internal sealed record Options(string ServiceDll, int Seconds, int Rate, int Queues, int WaitQueues, int AsaQueues,
        double WaitTargetSeconds, int Clients, int TimeoutSeconds, string Output);

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var options = new Options(
            args.String("--service", ServiceProcess.DefaultDll),
            args.Int("--seconds", 120), args.Int("--rate", 1000), args.Int("--queues", 10), args.Int("--wait-queues", 100),
            args.Int("--asa-queues", 4, min: 0), args.Double("--wait-target", 5), args.Int("--clients", 2), args.Int("--timeout", 5),
            args.String("--output", "artifacts/bench"));
        args.EnsureAllUsed();

        return await BenchRun.RunAsync("alerts", async ct =>
        {
            var startedAt = DateTimeOffset.UtcNow;
            var stamp = BenchRun.Stamp(startedAt);
            Directory.CreateDirectory(options.Output);
            var report = await MeasureAsync(options, startedAt, stamp, ct);
            await BenchRun.ReportAsync(options.Output, $"alerts-{stamp}.json", JsonSerializer.Serialize(report, Json), report.Table(), ct);
            return 0;
        });
    }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file to read, never HTML
    };

    static async Task<AlertReport> MeasureAsync(Options options, DateTimeOffset startedAt, string stamp, CancellationToken ct)
    {
        var databases = BenchDatabases.FromEnvironment();
        await databases.DropAbandonedAsync(ct);
        await databases.RecreateAsync(databases.Service, ct);
        var prefix = $"bench{System.Environment.ProcessId}a:";
        try
        {
            var logPath = Path.Combine(options.Output, $"alerts-{stamp}-service.log");
            Say($"starting the service; its log: {logPath}");
            var environment = BenchRedis.ServiceEnvironment(prefix);
            environment["Logging__LogLevel__Queue.Alerts"] = "Information"; // each raise and clear, with its id and time
            environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
            environment["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true";
            await using var service = await ServiceProcess.StartAsync(options.ServiceDll, databases.ServiceConnectionString(),
                RandomNumberGenerator.GetHexString(48, lowercase: true), logPath, ct, environment);
            var ingestKey = await service.CreateKeyAsync("bench ingest", "ingest", ct);
            var wallboardKey = await service.CreateKeyAsync("bench alerts", "wallboard", ct);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
            {
                BaseAddress = service.Address,
                Timeout = TimeSpan.FromSeconds(30),
                DefaultRequestHeaders = { { "X-Api-Key", ingestKey } },
            };

            var waitQueues = Enumerable.Range(1, options.WaitQueues).Select(i => $"{WaitQueuePrefix}{i:000}").ToList();
            var perQueue = await SetWaitTargetAsync(service, waitQueues, options.WaitTargetSeconds, ct);
            var waitTarget = await WaitTargetAsync(service.Address, wallboardKey, waitQueues[0], ct);
            var asaTarget = await WaitTargetAsync(service.Address, wallboardKey, AsaQueuePrefix + "000-000", ct);
            Console.Error.WriteLine(perQueue
                ? $"    wait target of the bench queues set through PUT /api/targets/{{queue}}; their snapshot says {waitTarget.TotalSeconds:0.#} s"
                : $"    the bench queues' wait target could not be set through PUT /api/targets/{{queue}}: they keep the service's, {waitTarget.TotalSeconds:0.#} s");

            Say($"connecting {options.Clients} SignalR clients, each joined to the whole center");
            await using var watch = new AlertWatch();
            await watch.ConnectAsync(options.Clients, service.Address, wallboardKey, ct);

            var load = new SteadyLoad(options.Queues);
            await load.RunAsync(http, options.Rate, TimeSpan.FromSeconds(3), probes: null, probeSent: null, ct); // warm-up

            Say($"{options.Seconds} s: {options.Rate:N0} events/s over {options.Queues} queues; queue.wait episodes in {options.WaitQueues} queues" +
                (options.AsaQueues > 0 ? $", queue.asa episodes in {options.AsaQueues}" : ""));
            var timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
            var lastEnd = BenchClock.Now + TimeSpan.FromSeconds(options.Seconds);
            var episodes = new AlertEpisodes(http, watch, timeout, lastEnd);
            var cpuBefore = service.CpuTime;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var loading = load.RunAsync(http, options.Rate, TimeSpan.FromSeconds(options.Seconds), probes: null, probeSent: null, ct);
            var runs = waitQueues.Select(q => episodes.WaitEpisodesAsync(q, waitTarget, ct))
                .Concat(Enumerable.Range(0, options.AsaQueues).Select(i => episodes.AsaEpisodesAsync($"{AsaQueuePrefix}{i:000}", asaTarget, cycles: 15, ct)))
                .ToList();
            var progress = Progress(episodes, options.Seconds, ct);
            var posted = await loading;
            var elapsed = clock.Elapsed;
            await Task.WhenAll(runs);
            var cpu = (service.CpuTime - cpuBefore).TotalSeconds / clock.Elapsed.TotalSeconds;

            var wait = EpisodeFigures.Of(QueueWait, "crossing instant (queued at + target), no event", waitTarget.TotalSeconds,
                options.WaitQueues, options.Clients, [.. episodes.Wait], timeout);
            var asa = options.AsaQueues == 0 ? null : EpisodeFigures.Of(QueueAsa, "2xx of the answer that crosses", asaTarget.TotalSeconds,
                options.AsaQueues, options.Clients, [.. episodes.Asa], timeout);
            Console.Error.WriteLine($"    queue.wait: {wait}");
            if (asa is not null) Console.Error.WriteLine($"    queue.asa: {asa}");
            return new AlertReport(startedAt, options, perQueue, System.Environment.ProcessorCount, posted, elapsed.TotalSeconds, posted / elapsed.TotalSeconds,
                wait, asa, watch.Others, watch.Stray, cpu, service.PeakMemoryBytes / 1024.0 / 1024.0);
        }
        finally
        {
            await databases.DropAsync(databases.Service, CancellationToken.None);
            await BenchRedis.DeleteKeysAsync(prefix);
        }
    }

    /// <summary>Sets the bench queues' wait target where the service takes per-queue targets; false where it does not.</summary>
    static async Task<bool> SetWaitTargetAsync(ServiceProcess service, IReadOnlyList<string> queues, double seconds, CancellationToken ct)
    {
        using var admin = new HttpClient { BaseAddress = service.Address };
        admin.DefaultRequestHeaders.Add("X-Api-Key", service.AdminKey);
        foreach (var queue in queues)
        {
            using var response = await admin.PutAsJsonAsync($"api/targets/{queue}", new { waitSeconds = seconds }, ct);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed) return false;
            if (!response.IsSuccessStatusCode)
            {
                // Another shape of the targets API: run on the service's own target rather than not at all.
                Console.Error.WriteLine($"    PUT /api/targets/{queue} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
                return false;
            }
        }
        return true;
    }

    /// <summary>The wait target a queue's snapshot states: the one its alerts are decided on.</summary>
    static async Task<TimeSpan> WaitTargetAsync(Uri service, string key, string queue, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = service };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        for (var attempt = 0; ; attempt++)
        {
            using var response = await http.GetAsync($"api/queues/{queue}", ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            // 503 while live state is first built.
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 50)
            {
                await Task.Delay(200, ct);
                continue;
            }
            if (!response.IsSuccessStatusCode) throw new BenchException($"GET /api/queues/{queue} answered {(int)response.StatusCode}: {body}");
            using var json = JsonDocument.Parse(body);
            return TimeSpan.FromSeconds(json.RootElement.GetProperty("snapshot").GetProperty("targets").GetProperty("waitSeconds").GetDouble());
        }
    }

    static async Task Progress(AlertEpisodes episodes, int seconds, CancellationToken ct)
    {
        for (var s = 30; s < seconds; s += 30)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            Console.Error.WriteLine($"    {s} s: {episodes.Wait.Count} queue.wait and {episodes.Asa.Count} queue.asa episodes done");
        }
    }
}
