using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Queue.Simulator.Bench;

/// <summary>The figures of one <c>ops/bench connect</c> run, as printed and as written to JSON.</summary>
internal sealed record ConnectReport(
    DateTimeOffset StartedAt,
    ConnectReport.MachineInfo Machine,
    ConnectReport.LogFigures Log,
    ConnectReport.ImportFigures Import,
    ConnectReport.BatchFigures BatchesBefore,
    ConnectReport.BatchFigures BatchesAfter,
    double RatioBefore,
    double RatioAfter,
    string Limit)
{
    public sealed record MachineInfo(int Cores, string Os, string Runtime, string Postgres);

    /// <summary>The queue_log imported; <paramref name="Lines"/> is -1 where a kept one was used again.</summary>
    public sealed record LogFigures(int Days, int Operators, int Seed, long Lines, long Bytes, double WriteSeconds, bool Reused);

    /// <summary>CPU seconds over a phase, and as cores (seconds ÷ the phase's length).</summary>
    public sealed record CpuFigures(double ConnectorSeconds, double ServiceSeconds, double PostgresSeconds,
        double ConnectorCores, double ServiceCores, double PostgresCores);

    public sealed record ImportFigures(long Lines, long Events, long New, long Duplicates, long Refused, long LinesSkipped,
        double Seconds, double LinesPerSecond, double EventsPerSecond, CpuFigures Cpu, double ConnectorPeakMiB, double ServicePeakMiB);

    public sealed record BatchFigures(int Events, int BatchSize, int Clients, double Seconds, double EventsPerSecond,
        double BatchP50Ms, double BatchP99Ms, long New, int Failed, CpuFigures Cpu);

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file to read, never HTML
    };

    public static ConnectReport Create(ConnectBenchOptions options, DateTimeOffset startedAt, string postgres, LogFigures log,
        ConnectorRun run, CpuSeconds importCpu, long servicePeak, (PostResult Result, CpuSeconds Cpu) before, (PostResult Result, CpuSeconds Cpu) after)
    {
        var s = run.Summary;
        var seconds = run.Elapsed.TotalSeconds;
        var cpu = Cpu(run.CpuSeconds, importCpu, seconds);
        var import = new ImportFigures(s.Lines, s.Events, s.New, s.Duplicates, s.Refused, s.Skipped, seconds, s.Lines / seconds, s.Events / seconds,
            cpu, run.PeakMemoryBytes / 1048576.0, servicePeak / 1048576.0);
        var a = Batches(options, before);
        var b = Batches(options, after);
        return new ConnectReport(startedAt,
            new MachineInfo(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, postgres),
            log with { Lines = log.Lines < 0 ? s.Lines : log.Lines }, import, a, b,
            import.EventsPerSecond / a.EventsPerSecond, import.EventsPerSecond / b.EventsPerSecond, Judge(import, Environment.ProcessorCount));
    }

    /// <summary>
    /// Which side held the import back. The connector reads, maps and posts on one thread, one batch at a time; the
    /// service and PostgreSQL share the machine's cores with it.
    /// </summary>
    static string Judge(ImportFigures import, int cores)
    {
        var c = import.Cpu;
        var total = c.ConnectorCores + c.ServiceCores + c.PostgresCores;
        string F(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        if (c.ConnectorCores >= 0.85)
            return $"the connector: it kept one core busy ({F(c.ConnectorCores)} cores) reading, mapping and posting on its one thread";
        if (total >= 0.85 * cores)
            return $"the machine: connector, service and PostgreSQL together used {F(total)} of {cores} cores " +
                $"(connector {F(c.ConnectorCores)}, service {F(c.ServiceCores)}, PostgreSQL {F(c.PostgresCores)})";
        return $"waiting: {F(total)} of {cores} cores used (connector {F(c.ConnectorCores)}, service {F(c.ServiceCores)}, " +
            $"PostgreSQL {F(c.PostgresCores)}); with one batch in flight at a time, each side waits while the other works";
    }

    static BatchFigures Batches(ConnectBenchOptions options, (PostResult Result, CpuSeconds Cpu) phase)
    {
        var r = phase.Result;
        var seconds = r.Elapsed.TotalSeconds;
        return new BatchFigures(r.Events, options.BatchSize, options.Clients, seconds, r.EventsPerSecond,
            Percentile(r.LatenciesMs, 0.5), Percentile(r.LatenciesMs, 0.99), r.New, r.Failed, Cpu(0, phase.Cpu, seconds));
    }

    static CpuFigures Cpu(double connector, CpuSeconds c, double seconds) =>
        new(Math.Round(connector, 2), Math.Round(c.Service, 2), Math.Round(c.Postgres, 2),
            Math.Round(connector / seconds, 3), Math.Round(c.Service / seconds, 3), Math.Round(c.Postgres / seconds, 3));

    public string Json() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>The summary printed at the end of a run.</summary>
    public string Table()
    {
        var s = new StringBuilder();
        void Line(string text) => s.AppendLine(text);
        string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        string F(double v, string format = "0.0") => v.ToString(format, CultureInfo.InvariantCulture);
        var i = Import;
        var c = i.Cpu;

        Line($"Queue connector benchmark, {StartedAt:yyyy-MM-dd HH:mm} UTC: {Machine.Cores} cores, {Machine.Runtime}, PostgreSQL {Machine.Postgres}");
        Line($"queue_log: {Log.Days} days of a {N(Log.Operators)}-operator center, {N(Log.Lines)} lines, {F(Log.Bytes / 1e6, "N0")} MB" +
            (Log.Reused ? " (kept from an earlier run)" : $", written in {F(Log.WriteSeconds)} s"));
        Line("");
        Line($"  import, end to end (Queue.Connect asterisk --queue-log, one process; 5,000-event batches, one at a time)");
        Line($"    {N(i.Lines)} lines → {N(i.Events)} events ({N(i.New)} new, {N(i.Duplicates)} duplicates, {N(i.Refused)} refused; {N(i.LinesSkipped)} lines skipped) in {F(i.Seconds)} s");
        Line($"    {N(i.LinesPerSecond)} lines/s, {N(i.EventsPerSecond)} events/s");
        Line($"    CPU: connector {F(c.ConnectorSeconds)} s ({F(c.ConnectorCores, "0.00")} cores), service {F(c.ServiceSeconds)} s ({F(c.ServiceCores, "0.00")} cores), PostgreSQL {F(c.PostgresSeconds)} s ({F(c.PostgresCores, "0.00")} cores) of {Machine.Cores}");
        Line($"    CPU per item: connector {F(1e6 * c.ConnectorSeconds / i.Lines, "0.0")} µs a line; service {F(1e6 * c.ServiceSeconds / i.Events, "0.0")} µs and PostgreSQL {F(1e6 * c.PostgresSeconds / i.Events, "0.0")} µs an event");
        Line($"    peak memory: connector {F(i.ConnectorPeakMiB, "0")} MiB, service {F(i.ServicePeakMiB, "0")} MiB");
        Line("");
        Line($"  service batch rate, as ops/bench ingest (a): {N(BatchesBefore.BatchSize)}-event batches from {BatchesBefore.Clients} clients");
        foreach (var (name, b) in new[] { ("before the import (empty database)", BatchesBefore), ("after the import", BatchesAfter) })
            Line($"    {name,-36} {N(b.Events),9} events {F(b.Seconds, "0.00"),7} s {N(b.EventsPerSecond),8} events/s  p50 {F(b.BatchP50Ms)} ms, p99 {F(b.BatchP99Ms)} ms; CPU service {F(b.Cpu.ServiceCores, "0.00")}, PostgreSQL {F(b.Cpu.PostgresCores, "0.00")} cores" +
                (b.Failed > 0 || b.New != b.Events ? $"  NOT VALID: {b.Failed} failed, {N(b.New)} new" : ""));
        Line("");
        Line($"  ratio connector events/s ÷ service batch events/s: {F(RatioBefore, "0.00")} (before), {F(RatioAfter, "0.00")} (after)");
        Line($"  what held the import back: {Limit}");
        return s.ToString().TrimEnd();
    }

    /// <summary>Nearest-rank percentile.</summary>
    static double Percentile(double[] values, double q)
    {
        if (values.Length == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        return Math.Round(sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)], 2);
    }
}
