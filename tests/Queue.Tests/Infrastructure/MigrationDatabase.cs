using System.Globalization;
using DbUp;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Queue.Storage;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// A database of its own for a migration test: an install of an older release, made by the service's own migration
/// scripts up to a point, then upgraded as a node does at start-up.
/// </summary>
public sealed class MigrationDatabase : IAsyncLifetime
{
    readonly string database = $"queue_t_{Guid.NewGuid():N}";

    public NpgsqlDataSource Db { get; private set; } = null!;

    string ConnectionString => new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = database }.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(database);
        Db = NpgsqlDataSource.Create(ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await TestDatabase.DropAsync(database);
    }

    /// <summary>Applies the service's migrations whose number <paramref name="which"/> picks, as an older release had them.</summary>
    public void MigrateOnly(Func<int, bool> which)
    {
        var result = DeployChanges.To.PostgresqlDatabase(ConnectionString)
            .WithScriptsEmbeddedInAssembly(typeof(Program).Assembly,
                name => name.Contains(".Storage.Migrations.", StringComparison.Ordinal) && which(Number(name)))
            .WithTransactionPerScript().LogToNowhere().Build().PerformUpgrade();
        Assert.True(result.Successful, result.Error?.Message);
    }

    /// <summary>Upgrades to this release, as a node does when it starts.</summary>
    public Task UpgradeAsync() =>
        new Migrator(Db, NullLogger<Migrator>.Instance, TimeProvider.System).MigrateAsync(TimeSpan.FromSeconds(10), CancellationToken.None);

    static int Number(string resource)
    {
        var name = resource[(resource.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
        return int.Parse(name.AsSpan(0, 4), CultureInfo.InvariantCulture);
    }
}
