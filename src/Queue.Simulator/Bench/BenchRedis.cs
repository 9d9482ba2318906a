using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Queue.Simulator.Bench;

/// <summary>
/// The Redis that ops/setup runs, as the benchmarks share it: each service child keeps its live state under a key
/// prefix of its own run, deleted at the end of the run.
/// </summary>
internal static class BenchRedis
{
    /// <summary>From <c>ConnectionStrings__Redis</c> (set by ops/setup), or the local default.</summary>
    public static string Address => System.Environment.GetEnvironmentVariable("ConnectionStrings__Redis") ?? "127.0.0.1:6379";

    /// <summary>What a service child needs to keep its live state under <paramref name="prefix"/>, logging its rebuilds.</summary>
    public static Dictionary<string, string> ServiceEnvironment(string prefix) => new()
    {
        ["ConnectionStrings__Redis"] = Address,
        ["Queue__Live__KeyPrefix"] = prefix,
        ["Logging__LogLevel__Queue.Live"] = "Information",
    };

    /// <summary>Waits until the service on <paramref name="prefix"/> has built its live state (its cursor is written); at most 10 minutes from <paramref name="since"/>.</summary>
    public static async Task WaitForLiveStateAsync(string prefix, Stopwatch since, CancellationToken ct)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Address);
        var cursor = new Queue.Redis.LiveKeys(prefix).Cursor;
        while (!await redis.GetDatabase().KeyExistsAsync(cursor))
        {
            if (since.Elapsed > TimeSpan.FromMinutes(10)) throw new BenchException("live state was not rebuilt within 10 minutes");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>
    /// Waits until the service on <paramref name="prefix"/> has applied the log up to <paramref name="last"/> (its cursor
    /// is there or past it), looking every 10 ms; at most 10 minutes. The cursor is read in any layout.
    /// </summary>
    public static async Task WaitForCursorAsync(IConnectionMultiplexer redis, string prefix, (ulong Tx, long Position) last, CancellationToken ct)
    {
        var since = Stopwatch.StartNew();
        var cursor = new Queue.Redis.LiveKeys(prefix).Cursor;
        while (true)
        {
            var value = await redis.GetDatabase().StringGetAsync(cursor);
            if (!value.IsNull && Queue.Redis.LiveCursor.Parse(value.ToString()) is var c
                && (c.Tx > last.Tx || (c.Tx == last.Tx && c.Position >= last.Position))) return;
            if (since.Elapsed > TimeSpan.FromMinutes(10)) throw new BenchException($"live state did not reach ({last.Tx}, {last.Position}) within 10 minutes");
            await Task.Delay(10, ct);
        }
    }

    public static async Task DeleteKeysAsync(string prefix)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Address + ",allowAdmin=true");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var keys = new List<RedisKey>();
        await foreach (var key in server.KeysAsync(pattern: prefix + "*", pageSize: 10_000)) keys.Add(key);
        foreach (var chunk in keys.Chunk(10_000)) await redis.GetDatabase().KeyDeleteAsync(chunk);
    }

    /// <summary>The memory Redis uses, in bytes (<c>used_memory</c>).</summary>
    public static async Task<long> MemoryAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Address + ",allowAdmin=true");
        var info = await redis.GetServer(redis.GetEndPoints()[0]).InfoAsync("memory");
        return long.Parse(info.SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);
    }
}
