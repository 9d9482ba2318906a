using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Queue.Simulator.Bench;

/// <summary>
/// The bench's side of <see cref="ScreensCommand"/>: this simulator started again as one or more processes of screens,
/// each with its share of the mix, talked to line by line. Disposing them stops them, whatever happened before.
/// </summary>
internal sealed class ScreenProcesses : IAsyncDisposable
{
    readonly List<Process> processes = [];
    readonly string directory = Path.Combine(Path.GetTempPath(), $"queue-screens-{System.Environment.ProcessId}");

    ScreenProcesses() => Directory.CreateDirectory(directory);

    /// <summary>Starts <paramref name="processCount"/> processes sharing <paramref name="mix"/>'s screens and waits until every screen has joined.</summary>
    public static async Task<ScreenProcesses> StartAsync(int processCount, ScreenMix mix, Uri service, string key, int queues, string protocol,
        string via, string client, CancellationToken ct)
    {
        var started = new ScreenProcesses();
        try
        {
            var share = (mix.Count + processCount - 1) / processCount;
            for (var first = 0; first < mix.Count; first += share)
            {
                var start = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardInput = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                // This very simulator, by the path it runs from.
                start.ArgumentList.Add(typeof(ScreenProcesses).Assembly.Location);
                foreach (var arg in (string[])["screens", "--address", service.ToString(), "--screens", Text(mix.Count), "--first", Text(first),
                             "--count", Text(Math.Min(share, mix.Count - first)), "--queues", Text(queues), "--protocol", protocol, "--via", via, "--client", client])
                    start.ArgumentList.Add(arg);
                start.Environment[ScreensCommand.KeyVariable] = key;
                // Server GC: 2,000 screens in one process allocate ~100 MB/s, and the workstation collector stopped them
                // all for 6–8 s of a 60 s run (dotnet-counters), which the probes counted as the service's latency.
                start.Environment["DOTNET_gcServer"] = "1";
                started.processes.Add(Process.Start(start) ?? throw new BenchException("could not start a process of screens"));
            }
            foreach (var process in started.processes) await ExpectAsync(process, "connected", TimeSpan.FromMinutes(5), ct);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    public int[] ProcessIds => processes.Select(p => p.Id).ToArray();

    /// <summary>Every screen forgets what it saw so far (the warm-up).</summary>
    public async Task ResetAsync(CancellationToken ct)
    {
        foreach (var process in processes) await process.StandardInput.WriteLineAsync("reset".AsMemory(), ct);
        foreach (var process in processes) await ExpectAsync(process, "ok", TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>
    /// What every screen saw of <paramref name="probes"/> and of the load's batches (<paramref name="marks"/>) since the
    /// reset, and whether it ended at the <paramref name="published"/> numbers, merged.
    /// </summary>
    public async Task<ScreensSeen> SeenAsync(IReadOnlyDictionary<int, long> probes, IReadOnlyDictionary<string, List<long[]>> marks,
        IReadOnlyDictionary<string, long> published, CancellationToken ct)
    {
        var probesFile = Path.Combine(directory, "probes.json");
        await File.WriteAllTextAsync(probesFile, JsonSerializer.Serialize(probes), ct);
        var publishedFile = Path.Combine(directory, "published.json");
        await File.WriteAllTextAsync(publishedFile, JsonSerializer.Serialize(published), ct);
        var marksFile = Path.Combine(directory, "marks.json");
        await File.WriteAllTextAsync(marksFile, JsonSerializer.Serialize(marks), ct);
        var outputs = processes.Select((_, i) => Path.Combine(directory, $"seen-{i}.json")).ToArray();
        for (var i = 0; i < processes.Count; i++)
            await processes[i].StandardInput.WriteLineAsync($"report {probesFile} {publishedFile} {marksFile} {outputs[i]}".AsMemory(), ct);
        var merged = new ScreensSeen([], 0, 0, 0, 0, 0, [], 0, LoadLatenciesMs: [], ProbeSlowestMs: [], ProbeFirstMs: []);
        for (var i = 0; i < processes.Count; i++)
        {
            await ExpectAsync(processes[i], "ok", TimeSpan.FromMinutes(1), ct);
            var seen = JsonSerializer.Deserialize<ScreensSeen>(await File.ReadAllTextAsync(outputs[i], ct))!;
            merged.LatenciesMs.AddRange(seen.LatenciesMs);
            merged.LoadLatenciesMs!.AddRange(seen.LoadLatenciesMs ?? []);
            foreach (var (probe, read) in seen.ProbeRead) merged.ProbeRead.TryAdd(probe, read);
            foreach (var (probe, ms) in seen.ProbeSlowestMs ?? []) merged.ProbeSlowestMs![probe] = Math.Max(ms, merged.ProbeSlowestMs.GetValueOrDefault(probe));
            foreach (var (probe, ms) in seen.ProbeFirstMs ?? []) merged.ProbeFirstMs![probe] = Math.Min(ms, merged.ProbeFirstMs.GetValueOrDefault(probe, double.MaxValue));
            merged = merged with
            {
                ProbesMissed = merged.ProbesMissed + seen.ProbesMissed, LeftBehind = merged.LeftBehind + seen.LeftBehind,
                QueuePushes = merged.QueuePushes + seen.QueuePushes, DetailPushes = merged.DetailPushes + seen.DetailPushes,
                Messages = merged.Messages + seen.Messages, ChangesMissed = merged.ChangesMissed + seen.ChangesMissed,
                CenterScreenBytes = merged.CenterScreenBytes ?? seen.CenterScreenBytes,
                CpuSeconds = merged.CpuSeconds + seen.CpuSeconds, LoadMissed = merged.LoadMissed + seen.LoadMissed,
            };
        }
        return merged;
    }

    static async Task ExpectAsync(Process process, string answer, TimeSpan within, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(within);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new BenchException($"a process of screens did not answer '{answer}' within {within.TotalSeconds:F0} s");
        }
        if (line is null || !line.StartsWith(answer, StringComparison.Ordinal))
            throw new BenchException($"a process of screens answered '{line ?? "nothing (it exited)"}', not '{answer}'; its errors are above");
    }

    static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    await process.StandardInput.WriteLineAsync("stop");
                    await process.StandardInput.FlushAsync();
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                }
            }
            catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException)
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // left for the temporary folder's cleaning
        }
    }
}
