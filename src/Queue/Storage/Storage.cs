using Npgsql;

namespace Queue.Storage;

public static class StorageExtensions
{
    /// <summary>A data source on <c>ConnectionStrings:Queue</c> whose statements time out after <paramref name="commandTimeout"/>.</summary>
    internal static NpgsqlDataSource Build(IServiceProvider sp, TimeSpan? commandTimeout) =>
        Build(sp, sp.GetRequiredService<IConfiguration>().GetConnectionString("Queue")
            ?? throw new InvalidOperationException("ConnectionStrings:Queue is not set (environment: ConnectionStrings__Queue)"), commandTimeout);

    internal static NpgsqlDataSource Build(IServiceProvider sp, string connectionString, TimeSpan? commandTimeout)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        // An unreachable database must turn into a 503 within 2 s, not hang a client for Npgsql's default 15 s.
        if (csb.Timeout == 15) csb.Timeout = 2;
        // A statement that times out breaks its connection at once rather than waiting for PostgreSQL to
        // acknowledge a cancel request: an unresponsive server must not hold a request.
        if (csb.CancellationTimeout == 2000) csb.CancellationTimeout = -1;
        if (commandTimeout is { } t) csb.CommandTimeout = Math.Max(1, (int)Math.Ceiling(t.TotalSeconds));
        csb.ApplicationName ??= "queue";
        // Ingest runs the same few statements all day: prepare them once per connection.
        if (csb.MaxAutoPrepare == 0) csb.MaxAutoPrepare = 64;
        return new NpgsqlDataSourceBuilder(csb.ConnectionString)
            .UseLoggerFactory(sp.GetRequiredService<ILoggerFactory>())
            .Build();
    }

    /// <summary>The PostgreSQL data source (the system of record) and its schema migrations.</summary>
    public static WebApplicationBuilder AddQueueStorage(this WebApplicationBuilder builder)
    {
        // Resolved when first needed, so that every configuration source (tests' included) has been applied.
        builder.Services.AddSingleton(sp => Build(sp, commandTimeout: null));
        builder.Services.AddSingleton<Migrator>();
        builder.AddHistoryReads();
        return builder;
    }
}

public static class StorageStartup
{
    /// <summary>Applies migrations, waiting up to a minute for PostgreSQL.</summary>
    public static Task PrepareStorageAsync(this IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<Migrator>().MigrateAsync(TimeSpan.FromMinutes(1), ct);
}
