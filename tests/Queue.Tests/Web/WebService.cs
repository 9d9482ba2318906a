using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Queue.Simulator.Bench;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Web;

/// <summary>
/// The built service as a process on a loopback port (a browser cannot reach the in-process test server), with its own
/// database and Redis prefix, and a headless browser beside it (<see cref="BrowserService"/>: Chromium,
/// <see cref="FirefoxService"/>: Firefox). Keys of each role are made as an admin would.
/// </summary>
public abstract class WebService : IAsyncLifetime
{
    readonly string database = $"queue_t_{Guid.NewGuid():N}";
    readonly string logs = Path.Combine(Path.GetTempPath(), $"queue-web-{Guid.NewGuid():N}");

    public string AdminKey { get; } = "web_" + Guid.NewGuid().ToString("N");
    public ServiceProcess Service { get; private set; } = null!;
    public TestRedis Redis { get; } = new(TestRedis.BaseConnectionString, $"t{Guid.NewGuid():N}:");
    public string WallboardKey { get; private set; } = "";
    public string SupervisorKey { get; private set; } = "";
    public string IngestKey { get; private set; } = "";
    public Uri Address => Service.Address;

    string ConnectionString => new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = database }.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(database);
        Service = await StartAsync(null);
        WallboardKey = await Service.CreateKeyAsync("tv-hall-1", "wallboard", CancellationToken.None);
        SupervisorKey = await Service.CreateKeyAsync("anna-supervisor", "supervisor", CancellationToken.None);
        IngestKey = await Service.CreateKeyAsync("pbx", "ingest", CancellationToken.None);
        await LaunchBrowserAsync();
    }

    protected abstract Task LaunchBrowserAsync();

    protected abstract ValueTask CloseBrowserAsync();

    Task<ServiceProcess> StartAsync(int? port) =>
        ServiceProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "Queue.dll"), ConnectionString, QueueApp.CallerSecret,
            Path.Combine(logs, $"service-{DateTime.UtcNow:HHmmssfff}.log"), CancellationToken.None,
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = TestRedis.BaseConnectionString,
                ["Queue__Live__KeyPrefix"] = Redis.Prefix,
            },
            port, AdminKey);

    /// <summary>Stops the service at once (as a crash would); <see cref="StartAgainAsync"/> brings it back on the same port.</summary>
    public Task StopAsync() => Service.KillAsync();

    public async Task StartAgainAsync()
    {
        var port = Service.Port;
        await Service.DisposeAsync();
        Service = await StartAsync(port);
    }

    public HttpClient Admin()
    {
        var http = new HttpClient { BaseAddress = Address };
        http.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return http;
    }

    public async Task PostAsync(params System.Text.Json.Nodes.JsonNode[] events)
    {
        using var http = Admin();
        using var response = await http.PostEventsAsync(events);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task SetWaitTargetAsync(string queue, int seconds)
    {
        using var http = Admin();
        using var response = await http.PutAsJsonAsync($"/api/targets/{queue}", new { waitSeconds = seconds });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Waits for an open alert of a kind and queue, as the API lists it.</summary>
    public async Task<long> WaitForAlertAsync(string kind, string queue)
    {
        using var http = Admin();
        for (var i = 0; i < 300; i++)
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/api/alerts?state=open&kind={kind}&queue={queue}");
            var items = page.GetProperty("items");
            if (items.GetArrayLength() > 0) return items[0].GetProperty("id").GetInt64();
            await Task.Delay(100);
        }
        throw new TimeoutException($"no open {kind} alert for {queue}");
    }

    /// <summary>Where a picture of a page is kept: artifacts/screenshots/{name}.png.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, name + ".png");
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Queue.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository root (Queue.sln) is not above the test binaries");
    }

    public async ValueTask DisposeAsync()
    {
        await CloseBrowserAsync();
        if (Service is not null) await Service.DisposeAsync();
        await Redis.DeleteKeysAsync();
        await Redis.DisposeAsync();
        await TestDatabase.DropAsync(database);
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
