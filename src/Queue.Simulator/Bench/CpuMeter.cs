using System.Diagnostics;
using System.Globalization;

namespace Queue.Simulator.Bench;

/// <summary>CPU seconds used by the service, PostgreSQL (for this run's databases) and the benchmark itself.</summary>
internal sealed record CpuSeconds(double Service, double Postgres, double Bench);

/// <summary>
/// Reads CPU time where this machine exposes it: on a 2-core box the three share two cores, and where the time
/// goes says what limits a rate. PostgreSQL's share is read from /proc (Linux): the backends serving this run's
/// databases and the cluster's own processes (WAL writer, checkpointer, …), not other users' sessions.
/// </summary>
internal sealed class CpuMeter(ServiceProcess service, IReadOnlyList<string> databases)
{
    // USER_HZ: the unit of /proc/[pid]/stat times, 100 on every Linux this runs on.
    const double TicksPerSecond = 100;

    public Sample Read() => new(service.CpuTime.TotalSeconds, PostgresTicks(), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);

    /// <summary>What was used between two samples. A backend that ended in between takes its time with it
    /// (it is counted as nothing rather than subtracted).</summary>
    public static CpuSeconds Between(Sample from, Sample to)
    {
        long ticks = 0;
        foreach (var (pid, now) in to.Postgres) ticks += now - from.Postgres.GetValueOrDefault(pid);
        return new CpuSeconds(to.Service - from.Service, ticks / TicksPerSecond, to.Bench - from.Bench);
    }

    public sealed record Sample(double Service, Dictionary<int, long> Postgres, double Bench);

    Dictionary<int, long> PostgresTicks()
    {
        var ticks = new Dictionary<int, long>();
        if (!Directory.Exists("/proc")) return ticks;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // "pid (comm) state ppid …": comm may hold spaces, so fields are counted after its closing bracket.
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (open < 0 || close < open || stat[(open + 1)..close] != "postgres") continue;
                if (!Counts(File.ReadAllText(Path.Combine(dir, "cmdline")))) continue;
                var fields = stat[(close + 2)..].Split(' ');
                // utime and stime are fields 14 and 15 of the line: 11 and 12 after comm.
                ticks[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the process ended meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                // not ours to read
            }
        }
        return ticks;
    }

    // A backend's title is "postgres: <cluster>: <user> <database> <client>(<port>) <state>"; an auxiliary
    // process's has no client ("postgres: 15/main: walwriter").
    bool Counts(string cmdline)
    {
        var isBackend = cmdline.Contains('(', StringComparison.Ordinal) || cmdline.Contains("[local]", StringComparison.Ordinal);
        return !isBackend || databases.Any(d => cmdline.Contains($" {d} ", StringComparison.Ordinal));
    }
}
