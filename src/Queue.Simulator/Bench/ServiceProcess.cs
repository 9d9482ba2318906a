using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Queue.Simulator.Bench;

/// <summary>
/// The real service (a Release build of src/Queue) running as a child process on a loopback port of its own,
/// with its own database and secrets. Disposing it kills it, whatever happened before.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>The service's Release build, from the repository's root (where ops/bench runs): every benchmark's <c>--service</c> default.</summary>
    public const string DefaultDll = "src/Queue/bin/Release/net10.0/Queue.dll";

    readonly Process process;
    readonly StreamWriter log;
    readonly Lock logLock = new();

    ServiceProcess(Process process, StreamWriter log, Uri address, string adminKey)
    {
        this.process = process;
        this.log = log;
        Address = address;
        AdminKey = adminKey;
    }

    public Uri Address { get; }
    public int Port => Address.Port;
    public int ProcessId => process.Id;

    /// <summary>The most memory the process has held resident so far (VmHWM on Linux).</summary>
    public long PeakMemoryBytes
    {
        get
        {
            process.Refresh();
            return process.HasExited ? 0 : process.PeakWorkingSet64;
        }
    }
    public string AdminKey { get; }

    /// <summary>The memory the process holds resident now (VmRSS on Linux).</summary>
    public long MemoryBytes
    {
        get
        {
            process.Refresh();
            return process.HasExited ? 0 : process.WorkingSet64;
        }
    }

    /// <summary>CPU time the service has used so far (user and system, all threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            process.Refresh();
            return process.HasExited ? TimeSpan.Zero : process.TotalProcessorTime;
        }
    }

    /// <summary>
    /// Starts the service and waits until it is live. <paramref name="environment"/> adds or overrides settings;
    /// <paramref name="port"/> and <paramref name="adminKey"/> let a restarted node come back where it was.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(string serviceDll, string connectionString, string callerHashSecret,
        string logPath, CancellationToken ct, IReadOnlyDictionary<string, string>? environment = null, int? port = null, string? adminKey = null)
    {
        var dll = Path.GetFullPath(serviceDll);
        var address = new Uri($"http://127.0.0.1:{port ?? FreePort()}/");
        adminKey ??= "bench_" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(40, lowercase: true);
        var start = new ProcessStartInfo("dotnet")
        {
            // The build output holds appsettings.json; the environment overrides what differs.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(address.ToString().TrimEnd('/'));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Queue"] = connectionString;
        start.Environment["QUEUE_BOOTSTRAP_ADMIN_KEY"] = adminKey;
        start.Environment["Queue__Ingest__CallerHashSecret"] = callerHashSecret;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new BenchException("could not start the service");
        var service = new ServiceProcess(process, log, address, adminKey);
        process.OutputDataReceived += (_, e) => service.Log(e.Data);
        process.ErrorDataReceived += (_, e) => service.Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitLiveAsync(logPath, ct);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>Makes an API key with the given role through the admin API, as an operator would.</summary>
    public async Task<string> CreateKeyAsync(string name, string role, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        using var response = await http.PostAsJsonAsync("api/keys", new { name, role }, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new BenchException($"creating an {role} key answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("key").GetString()!;
    }

    async Task WaitLiveAsync(string logPath, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
                throw new BenchException($"the service exited with code {process.ExitCode} before it was live; see {logPath}");
            try
            {
                using var response = await http.GetAsync("health/live", ct);
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // a slow first answer while it warms up
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                throw new BenchException($"the service was not live within 60 s; see {logPath}");
            await Task.Delay(200, ct);
        }
    }

    void Log(string? line)
    {
        if (line is null) return;
        lock (logLock) log.WriteLine(line);
    }

    /// <summary>Ends the process at once, as <c>kill -9</c> does: no shutdown, no flush, nothing finished.</summary>
    public async Task KillAsync()
    {
        if (process.HasExited) return;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        catch (TimeoutException)
        {
            // killed but not yet reaped; nothing more to do
        }
        process.Dispose();
        lock (logLock) log.Dispose();
    }
}

/// <summary>The benchmark cannot go on: a message for the person running it, not a stack trace.</summary>
internal sealed class BenchException(string message) : Exception(message);
