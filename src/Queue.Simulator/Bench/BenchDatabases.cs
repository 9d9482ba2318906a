using Npgsql;

namespace Queue.Simulator.Bench;

/// <summary>Throw-away databases on the PostgreSQL that ops/setup runs: one for the service, one for the baseline.</summary>
internal sealed class BenchDatabases(string baseConnectionString)
{
    public const string Service = "queue_bench";
    public const string Baseline = "queue_bench_pg";

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
    public string ServiceConnectionString() =>
        new NpgsqlConnectionStringBuilder(baseConnectionString) { Database = Service }.ToString();

    public async Task RecreateAsync(string database, CancellationToken ct)
    {
        await DropAsync(database, ct);
        await ExecuteAsync($"create database \"{database}\"", ct);
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
