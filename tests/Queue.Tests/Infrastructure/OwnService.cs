using Npgsql;
using Queue.Simulator.Bench;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// The service as a real process (Kestrel, its own configuration, the real clock) for one test class: its own
/// database, Redis key prefix and admin key. The test may kill it (<c>kill -9</c>) and start it again on the same port.
/// </summary>
public class OwnService : IAsyncLifetime
{
    readonly string logs = Path.Combine(Path.GetTempPath(), $"queue-own-{Guid.NewGuid():N}");
    string? log;

    public string Database { get; } = $"queue_t_{Guid.NewGuid():N}";
    public string AdminKey { get; } = "own_" + Guid.NewGuid().ToString("N");
    public ServiceProcess Node { get; private set; } = null!;
    public NpgsqlDataSource Db { get; private set; } = null!;
    public TestRedis Redis { get; } = new(TestRedis.BaseConnectionString, $"t{Guid.NewGuid():N}:");

    /// <summary>How many times the process has been started.</summary>
    public int Starts { get; private set; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = Database }.ConnectionString;

    /// <summary>The PostgreSQL server the database is made on (a test class may run one of its own).</summary>
    protected virtual string ServerConnectionString => TestDatabase.BaseConnectionString;

    /// <summary>Settings the process gets on top of appsettings.json, as environment variables.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    // As in QueueApp: no Hangfire server polling the class's database unless a test class turns it on.
    static readonly Dictionary<string, string> Defaults = new() { ["Queue__Jobs__Server"] = "false" };

    public virtual async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(Database, ServerConnectionString);
        Db = NpgsqlDataSource.Create(ConnectionString);
        Node = await StartAsync(port: null);
    }

    async Task<ServiceProcess> StartAsync(int? port)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Redis"] = TestRedis.BaseConnectionString,
            ["Queue__Live__KeyPrefix"] = Redis.Prefix,
        };
        foreach (var (name, value) in Defaults.Concat(Settings)) environment[name] = value;
        log = Path.Combine(logs, $"service-{++Starts:D2}.log");
        return await ServiceProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "Queue.dll"), ConnectionString, QueueApp.CallerSecret,
            log, CancellationToken.None, environment, port, AdminKey);
    }

    /// <summary>Ends the process at once (SIGKILL): no shutdown, nothing flushed, requests in flight cut off.</summary>
    public Task KillAsync() => Node.KillAsync();

    /// <summary>Starts the process again on the same port (killing it first if it still runs) and waits until it is live.</summary>
    public async Task RestartAsync()
    {
        var port = Node.Port;
        await Node.DisposeAsync();
        Node = await StartAsync(port);
    }

    public HttpClient Client(string? key = null, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = Node.Address, Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key ?? AdminKey);
        return http;
    }

    /// <summary>The last lines the running process wrote, for a failure message.</summary>
    public string LogTail(int lines = 30)
    {
        try
        {
            using var stream = new FileStream(log!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    /// <summary>Every line the processes wrote so far, all starts together.</summary>
    public IEnumerable<string> LogLines() =>
        Directory.Exists(logs)
            ? Directory.GetFiles(logs).Order(StringComparer.Ordinal).SelectMany(f =>
            {
                using var stream = new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd().Split('\n');
            }).ToList()
            : [];

    public virtual async ValueTask DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
        await Redis.DeleteKeysAsync();
        await Redis.DisposeAsync();
        if (Db is not null) await Db.DisposeAsync();
        await TestDatabase.DropAsync(Database, ServerConnectionString);
        try
        {
            Directory.Delete(logs, recursive: true);
        }
        catch (IOException)
        {
            // kept for a look
        }
        GC.SuppressFinalize(this);
    }
}
