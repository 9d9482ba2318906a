using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Queue.Simulator.Bench;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of a test's own (initdb into a temporary directory, a free loopback port), that the test may
/// stop, crash and start again without touching the server the other tests share. Run as the postgres user when
/// the tests run as root, as PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    const string User = "queue";
    readonly string directory = Directory.CreateTempSubdirectory("queue-pg-").FullName;
    readonly string bin = BinDirectory();
    bool initialized;

    public int Port { get; } = ServiceProcess.FreePort();

    string Data => Path.Combine(directory, "data");
    string LogFile => Path.Combine(directory, "server.log");

    /// <summary>The cluster's maintenance database; a test creates its own databases in it.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database=postgres;Username={User};Password=unused";

    /// <summary>Creates the cluster (the first time) and starts it; returns once it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (!initialized)
        {
            if (Environment.UserName == "root") await RunAsync("chown", "postgres:postgres", directory);
            // Trust on loopback only: nothing but this test's processes can reach the port.
            await RunAsPostgresAsync("initdb", "-D", Data, "-U", User, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
            initialized = true;
        }
        var options = string.Join(' ',
            "-c listen_addresses=127.0.0.1", $"-p {Port.ToString(CultureInfo.InvariantCulture)}", "-c unix_socket_directories=''",
            "-c max_connections=200", "-c max_locks_per_transaction=256", "-c shared_buffers=64MB");
        await RunAsPostgresAsync("pg_ctl", "-D", Data, "-l", LogFile, "-w", "-t", "60", "-o", options, "start");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await AcceptsAsync())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"PostgreSQL on port {Port} did not accept connections\n{ServerLog()}");
            await Task.Delay(50);
        }
    }

    /// <summary>Shuts the server down: <c>fast</c> ends every session first; <c>immediate</c> is a crash, recovered from the WAL on the next start.</summary>
    public Task StopAsync(string mode = "fast") => RunAsPostgresAsync("pg_ctl", "-D", Data, "-m", mode, "-w", "-t", "60", "stop");

    public async Task<bool> AcceptsAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString + ";Timeout=2;Pooling=false");
            await connection.OpenAsync();
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    /// <summary>The server's own log, for a failure message.</summary>
    public string ServerLog()
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogFile).TakeLast(20));
        }
        catch (IOException)
        {
            return "(no server log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (initialized && File.Exists(Path.Combine(Data, "postmaster.pid")))
        {
            try
            {
                await StopAsync("immediate");
            }
            catch (InvalidOperationException)
            {
                // already stopped
            }
        }
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held: the temp directory is cleaned another day
        }
        catch (UnauthorizedAccessException)
        {
            // owned by another user: the temp directory is cleaned another day
        }
    }

    Task RunAsPostgresAsync(string tool, params string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, tool), .. args])
            : RunAsync(Path.Combine(bin, tool), args);

    static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await output}\n{await error}");
    }

    /// <summary>The newest installed PostgreSQL's programs (Debian keeps them out of PATH).</summary>
    static string BinDirectory()
    {
        var versions = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [];
        return versions
            .Select(v => (Version: int.TryParse(Path.GetFileName(v), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0, Bin: Path.Combine(v, "bin")))
            .Where(v => File.Exists(Path.Combine(v.Bin, "initdb")))
            .OrderByDescending(v => v.Version)
            .Select(v => v.Bin)
            .FirstOrDefault() ?? throw new InvalidOperationException("no PostgreSQL server programs under /usr/lib/postgresql/*/bin");
    }
}
