using DbUp;
using Npgsql;

namespace Queue.Storage;

/// <summary>
/// Applies the embedded SQL migrations (Storage/Migrations/NNNN_name.sql) with DbUp, under a PostgreSQL
/// advisory lock so that several nodes starting together apply each script exactly once.
/// </summary>
internal sealed partial class Migrator(NpgsqlDataSource dataSource, ILogger<Migrator> logger, TimeProvider time)
{
    const long LockKey = 0x5155_4555_4D49_47; // "QUEUEMIG"

    /// <summary>DbUp's journal of applied scripts (its default table), by the names of <see cref="Scripts"/>.</summary>
    public const string JournalSql = "select scriptname from schemaversions";

    /// <summary>The embedded migration scripts, by the names DbUp journals them under.</summary>
    public static IReadOnlyList<string> Scripts { get; } =
        [.. typeof(Migrator).Assembly.GetManifestResourceNames().Where(IsMigration).Order(StringComparer.Ordinal)];

    static bool IsMigration(string name) => name.Contains(".Storage.Migrations.", StringComparison.Ordinal);

    public async Task MigrateAsync(TimeSpan waitForDatabase, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + waitForDatabase;
        while (true)
        {
            try
            {
                await MigrateOnceAsync(ct);
                return;
            }
            catch (NpgsqlException ex) when (ex is not PostgresException && time.GetUtcNow() < deadline)
            {
                LogWaiting(ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            }
        }
    }

    async Task MigrateOnceAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var encoding = new NpgsqlCommand("select current_setting('server_encoding')", connection))
        {
            // Identifiers may be any Unicode letters: a SQL_ASCII or LATIN1 database would refuse them one event at a time.
            var name = (string?)await encoding.ExecuteScalarAsync(ct);
            if (name != "UTF8")
                throw new InvalidOperationException(
                    $"database '{connection.Database}' is encoded {name}; Queue needs UTF8 (create database … encoding 'UTF8' template template0)");
        }
        await using (var lockCommand = new NpgsqlCommand($"select pg_advisory_lock({LockKey})", connection))
            await lockCommand.ExecuteNonQueryAsync(ct);
        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(new DbUp.Postgresql.PostgresqlConnectionManager(dataSource))
                .WithScriptsEmbeddedInAssembly(typeof(Migrator).Assembly, IsMigration)
                .WithTransactionPerScript()
                // A migration that rewrites a table (0013 copies every event) takes as long as the table is large:
                // minutes for a week of a large center, not the 30 s of an ordinary statement.
                .WithExecutionTimeout(TimeSpan.FromHours(24))
                .LogToNowhere()
                .Build();
            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"migration {result.ErrorScript?.Name} failed: {result.Error?.Message}", result.Error);
            foreach (var script in result.Scripts) LogApplied(script.Name);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"select pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Script}")]
    partial void LogApplied(string script);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not reachable yet ({Reason}); retrying")]
    partial void LogWaiting(string reason);
}
