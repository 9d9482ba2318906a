using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Npgsql;
using StackExchange.Redis;

namespace Queue.Simulator.Bench;

/// <summary>
/// <c>ops/bench live</c>: SPEC §7 freshness and rebuild in one run. (a) wallboards (the .NET SignalR client, in
/// this process) connected to the service (a child process) while events are posted at a steady rate: the time
/// from posting an event to each wallboard seeing it, pushes lost, the service's CPU and memory; (b) live state
/// rebuilt from PostgreSQL holding a generated week of a large center.
/// </summary>
internal static class LiveBench
{
    public const string Usage = """
        usage: ops/bench live [options]
          --clients N          wallboards connected, each to the whole center (200)
          --rate N             events posted per second (1000)
          --seconds N          how long the load runs (60)
          --queues N           queues the load spreads over (10)
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
            args.String("--service", "src/Queue/bin/Release/net10.0/Queue.dll"),
            args.Int("--clients", 200), args.Int("--rate", 1000), args.Int("--seconds", 60), args.Int("--queues", 10),
            args.Int("--week-operators", 10_000), args.Flag("--skip-rebuild"), args.Flag("--skip-freshness"), args.Flag("--keep-week"), args.String("--output", "artifacts/bench"));
        args.EnsureAllUsed();

        return await BenchRun.RunAsync("live", async ct =>
        {
            var stamp = BenchRun.Stamp(DateTimeOffset.UtcNow);
            Directory.CreateDirectory(options.Output);
            var freshness = options.SkipFreshness ? null : await FreshnessAsync(options, stamp, ct);
            var rebuild = options.SkipRebuild ? null : await RebuildAsync(options, stamp, ct);
            var report = new LiveReport(options, freshness, rebuild);
            await BenchRun.ReportAsync(options.Output, $"live-{stamp}.json", JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }),
                report.Table(), ct);
            return 0;
        });
    }

    internal sealed record Options(string ServiceDll, int Clients, int Rate, int Seconds, int Queues, int WeekOperators, bool SkipRebuild, bool SkipFreshness, bool KeepWeek, string Output);

    static async Task<FreshnessResult> FreshnessAsync(Options options, string stamp, CancellationToken ct)
    {
        var databases = BenchDatabases.FromEnvironment();
        foreach (var name in await databases.DropAbandonedAsync(ct)) Console.Error.WriteLine($"    dropped {name}, left by a run that is gone");
        await databases.RecreateAsync(databases.Service, ct);
        var prefix = $"bench{System.Environment.ProcessId}:";
        try
        {
            var logPath = Path.Combine(options.Output, $"live-{stamp}-service.log");
            Say($"(a) starting the service; its log: {logPath}");
            await using var service = await ServiceProcess.StartAsync(options.ServiceDll, databases.ServiceConnectionString(),
                RandomNumberGenerator.GetHexString(48, lowercase: true), logPath, ct, ServiceEnvironment(prefix));
            var ingestKey = await service.CreateKeyAsync("bench ingest", "ingest", ct);
            var wallboardKey = await service.CreateKeyAsync("bench wallboards", "wallboard", ct);

            Say($"(a) connecting {options.Clients} wallboards over WebSockets, each to the whole center");
            var board = new Board(options.Clients);
            var connections = new List<HubConnection>();
            try
            {
                for (var i = 0; i < options.Clients; i++) connections.Add(await board.ConnectAsync(i, service.Address, wallboardKey, ct));

                Say($"(a) posting {options.Rate:N0} events/s for {options.Seconds} s over {options.Queues} queues, a probe call every 500 ms");
                using var http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(30) };
                http.DefaultRequestHeaders.Add("X-Api-Key", ingestKey);
                var load = new Load(options.Queues);
                await load.RunAsync(http, options.Rate, TimeSpan.FromSeconds(3), probes: null, probeSent: null, ct); // warm-up
                board.Reset();
                var cpuBefore = service.CpuTime;
                var clock = Stopwatch.StartNew();
                var probes = new ConcurrentDictionary<int, long>();
                var probeSent = new ConcurrentDictionary<int, DateTimeOffset>();
                var posted = await load.RunAsync(http, options.Rate, TimeSpan.FromSeconds(options.Seconds), probes, probeSent, ct);
                var loadTime = clock.Elapsed;
                var cpu = (service.CpuTime - cpuBefore).TotalSeconds;
                await Task.Delay(TimeSpan.FromSeconds(2), ct); // the last pushes in flight
                var result = board.Result(probes, probeSent, posted, loadTime, cpu / loadTime.TotalSeconds, service.PeakMemoryBytes);
                Console.Error.WriteLine($"    {result}");
                return result;
            }
            finally
            {
                foreach (var connection in connections) await connection.DisposeAsync();
            }
        }
        finally
        {
            await databases.DropAsync(databases.Service, CancellationToken.None);
            await DeleteKeysAsync(prefix);
        }
    }

    internal static Dictionary<string, string> ServiceEnvironment(string prefix) => new()
    {
        ["ConnectionStrings__Redis"] = RedisAddress,
        ["Queue__Live__KeyPrefix"] = prefix,
        ["Logging__LogLevel__Queue.Live"] = "Information",
    };

    internal static string RedisAddress => System.Environment.GetEnvironmentVariable("ConnectionStrings__Redis") ?? "127.0.0.1:6379";

    internal static async Task DeleteKeysAsync(string prefix)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisAddress + ",allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 10_000)) keys.Add(key);
        foreach (var chunk in keys.Chunk(10_000)) await redis.GetDatabase().KeyDeleteAsync(chunk);
    }

    /// <summary>What the wallboards saw: for each probe, when each saw it; for each queue, the pushes' numbers.</summary>
    sealed class Board(int clients)
    {
        readonly long[][] probeSeen = Enumerable.Range(0, clients).Select(_ => new long[4096]).ToArray();
        // When the service read each probe's snapshot (its clock is this machine's): splits a latency into the
        // service's part (post → snapshot) and delivery (snapshot → wallboard).
        readonly ConcurrentDictionary<int, DateTimeOffset> probeRead = new();
        readonly Dictionary<string, (long First, long Last, long Count)>[] seqs =
            Enumerable.Range(0, clients).Select(_ => new Dictionary<string, (long, long, long)>(StringComparer.Ordinal)).ToArray();

        public async Task<HubConnection> ConnectAsync(int i, Uri service, string key, CancellationToken ct)
        {
            var connection = LiveHubConnection.Build(service, key);
            connection.On<JsonElement>("QueueUpdated", s => Seen(i, s));
            await connection.StartAsync(ct);
            await connection.InvokeAsync<JsonElement>("JoinCenter", ct);
            return connection;
        }

        void Seen(int client, JsonElement snapshot)
        {
            var now = Stopwatch.GetTimestamp();
            var queue = snapshot.GetProperty("queue").GetString()!;
            var seq = snapshot.GetProperty("seq").GetInt64();
            lock (seqs[client])
            {
                seqs[client][queue] = seqs[client].TryGetValue(queue, out var s) ? (s.First, seq, s.Count + 1) : (seq, seq, 1);
            }
            if (queue != Load.ProbeQueue) return;
            // The probe queue's waiting count is the number of the newest probe included.
            var probe = (int)snapshot.GetProperty("callsWaiting").GetInt64();
            probeRead.TryAdd(probe, snapshot.GetProperty("asOf").GetDateTimeOffset());
            var seen = probeSeen[client];
            for (var p = Math.Min(probe, seen.Length - 1); p > 0 && seen[p] == 0; p--) seen[p] = now;
        }

        public void Reset()
        {
            foreach (var s in seqs) lock (s) s.Clear();
        }

        public FreshnessResult Result(ConcurrentDictionary<int, long> probes, ConcurrentDictionary<int, DateTimeOffset> probeSent,
            long posted, TimeSpan elapsed, double cpuCores, long peakMemory)
        {
            var toSnapshot = probeSent.Where(p => probeRead.ContainsKey(p.Key)).Select(p => (probeRead[p.Key] - p.Value).TotalMilliseconds).Order().ToList();
            var latencies = new List<double>();
            long missing = 0;
            foreach (var (probe, sent) in probes)
            {
                foreach (var seen in probeSeen)
                {
                    if (probe < seen.Length && seen[probe] > sent) latencies.Add(Stopwatch.GetElapsedTime(sent, seen[probe]).TotalMilliseconds);
                    else missing++;
                }
            }
            latencies.Sort();
            long gaps = 0, pushes = 0;
            foreach (var client in seqs)
            {
                lock (client)
                {
                    foreach (var (_, (first, last, count)) in client)
                    {
                        gaps += last - first + 1 - count;
                        pushes += count;
                    }
                }
            }
            return new FreshnessResult(clients, posted, elapsed.TotalSeconds, posted / elapsed.TotalSeconds, probes.Count, latencies.Count,
                Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Count == 0 ? 0 : latencies[^1],
                Percentile(toSnapshot, 0.50), Percentile(toSnapshot, 0.99),
                missing, gaps, pushes, cpuCores, peakMemory / 1024.0 / 1024.0);
        }

        static double Percentile(List<double> sorted, double p) =>
            sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>
    /// Steady traffic: every 100 ms a batch of calls (queued, answered, completed; an agent status now and then)
    /// timed now, spread over the queues; every 500 ms a probe call queued in a queue of its own.
    /// </summary>
    internal sealed class Load(int queues)
    {
        public const string ProbeQueue = "bench-probe";
        static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
        readonly string run = System.Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Random.Shared.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
        long sequence;
        int probe;

        public async Task<long> RunAsync(HttpClient http, int rate, TimeSpan duration, ConcurrentDictionary<int, long>? probes,
            ConcurrentDictionary<int, DateTimeOffset>? probeSent, CancellationToken ct)
        {
            var perTick = Math.Max(1, (int)(rate * Tick.TotalSeconds));
            var started = Stopwatch.GetTimestamp();
            var inFlight = new List<Task>();
            long posted = 0;
            for (var tick = 0; Stopwatch.GetElapsedTime(started) < duration; tick++)
            {
                var due = TimeSpan.FromTicks(Tick.Ticks * tick) - Stopwatch.GetElapsedTime(started);
                if (due > TimeSpan.Zero) await Task.Delay(due, ct);
                inFlight.RemoveAll(t => t.IsCompleted);
                if (inFlight.Count > 16) throw new BenchException("the service fell more than 16 batches behind the load");
                inFlight.Add(PostAsync(http, Batch(perTick), ct));
                posted += perTick;
                if (probes is not null && tick % 5 == 0)
                {
                    var number = Interlocked.Increment(ref probe);
                    var body = "[" + Queued($"probe-{run}-{number}", $"probe-{run}-{number}", ProbeQueue, DateTimeOffset.UtcNow) + "]";
                    probes[number] = Stopwatch.GetTimestamp();
                    probeSent![number] = DateTimeOffset.UtcNow;
                    inFlight.Add(PostAsync(http, body, ct));
                }
            }
            await Task.WhenAll(inFlight);
            return posted;
        }

        static async Task PostAsync(HttpClient http, string body, CancellationToken ct)
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("api/events", content, ct);
            if (!response.IsSuccessStatusCode)
                throw new BenchException($"posting events answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
        }

        string Batch(int events)
        {
            var now = DateTimeOffset.UtcNow;
            var json = new StringBuilder(events * 160).Append('[');
            for (var i = 0; i < events; i++)
            {
                if (i > 0) json.Append(',');
                var n = Interlocked.Increment(ref sequence);
                var call = $"c-{run}-{n / 4}";
                var queue = $"bench-q{n / 4 % queues}";
                var at = now.AddSeconds(-(n % 4) * 5);
                json.Append((n % 4) switch
                {
                    0 => Queued($"e-{run}-{n}", call, queue, at.AddSeconds(-20)),
                    1 => Event($"e-{run}-{n}", "call.answered", at.AddSeconds(-10), $"\"callId\":\"{call}\",\"agentId\":\"ag-{n % 500}\""),
                    2 => Event($"e-{run}-{n}", "call.completed", at, $"\"callId\":\"{call}\",\"resolution\":\"{(n % 40 == 2 ? "field_visit" : "resolved")}\""),
                    _ => Event($"e-{run}-{n}", "agent.status", at, $"\"agentId\":\"ag-{n % 500}\",\"status\":\"{(n % 8 == 3 ? "wrap_up" : "available")}\",\"queues\":[\"{queue}\"]"),
                });
            }
            return json.Append(']').ToString();
        }

        internal static string Queued(string id, string call, string queue, DateTimeOffset at) =>
            Event(id, "call.queued", at, $"\"callId\":\"{call}\",\"queue\":\"{queue}\"");

        internal static string Event(string id, string type, DateTimeOffset at, string fields) =>
            $"{{\"id\":\"{id}\",\"type\":\"{type}\",\"at\":\"{at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)}\",{fields}}}";
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
            var memoryBefore = await RedisMemoryAsync();
            Say($"(b) starting a service on it with empty live state; it rebuilds; its log: {logPath}");
            var clock = Stopwatch.StartNew();
            await using var service = await ServiceProcess.StartAsync(options.ServiceDll, databases.ConnectionStringOf(name),
                RandomNumberGenerator.GetHexString(48, lowercase: true), logPath, ct, ServiceEnvironment(prefix));
            await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisAddress);
            while (!await redis.GetDatabase().KeyExistsAsync($"{prefix}live:{{~}}:cursor"))
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new BenchException("live state was not rebuilt within 10 minutes");
                await Task.Delay(100, ct);
            }
            var untilLive = clock.Elapsed;
            var (entities, rebuildMs) = await RebuiltLineAsync(logPath);
            var memory = await RedisMemoryAsync() - memoryBefore;
            var result = new RebuildResult(options.WeekOperators, 7L * callsPerDay, entities, rebuildMs / 1000.0, untilLive.TotalSeconds,
                memory / 1024.0 / 1024.0, service.PeakMemoryBytes / 1024.0 / 1024.0);
            Console.Error.WriteLine($"    {result}");
            return result;
        }
        finally
        {
            if (!options.KeepWeek) await databases.DropAsync(name, CancellationToken.None);
            await DeleteKeysAsync(prefix);
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

    static async Task<long> RedisMemoryAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(RedisAddress + ",allowAdmin=true");
        var info = await redis.GetServer(redis.GetEndPoints()[0]).InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }

    internal static void Say(string message) =>
        Console.Error.WriteLine(Console.IsErrorRedirected ? $"==> {message}" : $"\u001b[1m==> {message}\u001b[0m");
}

internal sealed record FreshnessResult(
    int Clients, long EventsPosted, double Seconds, double EventsPerSecond, int Probes, long Observations,
    double P50Ms, double P99Ms, double MaxMs, double ToSnapshotP50Ms, double ToSnapshotP99Ms, long ProbesMissed, long PushesLost, long PushesReceived, double ServiceCpuCores, double ServicePeakMiB)
{
    public override string ToString() =>
        $"{EventsPosted:N0} events in {Seconds:F1} s ({EventsPerSecond:N0}/s); {Probes} probes × {Clients} wallboards: " +
        $"p50 {P50Ms:F0} ms, p99 {P99Ms:F0} ms, max {MaxMs:F0} ms (post → snapshot read p50 {ToSnapshotP50Ms:F0}, p99 {ToSnapshotP99Ms:F0} ms); {ProbesMissed} probe sightings missed, {PushesLost} pushes lost of {PushesReceived:N0}; " +
        $"service {ServiceCpuCores:F2} cores, peak {ServicePeakMiB:F0} MiB";
}

internal sealed record RebuildResult(int Operators, long CallsInWeek, long Entities, double RebuildSeconds, double StartToLiveSeconds, double RedisMiB, double ServicePeakMiB)
{
    public override string ToString() =>
        $"{CallsInWeek:N0} calls in the week; {Entities:N0} live entities rebuilt in {RebuildSeconds:F1} s ({StartToLiveSeconds:F1} s from process start); " +
        $"Redis +{RedisMiB:F0} MiB; service peak {ServicePeakMiB:F0} MiB";
}

internal sealed record LiveReport(LiveBench.Options Options, FreshnessResult? Freshness, RebuildResult? Rebuild)
{
    public string Table()
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | measured | SPEC §7 |");
        text.AppendLine("|---|---|---|");
        if (Freshness is { } f) Rows(text, f);
        if (Rebuild is { } r)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| live state rebuilt, week of {r.Operators:N0} operators ({r.CallsInWeek:N0} calls) | {r.RebuildSeconds:F1} s ({r.Entities:N0} entities; {r.StartToLiveSeconds:F1} s from start) | ≤ 60 s |");
            text.AppendLine(CultureInfo.InvariantCulture, $"| Redis memory for that live state | {r.RedisMiB:F0} MiB | |");
        }
        return text.ToString();
    }

    static void Rows(StringBuilder text, FreshnessResult f)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"| event → wallboard, p50 / p99 / max ({f.Clients} wallboards, {f.EventsPerSecond:N0} events/s, {f.Seconds:F0} s) | {f.P50Ms:F0} / {f.P99Ms:F0} / {f.MaxMs:F0} ms | p99 ≤ 250 ms |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| pushes lost | {f.PushesLost} of {f.PushesReceived:N0} (probe sightings missed: {f.ProbesMissed}) | 0 |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| service CPU, peak memory | {f.ServiceCpuCores:F2} cores, {f.ServicePeakMiB:F0} MiB | |");
    }
}
