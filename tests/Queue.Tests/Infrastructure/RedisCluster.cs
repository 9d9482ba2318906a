using System.Globalization;
using StackExchange.Redis;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// A Redis Cluster of a test's own on loopback: several masters, each holding its share of the 16,384 hash slots. A key
/// is served by the node of its slot only, and a script or transaction whose keys are in more than one slot is refused.
/// </summary>
public sealed class RedisCluster(int nodes = 3) : IAsyncDisposable
{
    readonly List<RedisServer> servers = [.. Enumerable.Range(0, nodes).Select(_ => new RedisServer(cluster: true))];

    public const int Slots = 16_384;

    /// <summary>Every node, as a client is given them.</summary>
    public string ConnectionString => string.Join(",", servers.Select(s => s.ConnectionString));

    public async Task StartAsync()
    {
        foreach (var server in servers) await server.StartAsync();
        for (var i = 0; i < servers.Count; i++)
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(servers[i].ConnectionString + ",allowAdmin=true");
            var node = connection.GetServer(servers[i].ConnectionString);
            await node.ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", (i * Slots / servers.Count).ToString(CultureInfo.InvariantCulture),
                ((i + 1) * Slots / servers.Count - 1).ToString(CultureInfo.InvariantCulture));
            if (i > 0)
                await node.ExecuteAsync("CLUSTER", "MEET", "127.0.0.1", servers[0].Port.ToString(CultureInfo.InvariantCulture),
                    servers[0].BusPort.ToString(CultureInfo.InvariantCulture));
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (var server in servers)
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true");
            while (true)
            {
                var info = (string?)await connection.GetServer(server.ConnectionString).ExecuteAsync("CLUSTER", "INFO") ?? "";
                if (info.Contains("cluster_state:ok", StringComparison.Ordinal) && info.Contains($"cluster_known_nodes:{servers.Count}", StringComparison.Ordinal)) break;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"the Redis cluster did not form: {info}");
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in servers) await server.DisposeAsync();
    }
}
