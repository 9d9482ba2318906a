using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Queue.Simulator.Bench;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Telemetry;

/// <summary>An OpenTelemetry collector on loopback that keeps every OTLP/HTTP export it is sent, by path (/v1/traces, …).</summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    WebApplication? app;

    public ConcurrentQueue<(string Path, byte[] Body)> Exports { get; } = new();

    public string Url { get; private set; } = "";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/v1/{signal}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Exports.Enqueue((request.Path, body.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync();
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public bool Received(string path, byte[] needle) => Exports.Any(e => e.Path == path && e.Body.AsSpan().IndexOf(needle) >= 0);

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}

/// <summary>
/// The service as deployed: a process with the production settings of appsettings.json, exporting to an OTLP
/// collector. Its log is JSON with each request's trace id; neither its log nor what it exports holds a caller's
/// number or a key sent in a query string.
/// </summary>
public sealed class ServiceTelemetryTests : IAsyncLifetime
{
    const string CallerNumber = "+7 (912) 555-01-23";
    static readonly string[] CallerForms = [CallerNumber, "79125550123", "555-01-23"];

    readonly string database = $"queue_t_{Guid.NewGuid():N}";
    readonly string logPath = Path.Combine(Path.GetTempPath(), $"queue-telemetry-{Guid.NewGuid():N}.log");
    readonly TestRedis redis = new(TestRedis.BaseConnectionString, $"t{Guid.NewGuid():N}:");
    readonly OtlpCollector collector = new();
    ServiceProcess service = null!;

    public async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(database);
        await collector.StartAsync();
        service = await ServiceProcess.StartAsync(Path.Combine(AppContext.BaseDirectory, "Queue.dll"),
            new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = database }.ConnectionString, QueueApp.CallerSecret,
            logPath, CancellationToken.None, new Dictionary<string, string>
            {
                ["ConnectionStrings__Redis"] = TestRedis.BaseConnectionString,
                ["Queue__Live__KeyPrefix"] = redis.Prefix,
                ["Queue__Jobs__Server"] = "false",
                ["Queue__Telemetry__OtlpEndpoint"] = collector.Url,
                ["Queue__Telemetry__OtlpProtocol"] = "HttpProtobuf",
                // Export soon rather than every 5 s (spans, logs) and 60 s (metrics).
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
                ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
                ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
                // Everything ASP.NET Core and the service say, down to Debug: none of it may hold a secret.
                ["Logging__LogLevel__Default"] = "Debug",
                ["Logging__LogLevel__Microsoft.AspNetCore"] = "Debug",
                ["Logging__LogLevel__Npgsql"] = "Information",
            });
    }

    [Fact]
    public async Task Logs_are_json_with_trace_ids_exports_reach_the_collector_and_neither_holds_a_number_or_a_key()
    {
        var wallboardKey = await service.CreateKeyAsync("telemetry wallboard", "wallboard", CancellationToken.None);
        using var http = new HttpClient { BaseAddress = service.Address };
        http.DefaultRequestHeaders.Add("X-Api-Key", service.AdminKey);
        var trace = ActivityTraceId.CreateRandom();
        using var post = new HttpRequestMessage(HttpMethod.Post, "api/events")
        {
            Content = JsonContent.Create(new JsonArray(Ev.Queued("st-1", DateTimeOffset.UtcNow.AddSeconds(-5), "st-call", "st-queue", caller: CallerNumber))),
        };
        post.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        using var posted = await http.SendAsync(post);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = service.Address };
        using var negotiated = await anonymous.PostAsync($"hubs/live/negotiate?negotiateVersion=1&access_token={Uri.EscapeDataString(wallboardKey)}", null);
        Assert.Equal(HttpStatusCode.OK, negotiated.StatusCode);
        using var jobs = await anonymous.GetAsync($"jobs?key={Uri.EscapeDataString(service.AdminKey)}");
        Assert.Equal(HttpStatusCode.Redirect, jobs.StatusCode);

        // OTLP: the ingest trace (its id, as bytes), the service's metrics, its logs.
        var traceBytes = Convert.FromHexString(trace.ToHexString());
        await UntilAsync(() => collector.Received("/v1/traces", traceBytes)
            && collector.Received("/v1/metrics", "queue.events.accepted"u8.ToArray())
            && collector.Received("/v1/logs", "Queue"u8.ToArray()), "traces, metrics and logs exported");

        // The log: one JSON object a line; a request's lines carry its trace id among their scopes.
        var lines = await LogLinesAsync();
        var json = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(json.Count > 10, $"{json.Count} JSON lines of {lines.Count}");
        Assert.All(json, j => Assert.True(j.TryGetProperty("Category", out _) && j.TryGetProperty("LogLevel", out _), j.ToString()));
        Assert.Contains(json, j => j.TryGetProperty("Scopes", out var scopes)
            && scopes.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out var id) && id.GetString() == trace.ToHexString()));

        var exported = collector.Exports.Select(e => Encoding.UTF8.GetString(e.Body)).ToList();
        foreach (var secret in CallerForms.Append(wallboardKey).Append(service.AdminKey))
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(exported, e => e.Contains(secret, StringComparison.Ordinal));
        }
    }

    async Task<List<string>> LogLinesAsync()
    {
        await using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (await reader.ReadLineAsync() is { } line) lines.Add(line);
        return lines;
    }

    static async Task UntilAsync(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("not within 20 s: " + what);
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (service is not null) await service.DisposeAsync();
        await collector.DisposeAsync();
        await redis.DeleteKeysAsync();
        await redis.DisposeAsync();
        await TestDatabase.DropAsync(database);
        File.Delete(logPath);
    }
}
