using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Queue.Simulator.QueueLog;
using Queue.Simulator.Traffic;
using static Queue.Simulator.Bench.BenchRun;
using static Queue.Simulator.Bench.IngestBench;

namespace Queue.Simulator.Bench;

/// <summary>
/// <c>ops/bench connect</c>: a generated month of a center's Asterisk queue_log imported end to end by the connector,
/// as a center loading its history would, against the service's own batch rate measured in the same run.
/// </summary>
internal static class ConnectBench
{
    static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(30);
    static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(ConnectBenchOptions.Usage);
            return 0;
        }
        var options = ConnectBenchOptions.From(args);
        return await BenchRun.RunAsync("connect", async ct =>
        {
            await MeasureAsync(options, ct);
            return 0;
        });
    }

    static async Task<ConnectReport> MeasureAsync(ConnectBenchOptions options, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var stamp = BenchRun.Stamp(startedAt);
        var output = options.OutputDirectory;
        Directory.CreateDirectory(output);
        var logPath = Path.Combine(output, options.KeepLog
            ? FormattableString.Invariant($"connect-{options.Days}d-{options.Operators}.queue_log")
            : $"connect-{stamp}.queue_log");
        var rejectPath = logPath + ".queue-connect.rejects.jsonl";

        var log = options.KeepLog && File.Exists(logPath)
            ? new ConnectReport.LogFigures(options.Days, options.Operators, options.Seed, -1, new FileInfo(logPath).Length, 0, Reused: true)
            : WriteLog(logPath, options);
        if (log.Reused) Say($"using the queue_log kept in {logPath} ({log.Bytes / 1e6:N0} MB)");

        // Two slices of a simulated day for the batch rate, before and after the import: each its own events.
        var warm = options.WarmupBatches * options.BatchSize;
        var slice = warm + options.Events;
        Say($"simulating a center's day for the service's batch rate: {2 * slice:N0} events");
        var (events, _) = Stream(options.Seed, 2 * slice);
        var wire = events.Select(WireJson.Serialize).ToArray();
        events.Clear();

        var databases = BenchDatabases.FromEnvironment();
        var prefix = $"bench{Environment.ProcessId}c:";
        var pgVersion = await databases.ServerVersionAsync(ct);
        await databases.DropAbandonedAsync(ct);
        Say($"creating database {databases.Service} (PostgreSQL {pgVersion})");
        await databases.RecreateAsync(databases.Service, ct);
        try
        {
            var serviceLog = Path.Combine(output, $"connect-{stamp}-service.log");
            Say($"starting the service ({options.ServiceDll}); its log: {serviceLog}");
            await using var service = await ServiceProcess.StartAsync(options.ServiceDll, databases.ServiceConnectionString(),
                RandomNumberGenerator.GetHexString(48, lowercase: true), serviceLog, ct, BenchRedis.ServiceEnvironment(prefix));
            var ingestKey = await service.CreateKeyAsync("bench", "ingest", ct);
            var importKey = await service.CreateKeyAsync("bench connector", "import", ct);
            using var load = new HttpLoad(service.Address, ingestKey);
            var cpu = new CpuMeter(service, [databases.Service]);

            Say($"(a) service, before the import: {options.Events:N0} events in {options.BatchSize:N0}-event batches from {options.Clients} clients");
            var before = await BatchesAsync(load, cpu, Batches(wire, 0, warm, options.BatchSize),
                Batches(wire, warm, options.Events, options.BatchSize), options.Clients, ct);

            var connectLog = Path.Combine(output, $"connect-{stamp}-connector.log");
            Say($"importing the queue_log: {options.ConnectorDll} asterisk --queue-log {logPath} (an import key); its log: {connectLog}");
            // PostgreSQL's backends come and go over a long run (the pool closes idle ones), and a backend's time leaves with
            // it: its CPU is summed over short intervals rather than read once at each end.
            var used = new CpuSeconds(0, 0, 0);
            var last = (At: TimeSpan.Zero, Sample: cpu.Read());
            var shown = (At: TimeSpan.Zero, Used: used, Connector: 0.0);
            void Sample(TimeSpan at, double connector)
            {
                var now = cpu.Read();
                var step = CpuMeter.Between(last.Sample, now);
                used = new CpuSeconds(used.Service + step.Service, used.Postgres + step.Postgres, used.Bench + step.Bench);
                last = (at, now);
                if (at - shown.At < ProgressEvery) return;
                var seconds = (at - shown.At).TotalSeconds;
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    {at.TotalSeconds,5:0} s: cores used over the last {seconds:0} s: connector {(connector - shown.Connector) / seconds:0.00}, service {(used.Service - shown.Used.Service) / seconds:0.00}, PostgreSQL {(used.Postgres - shown.Used.Postgres) / seconds:0.00}"));
                shown = (at, used, connector);
            }
            var run = await ConnectorRun.RunAsync(options.ConnectorDll, ["asterisk", "--queue-log", logPath, "--source", "bench"],
                service.Address, importKey, connectLog, SampleEvery, Sample, ct);
            Sample(run.Elapsed, run.CpuSeconds);
            var importCpu = used;
            if (run.ExitCode != 0) throw new BenchException($"the connector exited with {run.ExitCode}; see {connectLog}");
            Console.Error.WriteLine("    " + run.Output.TrimEnd().Replace("\n", "\n    ", StringComparison.Ordinal));
            var servicePeak = service.PeakMemoryBytes;

            Say($"(a) service, after the import: {options.Events:N0} events in {options.BatchSize:N0}-event batches from {options.Clients} clients");
            var after = await BatchesAsync(load, cpu, Batches(wire, slice, warm, options.BatchSize),
                Batches(wire, slice + warm, options.Events, options.BatchSize), options.Clients, ct);

            var report = ConnectReport.Create(options, startedAt, pgVersion, log, run, importCpu, servicePeak, before, after);
            await BenchRun.ReportAsync(output, $"connect-{stamp}.json", report.Json(), report.Table(), ct);
            return report;
        }
        finally
        {
            if (options.KeepDatabases) Console.Error.WriteLine($"kept database {databases.Service}");
            else await databases.DropAsync(databases.Service, CancellationToken.None);
            await BenchRedis.DeleteKeysAsync(prefix);
            if (!options.KeepLog) File.Delete(logPath);
            if (File.Exists(rejectPath) && new FileInfo(rejectPath).Length == 0) File.Delete(rejectPath);
        }
    }

    /// <summary>The center's last days as its Asterisk would have logged them, written as fast as they are made.</summary>
    static ConnectReport.LogFigures WriteLog(string path, ConnectBenchOptions options)
    {
        Say($"writing {options.Days} days of a {options.Operators:N0}-operator center as an Asterisk queue_log: {path}");
        var center = QueueLogCommand.Center(options.Operators, seed: options.Seed);
        var end = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        long lines;
        using (var file = new QueueLogFile(path))
        {
            using var e = AsteriskQueueLog.Write(DemoTraffic.Run(center, end.AddDays(-options.Days)), [.. center.Queues.Select(q => q.Name)]).GetEnumerator();
            file.WriteUntil(e, e.MoveNext(), end);
            lines = file.Lines;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var bytes = new FileInfo(path).Length;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    {lines:N0} lines, {bytes / 1e6:N0} MB in {seconds:0.0} s ({lines / seconds:N0} lines/s)"));
        return new ConnectReport.LogFigures(options.Days, options.Operators, options.Seed, lines, bytes, seconds, Reused: false);
    }
}
