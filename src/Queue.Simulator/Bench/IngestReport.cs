using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Queue.Simulator.Traffic;

namespace Queue.Simulator.Bench;

/// <summary>The figures of one <c>ops/bench ingest</c> run, as printed and as written to JSON.</summary>
internal sealed record IngestReport(
    DateTimeOffset StartedAt,
    IngestReport.MachineInfo Machine,
    IngestReport.StreamInfo Stream,
    IngestReport.BatchFigures Batches,
    IngestReport.BaselineFigures Baseline,
    double? Ratio,
    IngestReport.SingleFigures Single,
    IngestReport.TargetFigures Targets)
{
    public sealed record MachineInfo(int Cores, string Os, string Runtime, string Postgres);

    public sealed record StreamInfo(int Events, int Calls, int Operators, int Seed, DateTimeOffset? From, DateTimeOffset? To, string Summary);

    public sealed record CpuFigures(double ServiceSeconds, double PostgresSeconds, double BenchSeconds);

    public sealed record BatchFigures(int Events, int BatchSize, int Clients, double Seconds, double EventsPerSecond,
        double BatchP50Ms, double BatchP99Ms, double BatchMaxMs, long New, long Duplicates, int Failed, string? FirstFailure, CpuFigures Cpu,
        LiveFigures Live);

    /// <summary>How long after a phase's last answer live state held every event of it, and the CPU used meanwhile.</summary>
    public sealed record LiveFigures(double CaughtUpSeconds, CpuFigures Cpu);

    public sealed record BaselineFigures(int Rows, long Inserted, int RowsPerTransaction, int Connections, double Seconds, double RowsPerSecond,
        bool SameRowsAsService, CpuFigures Cpu);

    public sealed record SingleFigures(int Events, int Clients, double Seconds, double PerSecond,
        double P50Ms, double P95Ms, double P99Ms, double MaxMs, long New, int Failed, string? FirstFailure, CpuFigures Cpu, LiveFigures Live);

    public sealed record TargetFigures(double RatioAtLeast, bool RatioMet, double P99AtMostMs, bool P99Met);

    public bool AllTargetsMet => Targets.RatioMet && Targets.P99Met;

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file to read, never HTML
    };

    public static IngestReport Create(IngestBenchOptions options, DateTimeOffset startedAt, string postgres, StreamStats stream,
        TrafficOptions traffic, PostResult batches, CpuSeconds batchCpu, LiveCatchUp batchesLive, BaselineResult baseline, bool sameRows,
        PostResult single, CpuSeconds singleCpu, LiveCatchUp singleLive)
    {
        var batchOk = batches.Failed == 0 && batches.New == batches.Events;
        double? ratio = batchOk ? batches.EventsPerSecond / baseline.RowsPerSecond : null;
        var singleOk = single.Failed == 0;
        var p99 = Percentile(single.LatenciesMs, 0.99);
        return new IngestReport(
            startedAt,
            new MachineInfo(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, postgres),
            new StreamInfo(stream.Events, stream.Calls, traffic.Operators, traffic.Seed, stream.First, stream.Last, stream.ToString()),
            new BatchFigures(batches.Events, options.BatchSize, options.Clients, batches.Elapsed.TotalSeconds, batches.EventsPerSecond,
                Percentile(batches.LatenciesMs, 0.5), Percentile(batches.LatenciesMs, 0.99), batches.LatenciesMs.Max(),
                batches.New, batches.Duplicates, batches.Failed, batches.FirstFailure, Cpu(batchCpu), Live(batchesLive)),
            new BaselineFigures(baseline.Rows, baseline.Inserted, options.BatchSize, options.Clients, baseline.Elapsed.TotalSeconds,
                baseline.RowsPerSecond, sameRows, Cpu(baseline.Cpu)),
            ratio,
            new SingleFigures(single.Events, options.SingleClients, single.Elapsed.TotalSeconds, single.EventsPerSecond,
                Percentile(single.LatenciesMs, 0.5), Percentile(single.LatenciesMs, 0.95), p99, single.LatenciesMs.Max(),
                single.New, single.Failed, single.FirstFailure, Cpu(singleCpu), Live(singleLive)),
            new TargetFigures(IngestBenchOptions.RatioTarget, ratio >= IngestBenchOptions.RatioTarget,
                IngestBenchOptions.P99TargetMs, singleOk && p99 <= IngestBenchOptions.P99TargetMs));
    }

    public async Task WriteJsonAsync(string path, CancellationToken ct)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, Json, ct);
    }

    /// <summary>The summary printed at the end of a run.</summary>
    public string Table()
    {
        var s = new StringBuilder();
        void Line(string text) => s.AppendLine(text);
        string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        string F(double v, string format = "0.0") => v.ToString(format, CultureInfo.InvariantCulture);
        string Met(bool met) => met ? "met" : "NOT MET";

        Line($"Queue ingest benchmark, {StartedAt:yyyy-MM-dd HH:mm} UTC: {Machine.Cores} cores, {Machine.Runtime}, PostgreSQL {Machine.Postgres}");
        Line($"stream: {N(Stream.Events)} events of a simulated day ({N(Stream.Calls)} calls, {N(Stream.Operators)} operators, seed {Stream.Seed})");
        Line("");
        Line($"  {"",-52} {"events",9} {"seconds",8} {"events/s",10} {"p50 ms",8} {"p99 ms",8}");
        Line($"  {$"(a) service, {N(Batches.BatchSize)}-event batches, {Batches.Clients} clients",-52} {N(Batches.Events),9} {F(Batches.Seconds, "0.00"),8} {N(Batches.EventsPerSecond),10} {F(Batches.BatchP50Ms),8} {F(Batches.BatchP99Ms),8}");
        Line($"  {$"(b) PostgreSQL, {N(Baseline.RowsPerTransaction)} rows a transaction, {Baseline.Connections} conns",-52} {N(Baseline.Rows),9} {F(Baseline.Seconds, "0.00"),8} {N(Baseline.RowsPerSecond),10}");
        Line($"  {$"(c) service, single events, {Single.Clients} clients",-52} {N(Single.Events),9} {F(Single.Seconds, "0.00"),8} {N(Single.PerSecond),10} {F(Single.P50Ms),8} {F(Single.P99Ms),8}");
        Line($"      (c) p95 {F(Single.P95Ms)} ms, max {F(Single.MaxMs)} ms; (a) and (c) latencies are per request, to the whole answer");
        Line($"      live state held every event {F(Batches.Live.CaughtUpSeconds, "0.00")} s after (a)'s last answer, {F(Single.Live.CaughtUpSeconds, "0.00")} s after (c)'s");
        Line("");
        Line($"  ratio a/b     {(Ratio is { } r ? F(r, "0.000") : "—"),8}   SPEC §7 target ≥ {F(Targets.RatioAtLeast, "0.0#")}:  {Met(Targets.RatioMet)}");
        Line($"  (c) p99 ms    {F(Single.P99Ms),8}   SPEC §7 target ≤ {F(Targets.P99AtMostMs, "0")}:   {Met(Targets.P99Met)}");
        if (Batches.Failed > 0 || Batches.New != Batches.Events)
            Line($"  (a) is not valid: {Batches.Failed} failed batch(es), {N(Batches.New)} of {N(Batches.Events)} events new; first failure: {Batches.FirstFailure}");
        if (Single.Failed > 0) Line($"  (c) had {Single.Failed} failed post(s); first failure: {Single.FirstFailure}");
        if (!Baseline.SameRowsAsService) Line("  warning: the baseline's rows differ from the service's events (see the run's output)");
        if (Baseline.Inserted != Baseline.Rows) Line($"  warning: the baseline inserted {N(Baseline.Inserted)} of {N(Baseline.Rows)} rows");
        Line("");
        Line($"  CPU seconds     {"service",9} {"PostgreSQL",11} {"bench",7}   ({Machine.Cores} cores × {F(Batches.Seconds, "0.0")} s = {F(Machine.Cores * Batches.Seconds, "0")} s of CPU during (a))");
        Line($"  (a)             {F(Batches.Cpu.ServiceSeconds),9} {F(Batches.Cpu.PostgresSeconds),11} {F(Batches.Cpu.BenchSeconds),7}");
        Line($"  (a) live after  {F(Batches.Live.Cpu.ServiceSeconds),9} {F(Batches.Live.Cpu.PostgresSeconds),11} {F(Batches.Live.Cpu.BenchSeconds),7}   (live state catching up with (a) after its last answer)");
        Line($"  (b)             {F(Baseline.Cpu.ServiceSeconds),9} {F(Baseline.Cpu.PostgresSeconds),11} {F(Baseline.Cpu.BenchSeconds),7}");
        Line($"  (c)             {F(Single.Cpu.ServiceSeconds),9} {F(Single.Cpu.PostgresSeconds),11} {F(Single.Cpu.BenchSeconds),7}");
        return s.ToString().TrimEnd();
    }

    static LiveFigures Live(LiveCatchUp l) => new(Math.Round(l.Took.TotalSeconds, 3), Cpu(l.Cpu));

    static CpuFigures Cpu(CpuSeconds c) => new(Math.Round(c.Service, 2), Math.Round(c.Postgres, 2), Math.Round(c.Bench, 2));

    /// <summary>Nearest-rank percentile: the smallest value with at least the share <paramref name="q"/> at or below it.</summary>
    static double Percentile(double[] values, double q)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)], 2);
    }
}
