using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// Another service node on a test class's database, with a clock of its own: a node months or years later, without
/// moving the class's fake clock through every second in between (its periodic timers would fire for each one). Its live
/// state is kept under a Redis prefix of its own, deleted when it is disposed.
/// </summary>
public sealed class OtherNode(QueueApp app, TimeProvider time) : IAsyncDisposable
{
    readonly string prefix = $"{app.RedisPrefix}n{Guid.NewGuid():N}"[..44] + ":";

    TestRedis Redis => new(TestRedis.BaseConnectionString, prefix);

    public WebApplicationFactory<Program> Factory => field ??= Build(app, time, prefix);

    static WebApplicationFactory<Program> Build(QueueApp app, TimeProvider time, string prefix) => new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
    {
        web.UseEnvironment("Testing");
        web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Queue"] = app.ConnectionString,
            ["QUEUE_BOOTSTRAP_ADMIN_KEY"] = QueueApp.AdminKey,
            ["Queue:Ingest:CallerHashSecret"] = QueueApp.CallerSecret,
            ["ConnectionStrings:Redis"] = TestRedis.BaseConnectionString,
            ["Queue:Live:KeyPrefix"] = prefix,
            ["Queue:Jobs:Server"] = "false",
        }));
        web.ConfigureServices(services => services.AddSingleton(time));
    });

    public HttpClient Client()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", QueueApp.AdminKey);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await using var redis = Redis;
        await redis.DeleteKeysAsync();
    }
}
