using Npgsql;

namespace Queue.Storage;

public static class StorageExtensions
{
    /// <summary>The PostgreSQL data source (the system of record) and its schema migrations.</summary>
    public static WebApplicationBuilder AddQueueStorage(this WebApplicationBuilder builder)
    {
        // Resolved when first needed, so that every configuration source (tests' included) has been applied.
        builder.Services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString("Queue")
                ?? throw new InvalidOperationException("ConnectionStrings:Queue is not set (environment: ConnectionStrings__Queue)");
            var csb = new NpgsqlConnectionStringBuilder(connectionString);
            // An unreachable database must turn into a 503 within 2 s, not hang a client for Npgsql's default 15 s.
            if (csb.Timeout == 15) csb.Timeout = 2;
            csb.ApplicationName ??= "queue";
            // Ingest runs the same few statements all day: prepare them once per connection.
            if (csb.MaxAutoPrepare == 0) csb.MaxAutoPrepare = 64;
            return new NpgsqlDataSourceBuilder(csb.ConnectionString)
                .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
                .Build();
        });
        builder.Services.AddSingleton<Migrator>();
        return builder;
    }
}

public static class StorageStartup
{
    /// <summary>Applies migrations (waiting up to a minute for PostgreSQL) and the bootstrap admin key.</summary>
    public static async Task PrepareStorageAsync(this IServiceProvider services, IConfiguration configuration, CancellationToken ct)
    {
        await services.GetRequiredService<Migrator>().MigrateAsync(TimeSpan.FromMinutes(1), ct);
        var bootstrap = configuration["QUEUE_BOOTSTRAP_ADMIN_KEY"];
        if (string.IsNullOrEmpty(bootstrap)) return;
        if (bootstrap.Length < 16)
            throw new InvalidOperationException("QUEUE_BOOTSTRAP_ADMIN_KEY must be at least 16 characters");
        await services.GetRequiredService<Queue.Auth.ApiKeyStore>().EnsureBootstrapAdminAsync(bootstrap, ct);
    }
}
