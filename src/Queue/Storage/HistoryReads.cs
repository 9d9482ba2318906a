using Microsoft.Extensions.Options;
using Npgsql;

namespace Queue.Storage;

/// <summary>
/// A read replica for queries over history, from <c>Queue:Replica</c>; the replica itself is
/// <c>ConnectionStrings:QueueReplica</c> (a PostgreSQL standby of the primary). Without one, everything reads the primary.
/// </summary>
public sealed class ReplicaOptions
{
    public const string Section = "Queue:Replica";

    /// <summary>
    /// A window that ends within this of now is read from the primary: a replica replays the primary's changes a little
    /// later (usually well under a second; minutes when it falls behind), and figures of the last minutes must be exact.
    /// </summary>
    public TimeSpan PrimaryWithin { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Where read-only queries over history go (docs/adr/0007): reports, <c>/api/metrics</c> and day trends of windows that
/// ended before <see cref="ReplicaOptions.PrimaryWithin"/> read the replica when one is configured, so that a week's
/// report scanning millions of legs takes nothing from ingest; the rest, and every write, stays on the primary.
/// </summary>
internal sealed class HistoryReads(NpgsqlDataSource primary, NpgsqlDataSource? replica, TimeSpan primaryWithin) : IAsyncDisposable
{
    public bool HasReplica => replica is not null;

    /// <summary>The data source for a read of a window ending at <paramref name="to"/>, <paramref name="now"/> being now.</summary>
    public NpgsqlDataSource For(DateTimeOffset to, DateTimeOffset now) => replica is not null && to <= now - primaryWithin ? replica : primary;

    public ValueTask DisposeAsync() => replica?.DisposeAsync() ?? ValueTask.CompletedTask;
}

public static class HistoryReadsSetup
{
    public static WebApplicationBuilder AddHistoryReads(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReplicaOptions>().BindConfiguration(ReplicaOptions.Section)
            .Validate(o => o.PrimaryWithin >= TimeSpan.Zero, $"{ReplicaOptions.Section}:PrimaryWithin must not be negative")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
        {
            var replica = sp.GetRequiredService<IConfiguration>().GetConnectionString("QueueReplica");
            return new HistoryReads(sp.GetRequiredService<NpgsqlDataSource>(),
                string.IsNullOrWhiteSpace(replica) ? null : StorageExtensions.Build(sp, replica, commandTimeout: null),
                sp.GetRequiredService<IOptions<ReplicaOptions>>().Value.PrimaryWithin);
        });
        return builder;
    }
}
