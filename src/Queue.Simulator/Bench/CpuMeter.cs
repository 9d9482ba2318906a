using System.Diagnostics;
using System.Globalization;

namespace Queue.Simulator.Bench;

/// <summary>CPU seconds used by the service, PostgreSQL (all of its processes) and the benchmark itself.</summary>
internal sealed record CpuSeconds(double Service, double Postgres, double Bench)
{
    public static CpuSeconds operator -(CpuSeconds a, CpuSeconds b) =>
        new(a.Service - b.Service, a.Postgres - b.Postgres, a.Bench - b.Bench);
}

/// <summary>
/// Reads CPU time where this machine exposes it: on a 2-core box the three share two cores, and where the time
/// goes says what limits a rate. PostgreSQL's share is read from /proc (Linux), summed over its processes.
/// </summary>
internal sealed class CpuMeter(ServiceProcess service)
{
    // USER_HZ: the unit of /proc/[pid]/stat times, 100 on every Linux this runs on.
    const double TicksPerSecond = 100;

    public CpuSeconds Read() => new(
        service.CpuTime.TotalSeconds,
        PostgresSeconds(),
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);

    static double PostgresSeconds()
    {
        if (!Directory.Exists("/proc")) return double.NaN;
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0])) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // the process ended meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // "pid (comm) state ppid …": comm may hold spaces, so fields are counted after its closing bracket.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || stat[(open + 1)..close] != "postgres") continue;
            var fields = stat[(close + 2)..].Split(' ');
            // After comm: state(0) … utime is field 14 of the whole line, stime 15, i.e. 11 and 12 here.
            ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        return ticks / TicksPerSecond;
    }
}
