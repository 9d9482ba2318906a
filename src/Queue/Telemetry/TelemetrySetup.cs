using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Queue.Auth;
using StackExchange.Redis;

namespace Queue.Telemetry;

/// <summary>Metrics, traces and their export, from <c>Queue:Telemetry</c> (docs/telemetry.md).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Queue:Telemetry";

    /// <summary>
    /// An OpenTelemetry collector to send traces, metrics and logs to (OTLP), such as <c>http://collector:4317</c>.
    /// Empty: the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, if set; otherwise nothing is sent.
    /// </summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>How <see cref="OtlpEndpoint"/> is spoken to: <c>Grpc</c> (port 4317) or <c>HttpProtobuf</c> (port 4318).</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>Whether <c>GET /metrics</c> asks for an API key (of role wallboard, supervisor or admin). Off: open to any caller.</summary>
    public bool MetricsKeyRequired { get; set; }

    /// <summary>Whether spans are made at all. Unset: when they go somewhere (OTLP export on).</summary>
    public bool? Traces { get; set; }

    /// <summary>The collector's URL; null when none is set or it is not an http(s) URL (start-up validation says so).</summary>
    internal Uri? Otlp() =>
        Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    internal bool OtlpConfigured(IConfiguration configuration) =>
        OtlpEndpoint.Length > 0 || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
}

public static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    /// <summary>The <c>Queue</c> meter and activity source, OpenTelemetry with its instrumentation and exporters, health checks.</summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.OtlpEndpoint.Length == 0 || o.Otlp() is not null,
                $"{TelemetryOptions.Section}:OtlpEndpoint must be an http or https URL, such as http://collector:4317")
            .ValidateOnStart();
        builder.Services.AddOptions<HealthOptions>().BindConfiguration(HealthOptions.Section)
            .Validate(o => o.MaxLiveLag > TimeSpan.Zero && o.CheckTimeout > TimeSpan.Zero, $"{HealthOptions.Section} times must be positive")
            .ValidateOnStart();

        builder.Services.AddSingleton<QueueMetrics>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, IngestRefusals>();
        builder.Services.AddSingleton<HubConnections>();
        builder.Services.Configure<HubOptions>(o => o.AddFilter<HubConnections>());

        // Read here, as the pipelines are built here: appsettings and the environment are in, not what a test host adds later.
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otlp = options.OtlpConfigured(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("queue", serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(Metrics);
        // Off, no span is made at all (StartActivity answers null): nothing is spent on traces that go nowhere.
        if (options.Traces ?? otlp) telemetry.WithTracing(Tracing);
        if (options.Otlp() is { } collector) telemetry.UseOtlpExporter(options.OtlpProtocol, collector);
        else if (options.OtlpEndpoint.Length == 0 && otlp) telemetry.UseOtlpExporter();
        // After OpenTelemetry's own start-up, so the meter is listened to when its series are put at 0.
        builder.Services.AddHostedService<MetricsStart>();

        builder.Services.AddHealthChecks()
            .AddNpgSql(sp => sp.GetRequiredService<NpgsqlDataSource>(), name: "postgresql", tags: [Ready, ReadyForIngest], timeout: CheckTimeout(builder))
            .AddRedis(sp => sp.GetRequiredService<IConnectionMultiplexer>(), name: "redis", tags: [Ready], timeout: CheckTimeout(builder))
            .AddCheck<MigrationsCheck>("migrations", tags: [Ready, ReadyForIngest], timeout: CheckTimeout(builder));
        return builder;
    }

    /// <summary>Checks <c>/health/ready</c> asks; a part of the service adds its own with this tag.</summary>
    public const string Ready = "ready";
    const string ReadyForIngest = "ingest";

    /// <summary>What is measured: the service's meter, requests and HTTP calls, the runtime, PostgreSQL; scraped as Prometheus text.</summary>
    static void Metrics(MeterProviderBuilder metrics)
    {
        metrics
            .AddMeter(QueueMetrics.Name)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddNpgsqlInstrumentation()
            .AddPrometheusExporter(o =>
            {
                // Every scrape sees the counters as they are: a scrape every few seconds costs little.
                o.ScrapeResponseCacheDurationMilliseconds = 0;
                // Series carry only the labels of docs/telemetry.md, not the meter's name and version.
                o.ScopeInfoEnabled = false;
            });
        ((IDeferredMeterProviderBuilder)metrics).Configure(OwnMetersOnly);
    }

    // A meter made by another host's factory (two services in one process, as in tests) is that host's to export:
    // the listener sees every meter of a name, whoever made it.
    static void OwnMetersOnly(IServiceProvider services, MeterProviderBuilder metrics)
    {
        var own = services.GetRequiredService<IMeterFactory>();
        metrics.AddView(i => i.Meter.Scope is IMeterFactory f && f != own ? MetricStreamConfiguration.Drop : null);
    }

    /// <summary>What is traced: the service's spans, requests (not scrapes and probes), HTTP calls, PostgreSQL and Redis.</summary>
    internal static void Tracing(TracerProviderBuilder tracing) => tracing
        .SetSampler(new ParentBasedSampler(new NoLoneClientSpans()))
        .AddSource(QueueMetrics.Name)
        .AddAspNetCoreInstrumentation(o =>
        {
            o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath) && !http.Request.Path.StartsWithSegments("/health");
            o.EnrichWithHttpRequest = QueryRedaction.Enrich;
        })
        .AddHttpClientInstrumentation()
        .AddNpgsql()
        .AddRedisInstrumentation();

    static TimeSpan CheckTimeout(WebApplicationBuilder builder) =>
        builder.Configuration.GetSection(HealthOptions.Section).Get<HealthOptions>()?.CheckTimeout ?? new HealthOptions().CheckTimeout;

    /// <summary><c>GET /metrics</c> (Prometheus), <c>GET /health/live</c>, <c>GET /health/ready</c> and <c>GET /health/ready/ingest</c>.</summary>
    public static IEndpointRouteBuilder MapTelemetry(this IEndpointRouteBuilder app)
    {
        var scrape = app.MapPrometheusScrapingEndpoint(MetricsPath).ExcludeFromDescription();
        if (app.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.MetricsKeyRequired)
            scrape.RequireAuthorization(Policies.Read);
        else
            scrape.AllowAnonymous();

        // Liveness: the process answers; no dependency is asked, so an outage elsewhere does not get nodes restarted.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthJson.WriteAsync })
            .AllowAnonymous().ExcludeFromDescription();
        // Readiness: PostgreSQL and Redis answer, the schema is this code's, live state is fresh. 503 otherwise.
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = HealthJson.WriteAsync })
            .AllowAnonymous().ExcludeFromDescription();
        // Ready to take events: PostgreSQL answers and the schema is this code's. What a load balancer routes on: with
        // Redis down every node would fail /health/ready at once and events would be refused, though PostgreSQL takes
        // them and live state catches up afterwards (SPEC §2); pages then say their connection is lost.
        app.MapHealthChecks("/health/ready/ingest", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyForIngest), ResponseWriter = HealthJson.WriteAsync })
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}

/// <summary>Puts the service's series at 0 once the meter provider listens (see <see cref="QueueMetrics.Initialize"/>).</summary>
internal sealed class MetricsStart(QueueMetrics metrics, IEnumerable<IMetricSeed> seeds) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        metrics.Initialize();
        foreach (var seed in seeds) seed.Seed(metrics);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
