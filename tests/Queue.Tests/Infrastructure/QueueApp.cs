using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// One service instance per test class, on its own PostgreSQL database (created here, dropped afterwards),
/// with a fake clock and every log line captured.
/// </summary>
public class QueueApp : IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string CallerSecret = "test-caller-hash-secret-0123456789abcdef";

    /// <summary>Monday 2026-11-23 10:00 in the center (UTC+5).</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(5));

    WebApplicationFactory<Program>? factory;

    public FakeTimeProvider Time { get; } = new(Start);

    /// <summary>This class's Redis keys and SignalR channels all start with this.</summary>
    public string RedisPrefix { get; } = $"t{Guid.NewGuid():N}:";
    public TestRedis Redis { get; private set; } = null!;
    public string Database { get; } = $"queue_t_{Guid.NewGuid():N}";
    public string ConnectionString => new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = Database }.ConnectionString;
    public ConcurrentQueue<string> Logs { get; } = new();
    public NpgsqlDataSource Db { get; private set; } = null!;
    public WebApplicationFactory<Program> Factory => factory ?? throw new InvalidOperationException("not started");

    /// <summary>The connection string the service uses (a test class may route it through a proxy it can cut).</summary>
    protected virtual string ServiceConnectionString => ConnectionString;

    /// <summary>The Redis server the service uses (a test class may run one of its own, to stop and flush it).</summary>
    protected virtual string ServiceRedis => TestRedis.BaseConnectionString;

    /// <summary>Extra settings for a test class (for example a database that cannot be reached).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Extra services for a test class (an in-memory trace exporter, say), added after the service's own.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(Database);
        Db = NpgsqlDataSource.Create(ConnectionString);
        Redis = new TestRedis(ServiceRedis, RedisPrefix);
        factory = Build();
        _ = factory.Server; // start now: migrations run here, not inside the first test
    }

    /// <summary>
    /// Stops this node, does what is given meanwhile, and starts the node again on the same database, Redis prefix,
    /// clock and logs: a release deployed over a running instance. Clients made before are of the stopped node.
    /// </summary>
    public async Task RestartAsync(Func<Task>? whileStopped = null)
    {
        await Factory.DisposeAsync();
        factory = null;
        if (whileStopped is not null) await whileStopped();
        factory = Build();
        _ = factory.Server;
    }

    WebApplicationFactory<Program> Build() => new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
    {
        web.UseEnvironment("Testing");
        web.ConfigureAppConfiguration((_, config) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Queue"] = ServiceConnectionString,
                ["QUEUE_BOOTSTRAP_ADMIN_KEY"] = AdminKey,
                ["Queue:Ingest:CallerHashSecret"] = CallerSecret,
                ["ConnectionStrings:Redis"] = ServiceRedis,
                ["Queue:Live:KeyPrefix"] = RedisPrefix,
                ["Logging:LogLevel:Default"] = "Debug",
                // Captured at Debug for the tests that read logs; the console gets warnings only, so that a failed
                // test's output shows its message, not pages of request logs.
                ["Logging:Console:LogLevel:Default"] = "Warning",
                // No Hangfire server polling in every test class's database: a test that needs one turns it on.
                ["Queue:Jobs:Server"] = "false",
            };
            foreach (var (k, v) in Settings) settings[k] = v;
            config.AddInMemoryCollection(settings);
        });
        web.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
        web.ConfigureServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            ConfigureServices(services);
        });
    });

    public virtual async ValueTask DisposeAsync()
    {
        if (factory is not null) await factory.DisposeAsync();
        await Redis.DeleteKeysAsync();
        await Redis.DisposeAsync();
        await Db.DisposeAsync();
        await TestDatabase.DropAsync(Database);
        GC.SuppressFinalize(this);
    }

    public HttpClient Client(string? key = AdminKey)
    {
        var client = Factory.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    public async Task<string> KeyAsync(string role)
    {
        using var admin = Client();
        var response = await admin.PostAsJsonAsync("/api/keys", new { name = "test " + role, role });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/keys: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{string.Join("\n", Logs.TakeLast(5))}");
        var created = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return created.GetProperty("key").GetString()!;
    }

    /// <summary>Waits until live state has applied every event committed so far.</summary>
    public Task LiveCaughtUpAsync(TimeSpan? timeout = null) =>
        LiveCheck.CaughtUpAsync(Db, Redis, () => Logs.Where(l => l.Contains("Live", StringComparison.Ordinal)).TakeLast(10), timeout);

    /// <summary>Live state lost, as after a FLUSHALL: waits for the follower to rebuild it from PostgreSQL and catch up.</summary>
    public async Task LiveRebuiltAsync()
    {
        await Redis.DeleteKeysAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (await Redis.CursorAsync() is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "live state was not rebuilt within 15 s of being flushed");
            await Task.Delay(10);
        }
        await LiveCaughtUpAsync();
    }

    public async Task<long> CountAsync(string table)
    {
        await using var command = Db.CreateCommand($"select count(*) from {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    sealed class CapturingLoggerProvider(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, sink);
        public void Dispose() { }

        sealed class Logger(string category, ConcurrentQueue<string> sink) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                sink.Enqueue($"{category} scope: {state}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                sink.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {fields} {exception}");
            }
        }
    }
}

/// <summary>Creates and drops per-class databases on the PostgreSQL server that ops/test started.</summary>
public static class TestDatabase
{
    public static string BaseConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Queue")
        ?? "Host=127.0.0.1;Port=5432;Database=queue;Username=queue;Password=queue";

    /// <summary>Creates a database on the shared server, or on <paramref name="server"/> (a cluster of a test's own).</summary>
    public static Task CreateAsync(string name, string? server = null) =>
        ExecuteAsync($"create database \"{name}\" encoding 'UTF8' locale 'C.UTF-8' template template0", server);

    public static Task DropAsync(string name, string? server = null)
    {
        NpgsqlConnection.ClearAllPools();
        return ExecuteAsync($"drop database if exists \"{name}\" with (force)", server);
    }

    static async Task ExecuteAsync(string sql, string? server)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(server ?? BaseConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (NpgsqlException) when (attempt < 5)
            {
                // A session of a stopped service may still be closing, or the server is busy: give it a moment.
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }
}
