using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Queue.Ingest;
using Queue.Simulator.Traffic;
using static Queue.Simulator.Bench.BenchRun;

namespace Queue.Simulator.Bench;

/// <summary>
/// <c>ops/bench ingest</c>: SPEC §7's ingest figures in one run. (a) the service taking batches from concurrent
/// clients, (b) PostgreSQL committing the same rows through its fastest plain path, their ratio, and (c)
/// single-event posts from many clients with their latency.
/// </summary>
internal static class IngestBench
{
    public static async Task<int> RunAsync(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(IngestBenchOptions.Usage);
            return 0;
        }
        var options = IngestBenchOptions.From(args);

        return await BenchRun.RunAsync("ingest", async ct =>
        {
            var report = await RunAsync(options, ct);
            return options.Strict && !report.AllTargetsMet ? 1 : 0;
        });
    }

    static async Task<IngestReport> RunAsync(IngestBenchOptions options, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var stamp = BenchRun.Stamp(startedAt);
        var databases = BenchDatabases.FromEnvironment();
        var callerHashSecret = RandomNumberGenerator.GetHexString(48, lowercase: true);

        // The stream: warm-up batches, measured batches, then fresh events for the single posts, in time order.
        var warmEvents = options.WarmupBatches * options.BatchSize;
        var needed = warmEvents + options.Events + options.SingleWarmup + options.Single;
        Say($"simulating a center's day: {needed:N0} events (seed {options.Seed})");
        var (events, traffic) = Stream(options.Seed, needed);
        var stats = new StreamStats();
        foreach (var e in events) stats.Add(e);
        Console.Error.WriteLine("    " + stats.ToString().Replace("\n", "\n    ", StringComparison.Ordinal));
        var wire = events.Select(WireJson.Serialize).ToArray();

        var warmBatches = Batches(wire, 0, warmEvents, options.BatchSize);
        var measuredBatches = Batches(wire, warmEvents, options.Events, options.BatchSize);
        var singleFrom = warmEvents + options.Events;
        var singleWarm = wire[singleFrom..(singleFrom + options.SingleWarmup)];
        var single = wire[(singleFrom + options.SingleWarmup)..];

        Say("building the baseline's rows with the service's own parser and stored form");
        var warmRows = PostgresBaseline.Rows([.. warmBatches.Select(b => b.Body)], callerHashSecret);
        var measuredRows = PostgresBaseline.Rows([.. measuredBatches.Select(b => b.Body)], callerHashSecret);

        // Live state of this run's own, from nothing: under the default prefix the service would follow from another
        // run's cursor into another run's entities (or stop, finding a newer layout), and write over a service running here.
        var prefix = $"bench{System.Environment.ProcessId}i:";
        var pgVersion = await databases.ServerVersionAsync(ct);
        await databases.DropAbandonedAsync(ct);
        Say($"creating databases {databases.Service} and {databases.Baseline} (PostgreSQL {pgVersion})");
        await databases.RecreateAsync(databases.Service, ct);
        await databases.RecreateAsync(databases.Baseline, ct);
        try
        {
            Directory.CreateDirectory(options.OutputDirectory);
            var logPath = Path.Combine(options.OutputDirectory, $"ingest-{stamp}-service.log");
            Say($"starting the service ({options.ServiceDll}); its log: {logPath}");
            await using var service = await ServiceProcess.StartAsync(options.ServiceDll, databases.ServiceConnectionString(),
                callerHashSecret, logPath, ct, BenchRedis.ServiceEnvironment(prefix));
            var key = await service.CreateKeyAsync("bench", "ingest", ct);
            using var load = new HttpLoad(service.Address, key);
            var cpu = new CpuMeter(service, [databases.Service, databases.Baseline]);

            // Live state follows the log in the service's own process. Each phase starts once it holds every event posted
            // before, so that no phase is measured while the service still projects the one before it; how long that took
            // after the phase's last answer, and the CPU it took, are figures of their own.
            await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(BenchRedis.Address);
            async Task<LiveCatchUp> LiveCaughtUpAsync()
            {
                var before = cpu.Read();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                await BenchRedis.WaitForCursorAsync(redis, prefix, await databases.LastEventAsync(databases.Service, ct), ct);
                var caughtUp = new LiveCatchUp(clock.Elapsed, CpuMeter.Between(before, cpu.Read()));
                Console.Error.WriteLine($"    live state held every event {caughtUp.Took.TotalSeconds:0.00} s later");
                return caughtUp;
            }

            // (a)
            Say($"(a) service: {options.Events:N0} events in {options.BatchSize:N0}-event batches from {options.Clients} clients");
            var (batches, batchCpu) = await BatchesAsync(load, cpu, warmBatches, measuredBatches, options.Clients, ct, LiveCaughtUpAsync);
            var batchesLive = await LiveCaughtUpAsync();

            // (b)
            Say($"(b) PostgreSQL: the same {options.Events:N0} rows, prepared {options.BatchSize:N0}-row INSERT … ON CONFLICT DO NOTHING over {options.Clients} connections");
            BaselineResult baseline;
            await using (var pg = await PostgresBaseline.OpenAsync(databases.ConnectionString(databases.Baseline), options.Clients, options.BatchSize, ct))
            {
                await pg.InsertAsync(warmRows, ct);
                var cpuBefore = cpu.Read();
                var (elapsed, inserted) = await pg.InsertAsync(measuredRows, ct);
                baseline = new BaselineResult(measuredRows.Sum(r => r.Length), inserted, elapsed, CpuMeter.Between(cpuBefore, cpu.Read()));
            }
            Console.Error.WriteLine($"    {baseline.Rows:N0} rows in {baseline.Elapsed.TotalSeconds:0.00} s: {baseline.RowsPerSecond:N0} rows/s");

            var serviceRows = await databases.EventChecksumAsync(databases.Service, ct);
            var baselineRows = await databases.EventChecksumAsync(databases.Baseline, ct);
            var identical = serviceRows == baselineRows;
            Console.Error.WriteLine(identical
                ? $"    same rows in both: {serviceRows.Rows:N0} (id, type, at, entity, body), checksums equal"
                : $"    the rows differ: service {serviceRows}, baseline {baselineRows}");

            // (c)
            Say($"(c) service: {options.Single:N0} single-event posts from {options.SingleClients} clients");
            await Expect(load.PostAsync(singleWarm, [.. singleWarm.Select(_ => 1)], options.SingleClients, ct), "warm-up posts");
            await LiveCaughtUpAsync();
            var singleBefore = cpu.Read();
            var singles = await load.PostAsync(single, [.. single.Select(_ => 1)], options.SingleClients, ct);
            var singleCpu = CpuMeter.Between(singleBefore, cpu.Read());
            Report("    ", singles);
            var singlesLive = await LiveCaughtUpAsync();

            var report = IngestReport.Create(options, startedAt, pgVersion, stats, traffic, batches, batchCpu, batchesLive, baseline, identical,
                singles, singleCpu, singlesLive);
            var jsonPath = Path.Combine(options.OutputDirectory, $"ingest-{stamp}.json");
            await report.WriteJsonAsync(jsonPath, ct);
            Console.WriteLine();
            Console.WriteLine(report.Table());
            Console.WriteLine($"figures: {jsonPath}");
            return report;
        }
        finally
        {
            if (options.KeepDatabases) Console.Error.WriteLine($"kept databases {databases.Service} and {databases.Baseline}");
            else
            {
                // The service is gone by now (disposed above); drop what this run made.
                await databases.DropAsync(databases.Service, CancellationToken.None);
                await databases.DropAsync(databases.Baseline, CancellationToken.None);
            }
            await BenchRedis.DeleteKeysAsync(prefix);
        }
    }

    /// <summary>(a): the warm-up batches posted, then the measured ones timed, with the CPU each side used meanwhile.</summary>
    internal static async Task<(PostResult Result, CpuSeconds Cpu)> BatchesAsync(HttpLoad load, CpuMeter cpu,
        List<(byte[] Body, int Count)> warm, List<(byte[] Body, int Count)> measured, int clients, CancellationToken ct,
        Func<Task>? afterWarmup = null)
    {
        await Expect(load.PostAsync([.. warm.Select(b => b.Body)], [.. warm.Select(b => b.Count)], clients, ct), "warm-up batches");
        if (afterWarmup is not null) await afterWarmup();
        var before = cpu.Read();
        var result = await load.PostAsync([.. measured.Select(b => b.Body)], [.. measured.Select(b => b.Count)], clients, ct);
        var used = CpuMeter.Between(before, cpu.Read());
        Report("    ", result);
        return (result, used);
    }

    /// <summary>
    /// A day of a center sized so that the day holds the events needed: operators × ~100 calls × ~6 events a call.
    /// The day ends now, so every event is inside the service's acceptance window; the first events are taken.
    /// </summary>
    internal static (List<EventDocs.Event> Events, TrafficOptions Traffic) Stream(int seed, int needed)
    {
        var end = DateTimeOffset.UtcNow;
        var operators = (int)Math.Ceiling(needed / 600.0 * 1.05);
        for (var attempt = 0; ; attempt++)
        {
            var traffic = new TrafficOptions { Seed = seed, Operators = operators, IdPrefix = $"bench{seed}" };
            var events = new TrafficGenerator(traffic).Run(end.AddDays(-1), end).Take(needed).ToList();
            if (events.Count == needed) return (events, traffic);
            if (attempt == 3) throw new BenchException($"the simulated day has {events.Count:N0} events, not {needed:N0}");
            operators = (int)Math.Ceiling(operators * (needed / (double)Math.Max(events.Count, 1)) * 1.05);
        }
    }

    internal static List<(byte[] Body, int Count)> Batches(byte[][] events, int from, int count, int size)
    {
        var batches = new List<(byte[], int)>();
        for (var at = from; at < from + count; at += size)
        {
            var n = Math.Min(size, from + count - at);
            batches.Add((WireJson.Array(events[at..(at + n)]), n));
        }
        return batches;
    }

    static async Task Expect(Task<PostResult> warmup, string what)
    {
        var result = await warmup;
        if (result.Failed > 0) throw new BenchException($"{what}: {result.Failed} request(s) failed, e.g. {result.FirstFailure}");
    }

    internal static void Report(string indent, PostResult r)
    {
        Console.Error.WriteLine($"{indent}{r.Events:N0} events in {r.Elapsed.TotalSeconds:0.00} s: {r.EventsPerSecond:N0} events/s; " +
            $"{r.New:N0} new, {r.Duplicates:N0} duplicates, {r.Failed} failed");
        if (r.FirstFailure is not null) Console.Error.WriteLine($"{indent}first failure: {r.FirstFailure}");
    }
}

/// <summary>How long live state took, after a phase's last answer, to hold every event of it; and the CPU used meanwhile.</summary>
internal sealed record LiveCatchUp(TimeSpan Took, CpuSeconds Cpu);

internal sealed record BaselineResult(int Rows, long Inserted, TimeSpan Elapsed, CpuSeconds Cpu)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
}
