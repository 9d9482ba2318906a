using System.Diagnostics;
using System.Text;

namespace Queue.Tests.Connect;

/// <summary>
/// The connector as a real process (<c>dotnet Queue.Connect.dll …</c>), configured as an operator would: the service's
/// address and key in QUEUE_URL and QUEUE_KEY. The test may kill it (SIGKILL) and start another.
/// </summary>
internal sealed class ConnectorProcess : IAsyncDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    ConnectorProcess(Process process) => this.process = process;

    public static ConnectorProcess Start(Uri service, string key, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Queue.Connect.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["QUEUE_URL"] = service.ToString();
        start.Environment["QUEUE_KEY"] = key;
        var connector = new ConnectorProcess(Process.Start(start) ?? throw new InvalidOperationException("the connector did not start"));
        connector.process.OutputDataReceived += (_, e) => connector.Add(e.Data);
        connector.process.ErrorDataReceived += (_, e) => connector.Add(e.Data);
        connector.process.BeginOutputReadLine();
        connector.process.BeginErrorReadLine();
        return connector;
    }

    void Add(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    public string Output
    {
        get
        {
            lock (output) return output.ToString();
        }
    }

    public bool Exited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>SIGKILL: no shutdown, nothing flushed.</summary>
    public async Task KillAsync()
    {
        if (process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager stops it; waits for it to end.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (process.HasExited) return;
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
    }

    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
    }
}
