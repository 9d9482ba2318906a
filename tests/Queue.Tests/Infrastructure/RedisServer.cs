using System.Diagnostics;
using Queue.Simulator.Bench;
using StackExchange.Redis;

namespace Queue.Tests.Infrastructure;

/// <summary>A Redis server of a test's own, on a loopback port, that the test may flush, kill and start again.</summary>
public sealed class RedisServer(bool cluster = false) : IAsyncDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("queue-redis-").FullName;
    Process? process;

    public int Port { get; } = ServiceProcess.FreePort();

    /// <summary>The port of the cluster bus, on which a cluster node talks to the others.</summary>
    public int BusPort { get; } = ServiceProcess.FreePort();
    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in (string[])["--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--save", "", "--appendonly", "no", "--dir", directory])
            start.ArgumentList.Add(arg);
        if (cluster)
            foreach (var arg in (string[])["--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(directory, "nodes.conf"),
                         "--cluster-port", BusPort.ToString(System.Globalization.CultureInfo.InvariantCulture)])
                start.ArgumentList.Add(arg);
        process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await PingsAsync())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"redis-server on port {Port} did not answer");
            await Task.Delay(20);
        }
    }

    /// <summary>Ends the server at once (SIGKILL): whatever it held is gone.</summary>
    public async Task KillAsync()
    {
        if (process is null) return;
        process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        process = null;
    }

    public async Task FlushAllAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",allowAdmin=true");
        await connection.GetServer(ConnectionString).FlushAllDatabasesAsync();
    }

    public async Task<bool> PingsAsync()
    {
        try
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString + ",connectTimeout=500,abortConnect=true");
            await connection.GetDatabase().PingAsync();
            return true;
        }
        catch (RedisConnectionException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held: the temp directory is cleaned another day
        }
    }
}
