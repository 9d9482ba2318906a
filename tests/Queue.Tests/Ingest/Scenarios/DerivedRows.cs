using System.Globalization;
using Npgsql;

namespace Queue.Tests.Ingest.Scenarios;

/// <summary>One row as text, so stored and expected rows compare (and differ) readably.</summary>
public static class Row
{
    public static string Of(params object?[] values) => string.Join(" | ", values.Select(Text));

    static string Text(object? value) => value switch
    {
        null or DBNull => "∅",
        DateTimeOffset t => Utc(t.UtcDateTime),
        DateTime t => Utc(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "∅",
    };

    static string Utc(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The derived tables as stored, in a fixed order (ids compared byte-wise, as the folds compare them).</summary>
public static class DerivedRows
{
    public const string Calls = """
        select call_id, region, language, segment, caller_hash, last_queue, legs, completed_at, resolution, visit_id
        from calls order by call_id collate "C"
        """;

    public const string Legs = """
        select call_id, leg, queue, started_at, ended_at, outcome, agent_id, region, language, segment from legs order by call_id collate "C", leg
        """;

    public const string Missed = """
        select call_id, offer, agent_id, at, queue from missed_offers order by call_id collate "C", offer
        """;

    public const string Visits = """
        select visit_id, call_id, region, created_at, due24, due48, resolved_at, cancelled_at from visits order by visit_id collate "C"
        """;

    public const string Agents = """
        select agent_id, status, status_at, status_event, status_reason, queues::text, queues_at, queues_event from agents order by agent_id collate "C"
        """;

    /// <summary>Empties the event log and everything derived from it, so the next scenario starts from nothing.</summary>
    public const string Truncate = "truncate events, event_keys, legs, missed_offers, calls, visits, agents";

    /// <summary>
    /// <see cref="Truncate"/> (and <paramref name="also"/>, e.g. <c>", alerts cascade"</c>), again if PostgreSQL chose it
    /// as a deadlock's victim: the service's live follower reads these tables meanwhile, and a read that takes its locks
    /// in another order than the truncate's can deadlock with it.
    /// </summary>
    public static async Task TruncateAsync(NpgsqlDataSource db, string also = "")
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var truncate = db.CreateCommand(Truncate + also);
                await truncate.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                // the follower's read went on; the truncate goes again
            }
        }
    }

    public static async Task<List<string>> ReadAsync(NpgsqlDataSource db, string sql)
    {
        await using var connection = await db.OpenConnectionAsync();
        return await ReadAsync(connection, sql);
    }

    /// <summary>Reads on the given connection, inside whatever transaction (and snapshot) it has open.</summary>
    public static async Task<List<string>> ReadAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        var values = new object?[reader.FieldCount];
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(Row.Of(values));
        }
        return rows;
    }
}
