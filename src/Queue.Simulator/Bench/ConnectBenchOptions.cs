namespace Queue.Simulator.Bench;

/// <summary>What <c>ops/bench connect</c> measures and with what.</summary>
internal sealed record ConnectBenchOptions
{
    const string DefaultConnectorDll = "src/Queue.Connect/bin/Release/net10.0/Queue.Connect.dll";

    public const string Usage = $$"""
        usage: ops/bench connect [options]

        A generated month of a 1,000-operator center as an Asterisk queue_log (the demo center's traffic, written by
        the simulator's queue_log writer), imported end to end by the connector (Queue.Connect asterisk --queue-log,
        a process of its own, with an import key) into the service (a child process on a fresh database): lines/s,
        events/s, and the CPU of the connector, the service and PostgreSQL while it runs. In the same run, the
        service's batch rate as ops/bench ingest (a) measures it — 1,000-event batches from 4 clients, on the empty
        database before the import and again after it — and the ratio of the connector's events/s to it, with which
        side held the import back. Figures go to --out as JSON.

          --days D            days of the queue_log (30)
          --operators N       operators of the center (1,000): ~100 calls each a day
          --seed N            seed of the traffic (1)
          --events N          events of each batch-rate measurement (200,000)
          --batch N           events per batch (1,000)
          --clients N         concurrent batch clients (4)
          --keep-log          keep the queue_log ({out}/connect-{days}d-{operators}.queue_log) and use it again next time
          --service PATH      the service's Queue.dll ({{ServiceProcess.DefaultDll}})
          --connector PATH    the connector's Queue.Connect.dll ({{DefaultConnectorDll}})
          --out DIR           where the figures, the logs and the queue_log go (artifacts/bench)
          --keep-databases    leave the service's database for inspection (the next run drops it)
        """;

    public int Days { get; init; } = 30;
    public int Operators { get; init; } = 1_000;
    public int Seed { get; init; } = 1;
    public int Events { get; init; } = 200_000;
    public int BatchSize { get; init; } = 1_000;
    public int Clients { get; init; } = 4;
    public bool KeepLog { get; init; }
    public string ServiceDll { get; init; } = ServiceProcess.DefaultDll;
    public string ConnectorDll { get; init; } = DefaultConnectorDll;
    public string OutputDirectory { get; init; } = "artifacts/bench";
    public bool KeepDatabases { get; init; }

    /// <summary>Batches posted before each batch-rate measurement, as ops/bench ingest does.</summary>
    public int WarmupBatches => 40;

    public static ConnectBenchOptions From(Args args)
    {
        var options = new ConnectBenchOptions
        {
            Days = args.Int("--days", 30),
            Operators = args.Int("--operators", 1_000),
            Seed = args.Int("--seed", 1, min: 0),
            Events = args.Int("--events", 200_000),
            BatchSize = args.Int("--batch", 1_000),
            Clients = args.Int("--clients", 4),
            KeepLog = args.Flag("--keep-log"),
            ServiceDll = args.String("--service", ServiceProcess.DefaultDll),
            ConnectorDll = args.String("--connector", DefaultConnectorDll),
            OutputDirectory = args.String("--out", "artifacts/bench"),
            KeepDatabases = args.Flag("--keep-databases"),
        };
        args.EnsureAllUsed();
        if (options.BatchSize > 5_000) throw new ArgumentException("--batch must be at most 5,000 (the service's batch limit)");
        if (!File.Exists(options.ServiceDll))
            throw new ArgumentException($"the service is not built at {options.ServiceDll} (build it Release, or pass --service)");
        if (!File.Exists(options.ConnectorDll))
            throw new ArgumentException($"the connector is not built at {options.ConnectorDll} (build src/Queue.Connect Release, or pass --connector)");
        return options;
    }
}
