using Npgsql;
using Queue.Tests.Ingest.Scenarios;

namespace Queue.Tests.Infrastructure;

/// <summary>What PostgreSQL and live state must hold after an <see cref="IngestLoad"/>, whatever happened to the service meanwhile.</summary>
public static class LoadCheck
{
    /// <summary>Acknowledged ids that PostgreSQL does not hold: lost events. Empty when none is.</summary>
    public static async Task<List<string>> LostAsync(IngestLoad load, NpgsqlDataSource db)
    {
        await using var command = db.CreateCommand("select u.id from unnest($1::text[]) as u(id) where not exists (select 1 from events e where e.id = u.id)");
        command.Parameters.Add(new NpgsqlParameter { Value = load.Acknowledged.Distinct().ToArray() });
        var lost = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lost.Add(reader.GetString(0));
        return lost;
    }

    /// <summary>
    /// Every way the load's stored events and what is derived from them disagree: an id without its event or an event
    /// without its id, an event that was never sent, and any call, leg, visit or agent row other than the plain
    /// recomputation (<see cref="Reference"/>) from exactly the events stored. A batch stored in part, or stored
    /// without its derived rows, shows here. Empty when the tables are whole.
    /// </summary>
    public static async Task<List<string>> HalfStoredAsync(IngestLoad load, NpgsqlDataSource db)
    {
        var problems = new List<string>();
        // One snapshot for every read: a batch whose answer was given up on may still commit meanwhile.
        await using var connection = await db.OpenConnectionAsync();
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
        await using (var keys = new NpgsqlCommand("""
            select count(*) filter (where e.id is null), count(*) filter (where k.id is null)
            from event_keys k full join events e on e.id = k.id
            where left(coalesce(k.id, e.id), length($1)) = $1
            """, connection))
        {
            keys.Parameters.Add(new NpgsqlParameter { Value = load.Tag + "-" });
            await using var reader = await keys.ExecuteReaderAsync();
            await reader.ReadAsync();
            if (reader.GetInt64(0) > 0) problems.Add($"{reader.GetInt64(0)} event ids are kept without their event");
            if (reader.GetInt64(1) > 0) problems.Add($"{reader.GetInt64(1)} events are stored without their id");
        }

        var stored = new List<ScenarioEvent>();
        await using (var events = new NpgsqlCommand("select id from events where left(id, length($1)) = $1", connection))
        {
            events.Parameters.Add(new NpgsqlParameter { Value = load.Tag + "-" });
            await using var reader = await events.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var id = reader.GetString(0);
                if (load.Sent.TryGetValue(id, out var e)) stored.Add(e);
                else problems.Add($"event {id} is stored but was never sent");
            }
        }

        var reference = new Reference(new Scenario(stored), load.T0, QueueApp.CallerSecret);
        Compare("calls", reference.CallRows, await DerivedRows.ReadAsync(connection, DerivedRows.Calls), load.Tag, problems);
        Compare("legs", reference.LegRows, await DerivedRows.ReadAsync(connection, DerivedRows.Legs), load.Tag, problems);
        Compare("visits", reference.VisitRows, await DerivedRows.ReadAsync(connection, DerivedRows.Visits), load.Tag, problems);
        Compare("agents", reference.AgentRows, await DerivedRows.ReadAsync(connection, DerivedRows.Agents), load.Tag, problems);
        return problems;
    }

    /// <summary>
    /// Waits until no transaction that writes is open in the database: a batch answered 503 after the ingest deadline
    /// (or cut off by a client's timeout) may still be committing after its client moved on.
    /// </summary>
    public static async Task QuietAsync(NpgsqlDataSource db, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            await using var command = db.CreateCommand("""
                select count(*) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and backend_xid is not null
                """);
            var writing = (long)(await command.ExecuteScalarAsync())!;
            if (writing == 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{writing} transactions still writing after {timeout ?? TimeSpan.FromSeconds(30)}");
            await Task.Delay(20);
        }
    }

    /// <summary>Every way live state differs from PostgreSQL, for the center and each of the load's queues.</summary>
    public static async Task<List<string>> LiveDifferencesAsync(IngestLoad load, HttpClient http, NpgsqlDataSource db)
    {
        var problems = new List<string>();
        foreach (var scope in load.Queues.Prepend(null)) problems.AddRange(await LiveCheck.DifferencesAsync(http, db, scope));
        return problems;
    }

    static void Compare(string table, IEnumerable<string> expected, List<string> stored, string tag, List<string> problems)
    {
        var wanted = expected.ToList();
        var mine = stored.Where(r => r.StartsWith(tag + "-", StringComparison.Ordinal)).ToList();
        if (wanted.SequenceEqual(mine)) return;
        var missing = wanted.Except(mine).ToList();
        var extra = mine.Except(wanted).ToList();
        problems.Add($"{table}: {missing.Count} rows missing or different, {extra.Count} unexpected (− expected only, + stored only):");
        problems.AddRange(missing.Take(10).Select(r => "  − " + r));
        problems.AddRange(extra.Take(10).Select(r => "  + " + r));
    }
}
