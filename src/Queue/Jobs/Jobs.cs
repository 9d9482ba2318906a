using System.ComponentModel.DataAnnotations;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Queue.Jobs;

/// <summary>Scheduled work (Hangfire on PostgreSQL), from <c>Queue:Jobs</c>.</summary>
public sealed class JobsOptions
{
    public const string Section = "Queue:Jobs";
    public const string Schema = "hangfire";

    /// <summary>Whether this node runs a Hangfire server (workers, the recurring-job scheduler). Every node may.</summary>
    public bool Server { get; set; } = true;

    [Range(1, 64)]
    public int Workers { get; set; } = 2;

    /// <summary>How often an idle worker looks for a job in PostgreSQL.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Hangfire with its storage in PostgreSQL (schema <c>hangfire</c>, the service's connection string) and a server in
/// each node: a recurring job fires once per occurrence however many nodes run, because the scheduler takes a
/// distributed lock in PostgreSQL. Storage, activator and managers live in this service provider, not in Hangfire's
/// process-wide <c>JobStorage.Current</c>, so that two services in one process (tests) do not share them.
/// </summary>
public static class JobsSetup
{
    const long InstallLock = 0x5155_4555_4A4F_4253; // "QUEUEJOBS"

    public static WebApplicationBuilder AddJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Registered before AddHangfire, which only adds its own where none is.
        builder.Services.AddSingleton<JobStorage>(sp =>
        {
            var cs = new NpgsqlConnectionStringBuilder(ConnectionString(sp)) { ApplicationName = "queue-jobs" };
            var o = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(cs.ConnectionString, Options(o)), Options(o));
        });
        // This container's own: Hangfire's default hands out the process-wide activator, which the last service
        // configured in the process owns (a test process runs several), so jobs would run in another's container.
        builder.Services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(HangfireLogs.Instance));
        builder.Services.AddHostedService<JobServer>();
        return builder;
    }

    /// <summary>Hangfire's server in this node, when <see cref="JobsOptions.Server"/>; stopped with the service.</summary>
    sealed class JobServer(IServiceProvider services, IOptions<JobsOptions> options, JobStorage storage, ILoggerFactory logs) : IHostedService
    {
        BackgroundJobServer? server;
        IDisposable? logging;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            // Resolving it applies the configuration (the log provider among it) before anything logs.
            services.GetRequiredService<IGlobalConfiguration>();
            logging = HangfireLogs.Attach(logs);
            var o = options.Value;
            if (!o.Server) return Task.CompletedTask;
            server = new BackgroundJobServer(new BackgroundJobServerOptions
            {
                WorkerCount = o.Workers,
                SchedulePollingInterval = o.PollInterval,
                Activator = services.GetRequiredService<JobActivator>(),
                FilterProvider = services.GetService<Hangfire.Common.IJobFilterProvider>() ?? Hangfire.Common.JobFilterProviders.Providers,
                TimeZoneResolver = services.GetService<ITimeZoneResolver>(),
            }, storage);
            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (server is not null)
            {
                server.SendStop();
                await server.WaitForShutdownAsync(cancellationToken);
                server.Dispose();
            }
            logging?.Dispose();
        }
    }

    static PostgreSqlStorageOptions Options(JobsOptions o) => new()
    {
        SchemaName = JobsOptions.Schema,
        // Installed by PrepareJobsAsync, under a lock: nodes starting together would race.
        PrepareSchemaIfNecessary = false,
        QueuePollInterval = o.PollInterval,
    };

    static string ConnectionString(IServiceProvider sp) => sp.GetRequiredService<IConfiguration>().GetConnectionString("Queue")
        ?? throw new InvalidOperationException("ConnectionStrings:Queue is not set (environment: ConnectionStrings__Queue)");

    /// <summary>Installs or upgrades Hangfire's schema, one node at a time.</summary>
    public static async Task PrepareJobsAsync(this IServiceProvider services, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(services));
        await connection.OpenAsync(ct);
        await using (var take = new NpgsqlCommand($"select pg_advisory_lock({InstallLock})", connection))
            await take.ExecuteNonQueryAsync(ct);
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, JobsOptions.Schema);
        }
        finally
        {
            await using var release = new NpgsqlCommand($"select pg_advisory_unlock({InstallLock})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
