using Npgsql;
using Queue.Figures;
using Queue.Redis;
using Queue.Targets;

namespace Queue.Live;

/// <summary>
/// Whether live state equals PostgreSQL: each live window of the center and of every queue against
/// <see cref="MetricsQuery"/> over the same bounds, and the legs waiting against those open in PostgreSQL. Live state is
/// read at one instant, so that a window's figures in Redis and in PostgreSQL must agree once every event before it is
/// in both; a difference is read again a few times and reported only if it stays.
/// </summary>
internal sealed partial class LiveChecker(LiveView view, LiveReader reader, LiveStore store, MetricsQuery metrics, QueueTargets targets,
    NpgsqlDataSource db, LiveRules rules, TimeProvider time, ILogger<LiveChecker> logger)
{
    /// <summary>Readings of a queue that differs, the first included; the pauses between them double from the first.</summary>
    const int Readings = 5;
    static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(200);
    const int AtOnce = 4;

    // Legs open in PostgreSQL that live state counts: those that started within GhostAfter (LiveParts.OfCall).
    const string OpenLegsSql = """
        select call_id, leg from legs
        where ended_at is null and started_at >= $2 and ($1::text is null or queue = $1)
        """;

    /// <summary>Checks one queue, or the center and every queue with live state (null).</summary>
    public async Task<LiveCheckReport> CheckAsync(string? queue, CancellationToken ct)
    {
        var at = Micros.Truncate(time.GetUtcNow());
        IReadOnlyList<string?> subjects = queue is not null ? [queue] : [null, .. await store.QueuesAsync()];
        var found = new IReadOnlyList<LiveDifference>[subjects.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, subjects.Count), new ParallelOptions { MaxDegreeOfParallelism = AtOnce, CancellationToken = ct },
            async (i, token) => found[i] = await CheckAsync(subjects[i], at, token));
        var differences = found.SelectMany(d => d).ToList();
        var report = new LiveCheckReport(differences.Count == 0, at, queue, subjects.Count(s => s is not null), differences);
        if (!report.Equal) LogDiffers(logger, differences.Count, report.Text());
        return report;
    }

    async Task<IReadOnlyList<LiveDifference>> CheckAsync(string? queue, DateTimeOffset at, CancellationToken ct)
    {
        var differences = LiveComparison.Differences(await ReadAsync(queue, at, ct));
        var pause = FirstPause;
        for (var reading = 2; reading <= Readings && differences.Count > 0; reading++, pause *= 2)
        {
            // On the real clock, not the service's: what it waits for is events on their way reaching both sides.
            await Task.Delay(pause, ct);
            differences = LiveComparison.Persisting(differences, LiveComparison.Differences(await ReadAsync(queue, at, ct)));
        }
        return differences.Select(d => d.Difference).ToList();
    }

    async Task<LiveReading> ReadAsync(string? queue, DateTimeOffset at, CancellationToken ct)
    {
        // Live state first: an event committed between the two reads is then in PostgreSQL only, and in both by the next.
        var counts = queue is null ? await view.CenterCountsAsync(at) : await reader.ReadAsync(queue, at);
        var listed = await ListedAsync(queue, at);
        var live = Snapshot.Of(queue, 0, counts, targets.For(queue));
        var filter = new MetricsFilter(queue);
        var w = live.Windows;
        return new LiveReading(queue, live,
            await metrics.GetAsync(w.M15.From, w.M15.To, filter, targets.Defaults, at, ct),
            await metrics.GetAsync(w.M60.From, w.M60.To, filter, targets.Defaults, at, ct),
            await metrics.GetAsync(w.Today.From, w.Today.To, filter, targets.Defaults, at, ct),
            await metrics.GetAsync(live.Visits.From, live.Visits.To, filter, targets.Defaults, at, ct),
            listed, await OpenAsync(queue, at, ct));
    }

    /// <summary>The legs the queue's detail lists as waiting (every queue's, for the center).</summary>
    async Task<IReadOnlySet<string>> ListedAsync(string? queue, DateTimeOffset at)
    {
        IReadOnlyList<string> queues = queue is not null ? [queue] : await store.QueuesAsync();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var q in queues)
            foreach (var (_, info) in await reader.WaitingAsync(q, at)) listed.Add(LegMember.Of(info.CallId, info.Leg));
        return listed;
    }

    async Task<IReadOnlySet<string>> OpenAsync(string? queue, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = db.CreateCommand(OpenLegsSql);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)queue ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (at - rules.GhostAfter).UtcDateTime });
        await using var rows = await command.ExecuteReaderAsync(ct);
        var open = new HashSet<string>(StringComparer.Ordinal);
        while (await rows.ReadAsync(ct)) open.Add(LegMember.Of(rows.GetString(0), rows.GetInt32(1)));
        return open;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live state differs from PostgreSQL in {Figures} figures: {Report}")]
    static partial void LogDiffers(ILogger logger, int figures, string report);
}
