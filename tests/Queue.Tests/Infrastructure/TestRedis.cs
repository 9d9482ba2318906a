using Queue.Redis;
using StackExchange.Redis;

namespace Queue.Tests.Infrastructure;

/// <summary>A test class's view of Redis: only the keys under its own prefix.</summary>
public sealed class TestRedis(string connectionString, string prefix) : IAsyncDisposable
{
    public static string BaseConnectionString => Environment.GetEnvironmentVariable("ConnectionStrings__Redis") ?? "127.0.0.1:6379";

    readonly Lazy<ConnectionMultiplexer> connection = new(() => ConnectionMultiplexer.Connect(connectionString + ",abortConnect=false,allowAdmin=true"));

    public string Prefix => prefix;
    public IDatabase Db => connection.Value.GetDatabase();
    public ConnectionMultiplexer Connection => connection.Value;

    /// <summary>The key of live state's cursor.</summary>
    public string CursorKey => new LiveKeys(prefix).Cursor;

    /// <summary>Where live state stands in the log, if it is there in this code's layout.</summary>
    public async Task<(ulong Tx, long Position)?> CursorAsync()
    {
        var value = await Db.StringGetAsync(CursorKey);
        if (value.IsNull) return null;
        var cursor = LiveCursor.Parse(value.ToString());
        return cursor.IsCurrent ? (cursor.Tx, cursor.Position) : null;
    }

    /// <summary>Every key of this class, as Redis holds them.</summary>
    public async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        foreach (var endpoint in connection.Value.GetEndPoints())
            await foreach (var key in connection.Value.GetServer(endpoint).KeysAsync(pattern: prefix + "*", pageSize: 1000))
                keys.Add(key.ToString());
        return keys;
    }

    /// <summary>Deletes this class's keys: for live state, the same as a FLUSHALL of a Redis of its own.</summary>
    public async Task DeleteKeysAsync()
    {
        var keys = await KeysAsync();
        // A multi-key DEL must stay in one hash slot on a Redis Cluster.
        foreach (var slot in keys.GroupBy(k => connection.Value.HashSlot(k)))
            foreach (var chunk in slot.Chunk(500)) await Db.KeyDeleteAsync(chunk.Select(k => (RedisKey)k).ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (connection.IsValueCreated) await connection.Value.DisposeAsync();
    }
}
