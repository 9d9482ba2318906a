using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Queue.Simulator.Bench;

/// <summary>
/// Throw-away databases on the PostgreSQL that ops/setup runs: one for the service, one for the baseline. Their
/// names carry this process's id, so that two runs on one machine (two checkouts, or CI beside a developer)
/// never drop each other's; those of runs that died without cleaning up are dropped by the next run.
/// </summary>
internal sealed partial class BenchDatabases(string baseConnectionString)
{
    public string Service { get; } = $"queue_bench_{Environment.ProcessId}";
    public string Baseline { get; } = $"queue_bench_{Environment.ProcessId}_pg";

    [GeneratedRegex(@"^queue_bench_(\d+)(_pg)?$")]
    private static partial Regex Ours();

    /// <summary>From <c>ConnectionStrings__Queue</c> (set by ops/setup), or the local default.</summary>
    public static BenchDatabases FromEnvironment() =>
        new(Environment.GetEnvironmentVariable("ConnectionStrings__Queue")
            ?? "Host=127.0.0.1;Port=5432;Database=queue;Username=queue;Password=queue");

    public string ConnectionString(string database, int? maxPoolSize = null)
    {
        var csb = new NpgsqlConnectionStringBuilder(baseConnectionString) { Database = database, ApplicationName = "queue-bench" };
        if (maxPoolSize is { } max) csb.MaxPoolSize = max;
        return csb.ToString();
    }

    /// <summary>The service's connection string: what ops/setup gives the service, on its own database.</summary>
    public string ServiceConnectionString() => ConnectionStringOf(Service);

    /// <summary>What ops/setup gives the service, on another database.</summary>
    public string ConnectionStringOf(string database) =>
        new NpgsqlConnectionStringBuilder(baseConnectionString) { Database = database }.ToString();

    public async Task<bool> ExistsAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(baseConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select exists (select from pg_database where datname = $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = database });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Drops the databases of earlier runs whose process is gone (killed, or the machine restarted), and says which.</summary>
    public async Task DropAbandonedAsync(CancellationToken ct)
    {
        var abandoned = new List<string>();
        await using (var connection = new NpgsqlConnection(baseConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("select datname from pg_database where datname like 'queue\\_bench\\_%'", connection);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var name = reader.GetString(0);
                if (Ours().Match(name) is { Success: true } m && !IsRunning(int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture)))
                    abandoned.Add(name);
            }
        }
        foreach (var name in abandoned) await DropAsync(name, ct);
        foreach (var name in abandoned) Console.Error.WriteLine($"    dropped {name}, left by a run that is gone");
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public async Task RecreateAsync(string database, CancellationToken ct)
    {
        await DropAsync(database, ct);
        await ExecuteAsync($"create database \"{database}\" encoding 'UTF8' locale 'C.UTF-8' template template0", ct);
    }

    public Task DropAsync(string database, CancellationToken ct) =>
        ExecuteAsync($"drop database if exists \"{database}\" with (force)", ct);

    public async Task<string> ServerVersionAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(baseConnectionString);
        await connection.OpenAsync(ct);
        return connection.PostgreSqlVersion.ToString();
    }

    async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        // Database commands run from the database ops/setup made (it exists, and is not one of ours).
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(baseConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Where the last event stored in a database's log stands: (transaction, position), or (0, 0) if it has none.</summary>
    public async Task<(ulong Tx, long Position)> LastEventAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("select e.tx::text, e.position from events e order by e.tx desc, e.position desc limit 1", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? (ulong.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt64(1))
            : (0, 0);
    }

    /// <summary>
    /// Count and an order-free checksum of the event rows (id, type, at, entity, body) in a database's
    /// <c>events</c> table: equal in both databases when both committed the same rows.
    /// </summary>
    public async Task<(long Rows, decimal Checksum)> EventChecksumAsync(string database, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("""
            select count(*), coalesce(sum(hashtextextended(concat_ws(' ', id, type, extract(epoch from at), entity, body), 0)::numeric), 0)
            from events
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetDecimal(1));
    }
}
