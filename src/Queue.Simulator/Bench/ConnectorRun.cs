using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Queue.Simulator.Bench;

/// <summary>What the connector printed at its end: lines read, events posted and what the service made of them.</summary>
internal sealed record ConnectorSummary(long Lines, long Events, long New, long Duplicates, long Refused, long Skipped)
{
    /// <summary>Reads the figures of the connector's summary (<c>lines read:   N</c>, …); a figure missing is -1.</summary>
    public static ConnectorSummary Parse(string text)
    {
        long Figure(string name) =>
            Regex.Match(text, $@"^\s*{Regex.Escape(name)}:\s+(\d+)\s*$", RegexOptions.Multiline) is { Success: true } m
                ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
                : -1;
        return new(Figure("lines read"), Figure("events posted"), Figure("new"), Figure("duplicates"), Figure("refused"), Figure("lines skipped"));
    }
}

/// <summary>One run of the connector as a process of its own, timed from its start to its exit.</summary>
internal sealed record ConnectorRun(TimeSpan Elapsed, double CpuSeconds, long PeakMemoryBytes, int ExitCode, string Output, ConnectorSummary Summary)
{
    // USER_HZ: the unit of /proc/[pid]/stat times.
    const double TicksPerSecond = 100;
    static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Runs <c>dotnet <paramref name="dll"/> <paramref name="args"/></c> with the service's address and key in its
    /// environment (QUEUE_URL, QUEUE_KEY, as an operator runs it) until it exits. Its CPU time and peak memory are read
    /// from /proc while it runs, a sample every 100 ms (the last one taken before it exits stands for the whole run:
    /// at most 100 ms of CPU go uncounted); <paramref name="tick"/> is told the time and the connector's CPU so far
    /// every <paramref name="every"/>. Its log goes to <paramref name="logPath"/>, its summary is answered.
    /// </summary>
    public static async Task<ConnectorRun> RunAsync(string dll, IEnumerable<string> args, Uri url, string key, string logPath,
        TimeSpan every, Action<TimeSpan, double> tick, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.GetFullPath(dll));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["QUEUE_URL"] = url.ToString();
        start.Environment["QUEUE_KEY"] = key;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new BenchException("could not start the connector");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var log = Task.Run(async () =>
        {
            await using var file = new StreamWriter(logPath);
            while (await process.StandardError.ReadLineAsync(ct) is { } line) await file.WriteLineAsync(line);
        }, ct);
        double cpu = 0;
        long peak = 0;
        var nextTick = every;
        try
        {
            while (!process.HasExited)
            {
                if (Sample(process.Id) is { } s) (cpu, peak) = (s.Cpu, Math.Max(peak, s.Peak));
                if (clock.Elapsed >= nextTick)
                {
                    tick(clock.Elapsed, cpu);
                    nextTick += every;
                }
                await Task.WhenAny(process.WaitForExitAsync(ct), Task.Delay(SampleEvery, ct));
            }
            await process.WaitForExitAsync(ct);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        var elapsed = clock.Elapsed;
        var text = await output;
        await log;
        return new ConnectorRun(elapsed, cpu, peak, process.ExitCode, text, ConnectorSummary.Parse(text));
    }

    /// <summary>The process's CPU seconds (user and system) and its peak resident memory so far; null once it is gone.</summary>
    static (double Cpu, long Peak)? Sample(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // "pid (comm) state …": fields are counted after comm's closing bracket; utime and stime are 11 and 12 there.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            long peak = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    peak = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            return (ticks / TicksPerSecond, peak);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
