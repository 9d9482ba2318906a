using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Api;

public sealed class StartupTests
{
    [Fact]
    public async Task The_service_refuses_to_start_outside_Development_without_a_caller_hash_secret()
    {
        await using var factory = Node("Production", TestDatabase.BaseConnectionString, callerSecret: "");

        var error = Record.Exception(() => factory.Server);

        Assert.NotNull(error);
        Assert.Contains("CallerHashSecret", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Queue:Live:BusyPollInterval", "00:00:00", "Queue:Live intervals must be positive")]
    [InlineData("Queue:Live:BusyPollInterval", "-00:00:01", "Queue:Live intervals must be positive")]
    [InlineData("Queue:Live:RoundHold", "-00:00:00.001", "Queue:Live:RoundHold must not be negative")]
    [InlineData("Queue:Live:PollStretchRate", "0", "PollStretchRate")]
    public async Task The_service_refuses_to_start_with_a_follower_pace_that_cannot_be(string key, string value, string said)
    {
        await using var factory = Node("Testing", TestDatabase.BaseConnectionString, settings: new() { [key] = value });

        var error = Record.Exception(() => factory.Server);

        Assert.NotNull(error);
        Assert.Contains(said, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_service_refuses_a_database_that_is_not_UTF8()
    {
        var database = $"queue_t_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestDatabase.BaseConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"create database \"{database}\" encoding 'SQL_ASCII' locale 'C' template template0", admin);
            await create.ExecuteNonQueryAsync();
        }
        try
        {
            await using var factory = Node("Testing", new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = database }.ConnectionString);

            var error = Record.Exception(() => factory.Server);

            Assert.NotNull(error);
            Assert.Contains("needs UTF8", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    [Fact]
    public async Task Two_nodes_starting_together_apply_each_migration_once()
    {
        var database = $"queue_t_{Guid.NewGuid():N}";
        await TestDatabase.CreateAsync(database);
        var cs = new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = database }.ConnectionString;
        try
        {
            var nodes = Enumerable.Range(0, 2).Select(_ => Node("Testing", cs)).ToList();

            await Task.WhenAll(nodes.Select(n => Task.Run(() => n.Server)));

            await using var db = NpgsqlDataSource.Create(cs);
            await using var command = db.CreateCommand("select count(*), count(distinct scriptname) from schemaversions");
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.True(reader.GetInt64(0) >= 3);
            Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
            foreach (var node in nodes) await node.DisposeAsync();
        }
        finally
        {
            await TestDatabase.DropAsync(database);
        }
    }

    static WebApplicationFactory<Program> Node(string environment, string connectionString, string callerSecret = QueueApp.CallerSecret,
        Dictionary<string, string?>? settings = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment(environment);
            web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>(settings ?? [])
            {
                ["ConnectionStrings:Queue"] = connectionString,
                ["Queue:Ingest:CallerHashSecret"] = callerSecret,
            }));
        });
}
