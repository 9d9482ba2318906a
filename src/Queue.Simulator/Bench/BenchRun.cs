using System.Globalization;
using System.Runtime.InteropServices;

namespace Queue.Simulator.Bench;

/// <summary>
/// How every benchmark runs: Ctrl-C or SIGTERM unwinds it (so the service child is killed and the bench databases
/// dropped) and exits 130; a <see cref="BenchException"/> is one line naming the benchmark, exit 1.
/// </summary>
internal static class BenchRun
{
    public static async Task<int> RunAsync(string name, Func<CancellationToken, Task<int>> run)
    {
        using var stop = new StopSignal(() => Console.Error.WriteLine("stopping…"));
        try
        {
            return await run(stop.Token);
        }
        catch (OperationCanceledException) when (stop.Stopped)
        {
            Console.Error.WriteLine("interrupted");
            return 130;
        }
        catch (BenchException ex)
        {
            Console.Error.WriteLine($"ops/bench {name}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The instant a run started, as it names its files.</summary>
    public static string Stamp(DateTimeOffset at) => at.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes the figures as JSON and prints their table; answers the file's path.</summary>
    public static async Task<string> ReportAsync(string output, string file, string json, string table, CancellationToken ct)
    {
        Directory.CreateDirectory(output);
        var path = Path.Combine(output, file);
        await File.WriteAllTextAsync(path, json, ct);
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"figures: {path}");
        return path;
    }

    /// <summary>A step of the run, on stderr: bold on a terminal.</summary>
    public static void Say(string message) =>
        Console.Error.WriteLine(Console.IsErrorRedirected ? $"==> {message}" : $"\u001b[1m==> {message}\u001b[0m");
}
