namespace Queue.Simulator.Bench;

/// <summary>What <c>ops/bench ingest</c> measures and with what; defaults are SPEC §7's set-up.</summary>
internal sealed record IngestBenchOptions
{
    public const string Usage = $$"""
        usage: ops/bench ingest [options]

        Measures, in one run on this machine: (a) the service taking 1,000-event batches from 4 concurrent
        clients, (b) PostgreSQL committing the same rows through its fastest plain path (prepared multi-row
        INSERT … ON CONFLICT DO NOTHING, 1,000 rows a transaction, 4 connections), their ratio, and (c)
        single-event posts from 32 concurrent clients. SPEC §7 asks a/b ≥ 0.5 and a p99 ≤ 50 ms for (c).
        Each phase starts once the service's live state holds every event posted before it, so that none is
        measured while the service still projects the one before; how long that took is reported too.

        The service runs as a child process on a database of its own (queue_bench_<pid>); the baseline has
        another (queue_bench_<pid>_pg). Both are created for the run and dropped at its end.

          --events N          events posted in batches, and rows of the baseline (200,000)
          --batch N           events per batch and rows per baseline transaction (1,000)
          --clients N         concurrent batch clients and baseline connections (4)
          --single N          single-event posts (20,000)
          --single-clients N  concurrent single-event clients (32)
          --seed N            seed of the simulated traffic (1)
          --service PATH      the service's Queue.dll ({{ServiceProcess.DefaultDll}})
          --out DIR           where the JSON figures and the service log go (artifacts/bench)
          --keep-databases    leave both databases for inspection (the next run drops them)
          --strict            exit 1 when a SPEC target is missed (a completed run exits 0 otherwise)
        """;

    public int Events { get; init; } = 200_000;
    public int BatchSize { get; init; } = 1_000;
    public int Clients { get; init; } = 4;
    public int Single { get; init; } = 20_000;
    public int SingleClients { get; init; } = 32;
    public int Seed { get; init; } = 1;
    public string ServiceDll { get; init; } = ServiceProcess.DefaultDll;
    public string OutputDirectory { get; init; } = "artifacts/bench";
    public bool KeepDatabases { get; init; }
    public bool Strict { get; init; }

    /// <summary>
    /// Batches posted (and rows inserted) before the clock starts, so that neither side is timed cold: a few
    /// seconds of traffic, enough for the service's code to be compiled to its optimised tier (tiered JIT
    /// waits for a lull in compiling before it promotes), as it is in a service that has been up a while.
    /// </summary>
    public int WarmupBatches => 40;

    /// <summary>Single posts before the clock starts for (c).</summary>
    public int SingleWarmup => 1_000;

    public const double RatioTarget = 0.5;
    public const double P99TargetMs = 50;

    public static IngestBenchOptions From(Args args)
    {
        var options = new IngestBenchOptions
        {
            Events = args.Int("--events", 200_000),
            BatchSize = args.Int("--batch", 1_000),
            Clients = args.Int("--clients", 4),
            Single = args.Int("--single", 20_000),
            SingleClients = args.Int("--single-clients", 32),
            Seed = args.Int("--seed", 1, min: 0),
            ServiceDll = args.String("--service", ServiceProcess.DefaultDll),
            OutputDirectory = args.String("--out", "artifacts/bench"),
            KeepDatabases = args.Flag("--keep-databases"),
            Strict = args.Flag("--strict"),
        };
        args.EnsureAllUsed();
        // A prepared statement carries at most 65,535 parameters: five a row.
        if (options.BatchSize > 5_000) throw new ArgumentException("--batch must be at most 5,000 (the service's batch limit)");
        if (!File.Exists(options.ServiceDll))
            throw new ArgumentException($"the service is not built at {options.ServiceDll} (build it Release, or pass --service)");
        return options;
    }
}
