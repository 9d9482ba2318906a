using Dapper;
using Npgsql;

namespace Queue.Targets;

/// <summary>What an admin set for one queue: each target or threshold, or null for the configured default.</summary>
public sealed record TargetOverrides(
    double? WaitSeconds = null, double? Remote = null, double? Visit24 = null, double? Visit48 = null,
    double? ServiceLevelThresholdSeconds = null, double? ShortAbandonSeconds = null, int? MinimumSample = null,
    double? ServiceLevel = null, double? Abandonment = null)
{
    public bool IsEmpty => this == new TargetOverrides();
}

/// <summary>One queue's stored overrides, who set them and when.</summary>
public sealed record StoredTargets(string Queue, TargetOverrides Set, DateTimeOffset UpdatedAt, string UpdatedBy);

/// <summary>Per-queue targets in PostgreSQL (table <c>queue_targets</c>); intervals there, seconds here.</summary>
internal sealed class QueueTargetsStore(NpgsqlDataSource db)
{
    const string Columns = """
        queue, extract(epoch from wait)::float8 as wait, remote, visit24, visit48,
        extract(epoch from service_level)::float8 as service_level, extract(epoch from short_abandon)::float8 as short_abandon,
        minimum_sample, service_level_share, abandonment, updated_at, updated_by
        """;

    public async Task<IReadOnlyList<StoredTargets>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"select {Columns} from queue_targets order by queue", cancellationToken: ct));
        return rows.Select(r => r.ToStored()).ToList();
    }

    /// <summary>Replaces the queue's overrides (null columns take the default); answers what is now stored.</summary>
    public async Task<StoredTargets> PutAsync(string queue, TargetOverrides set, string by, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition($"""
            insert into queue_targets as t (queue, wait, remote, visit24, visit48, service_level, short_abandon, minimum_sample,
                                            service_level_share, abandonment, updated_at, updated_by)
            values (@queue, make_interval(secs => @wait), @remote, @visit24, @visit48, make_interval(secs => @sl), make_interval(secs => @short),
                    @sample, @share, @abandonment, @at, @by)
            on conflict (queue) do update set wait = excluded.wait, remote = excluded.remote, visit24 = excluded.visit24,
                visit48 = excluded.visit48, service_level = excluded.service_level, short_abandon = excluded.short_abandon,
                minimum_sample = excluded.minimum_sample, service_level_share = excluded.service_level_share,
                abandonment = excluded.abandonment,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by
            returning {Columns}
            """, new
        {
            queue, wait = set.WaitSeconds, set.Remote, set.Visit24, set.Visit48, sl = set.ServiceLevelThresholdSeconds,
            @short = set.ShortAbandonSeconds, sample = set.MinimumSample, share = set.ServiceLevel, abandonment = set.Abandonment, at = at.UtcDateTime, by,
        }, cancellationToken: ct));
        return row.ToStored();
    }

    /// <summary>Takes the queue back to the defaults; false if it had no overrides.</summary>
    public async Task<bool> DeleteAsync(string queue, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition("delete from queue_targets where queue = @queue", new { queue }, cancellationToken: ct)) > 0;
    }

    sealed record Row(string Queue, double? Wait, double? Remote, double? Visit24, double? Visit48, double? Service_Level,
        double? Short_Abandon, int? Minimum_Sample, double? Service_Level_Share, double? Abandonment, DateTime Updated_At, string Updated_By)
    {
        public StoredTargets ToStored() => new(Queue,
            new TargetOverrides(Wait, Remote, Visit24, Visit48, Service_Level, Short_Abandon, Minimum_Sample, Service_Level_Share, Abandonment),
            new DateTimeOffset(DateTime.SpecifyKind(Updated_At, DateTimeKind.Utc)), Updated_By);
    }
}
