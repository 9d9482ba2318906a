using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Queue.EventLog;
using Queue.Events;
using Queue.Figures;
using Queue.Redis;
using Queue.Targets;
using Queue.Telemetry;
using StackExchange.Redis;

namespace Queue.Live;

public static class LiveSetup
{
    /// <summary>Redis, the log follower that keeps live state, the publisher, and SignalR with its Redis backplane.</summary>
    public static WebApplicationBuilder AddLiveState(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LiveOptions>().BindConfiguration(LiveOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.PublishInterval > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero && o.BusyPollInterval > TimeSpan.Zero
                && o.ListeningPollInterval > TimeSpan.Zero && o.TrimInterval > TimeSpan.Zero,
                "Queue:Live intervals must be positive")
            .Validate(o => o.RoundHold >= TimeSpan.Zero, "Queue:Live:RoundHold must not be negative")
            .ValidateOnStart();
        // Configuration is read when the services are built, not here: a host (or a test) may still add to it.
        // One multiplexer for live state, created at first use; it reconnects by itself when Redis comes back.
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp => ConnectionMultiplexer.Connect(RedisOptions(sp.GetRequiredService<IConfiguration>())));
        builder.Services.AddSingleton(sp => new LiveKeys(sp.GetRequiredService<IOptions<LiveOptions>>().Value.KeyPrefix));
        builder.Services.AddSingleton(sp => LiveRules.From(sp.GetRequiredService<IOptions<TargetOptions>>().Value, sp.GetRequiredService<IOptions<LiveOptions>>().Value, sp.CenterZone()));
        builder.Services.AddSingleton<CommittedEvents>();
        builder.Services.AddSingleton<LiveSource>();
        builder.Services.AddSingleton<LiveStore>();
        builder.Services.AddSingleton<LiveProjector>();
        builder.Services.AddSingleton<LiveReader>();
        builder.Services.AddSingleton<LiveView>();
        builder.Services.AddSingleton<LiveChecker>();
        builder.Services.AddSingleton<LivePublisher>();
        builder.Services.AddSingleton<DetailWatchers>();
        builder.Services.AddSingleton<DetailPushes>();
        builder.Services.AddSingleton<LiveViews>();
        builder.Services.AddSingleton<LiveDelivery>();
        builder.Services.AddSingleton<LiveFollower>();
        builder.Services.AddSingleton<IMetricSeed, LiveLagGauge>();
        builder.Services.AddHealthChecks().AddCheck<LiveLagCheck>("live-lag", tags: [TelemetrySetup.Ready]);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LivePublisher>());
        // Built here, not from the container: its pauses are real time, not the center's clock that a host may replace.
        builder.Services.AddSingleton(sp => new CommitListener(CommitListener.Source(sp), sp.GetRequiredService<CommitAnnouncer>(), sp.GetRequiredService<ILogger<CommitListener>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CommitListener>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveFollower>());

        // JSON and MessagePack side by side: a client picks one when it connects (ADR 0009).
        builder.Services.AddSignalR().AddMessagePackProtocol(o => o.SerializerOptions = LiveMessagePack.Options).AddStackExchangeRedis();
        // A round's messages to this node's watching screens are written by the node itself (ScreenConnections); the rest
        // (joined groups, alerts, detail) crosses the backplane to whichever node holds the connection.
        builder.Services.AddSingleton<RedisHubLifetimeManager<LiveHub>>();
        builder.Services.AddSingleton<ScreenConnections>();
        builder.Services.AddSingleton<HubLifetimeManager<LiveHub>>(sp => sp.GetRequiredService<ScreenConnections>());
        builder.Services.AddOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>()
            .Configure<IConfiguration, IOptions<LiveOptions>>((o, configuration, live) =>
            {
                o.Configuration = RedisOptions(configuration);
                o.Configuration.ChannelPrefix = RedisChannel.Literal(live.Value.KeyPrefix + "signalr:");
            });
        return builder;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapQueues();
        app.MapHub<LiveHub>(LiveHub.Path);
        return app;
    }

    static ConfigurationOptions RedisOptions(IConfiguration configuration)
    {
        var options = ConfigurationOptions.Parse(configuration.GetConnectionString("Redis") ?? "127.0.0.1:6379");
        // Start without Redis and keep trying: live state is rebuilt as soon as it is reachable.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2_000;
        options.SyncTimeout = 2_000;
        options.AsyncTimeout = 2_000;
        // Reconnection is attempted on the heartbeat: beat often enough that a Redis back from a restart is used
        // again well within the second live state has to be rebuilt in.
        options.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
        options.ReconnectRetryPolicy = new LinearRetry(200);
        return options;
    }
}
