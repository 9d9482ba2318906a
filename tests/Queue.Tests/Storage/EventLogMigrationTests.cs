using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Queue.EventLog;
using Queue.Ingest;
using Queue.Storage;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Storage;

/// <summary>
/// An install from before the event log was partitioned by month (migrations 0001–0012), its events taken by ingest over
/// three months, upgraded: migration 0013 converts the table in place (docs/adr/0007).
/// </summary>
public sealed class EventLogMigrationTests : IAsyncLifetime
{
    readonly MigrationDatabase install = new();
    readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 9, 20, 12, 0, 0, TimeSpan.FromHours(5)));
    NpgsqlDataSource Db => install.Db;

    public ValueTask InitializeAsync() => install.InitializeAsync();

    public ValueTask DisposeAsync() => install.DisposeAsync();

    [Fact]
    public async Task A_populated_event_table_is_partitioned_by_month_with_every_row_kept_and_ingest_still_dedups()
    {
        // Today's ingest stands in for the old one: it also needs the leg columns of 0020, which leaves events alone.
        install.MigrateOnly(n => n is <= 12 or LegCallFields or AgentStatusReason);
        var store = Store();

        // Three months of traffic as ingest stored it, duplicates and all.
        var batches = new List<JsonNode[]>();
        foreach (var (month, day) in ((int, int)[])[(9, 20), (10, 20), (11, 23)])
        {
            time.SetUtcNow(new DateTimeOffset(2026, month, day, 12, 0, 0, TimeSpan.FromHours(5)));
            var batch = Traffic($"m{month}", time.GetUtcNow().AddHours(-2));
            batches.Add(batch);
            Assert.IsType<AppendResult.Stored>(await AppendAsync(store, batch));
            Assert.Equal(new AppendResult.Stored(batch.Length, 0, batch.Length), await AppendAsync(store, batch));
        }
        // Some calls made before their rows had events_from (0012): their history is read from the first month on.
        await using (var older = Db.CreateCommand("update calls set events_from = null where call_id like 'm11-call-%' or call_id like 'm9-%'"))
            Assert.True(await older.ExecuteNonQueryAsync() > 10);
        var events = await SnapshotAsync("select position, tx::text as tx, id, type, at, entity, body::text as body, received_at from events order by position");
        var keys = await SnapshotAsync("select id, encode(content_hash, 'hex') as hash, at from event_keys order by id");
        var derived = await DerivedAsync();
        var last = (string)(await ScalarAsync("select e.tx::text || ':' || e.position from events e order by e.tx desc, e.position desc limit 1"))!;
        Assert.Equal(3 * 49, events.Count);

        await install.UpgradeAsync();

        Assert.Equal("p", await ScalarAsync("select relkind::text from pg_class where relname = 'events'"));
        Assert.Equal(events, await SnapshotAsync("select position, tx::text as tx, id, type, at, entity, body::text as body, received_at from events order by position"));
        Assert.Equal(keys, await SnapshotAsync("select id, encode(content_hash, 'hex') as hash, at from event_keys order by id"));
        Assert.Equal(derived, await DerivedAsync());
        // Each row in the partition of its month (UTC), every month with rows in a partition of its own.
        var placed = await SnapshotAsync("""
            select tableoid::regclass::text as partition, to_char(min(at at time zone 'UTC'), 'YYYY_MM') as first, to_char(max(at at time zone 'UTC'), 'YYYY_MM') as last, count(*) as n
            from events group by 1 order by 1
            """);
        Assert.Equal(["events_2026_09", "events_2026_10", "events_2026_11"], placed.Select(p => p["partition"]));
        Assert.All(placed, p => Assert.Equal(p["partition"], $"events_{p["first"]}"));
        Assert.All(placed, p => Assert.Equal(p["first"], p["last"]));

        // Ingest after the upgrade: the same events again are duplicates, one with other content a conflict, new ones new.
        foreach (var batch in batches.Skip(2)) Assert.Equal(new AppendResult.Stored(batch.Length, 0, batch.Length), await AppendAsync(store, batch));
        var changed = batches[2][0].DeepClone();
        changed["queue"] = "other";
        Assert.IsType<AppendResult.Conflict>(await AppendAsync(store, [changed]));
        var now = time.GetUtcNow();
        Assert.Equal(new AppendResult.Stored(2, 2, 0), await AppendAsync(store,
            [Ev.Completed("m11-after-c", now.AddMinutes(-1), "m11-call-1", "resolved"), Ev.Queued("m11-after-q", now.AddMinutes(-1), "m11-new", "mq")]));
        // Folded with the events stored before the upgrade: the call keeps its legs and is now completed.
        var call = await ScalarAsync("select legs || ':' || resolution from calls where call_id = 'm11-call-1'");
        Assert.Equal("2:resolved", call);

        // Positions go on after the old ones, and a follower's cursor from before the upgrade reads exactly what came after.
        // (An event shows once every older transaction on the server has ended: other test classes' too.)
        var feed = new List<FeedEvent>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (feed.Count < 2 && DateTime.UtcNow < deadline)
        {
            feed = [.. (await new CommittedEvents(Db).ReadAsync(ParseCursor(last), 100, CancellationToken.None)).Events];
            await Task.Delay(20);
        }
        Assert.Equal(["m11-after-c", "m11-after-q"], feed.Select(e => e.Event.Id).Order(StringComparer.Ordinal));
        Assert.All(feed, e => Assert.True(e.Position > events.Max(r => (long)r["position"]!)));
    }

    [Fact]
    public async Task A_call_is_folded_with_its_events_of_earlier_months_and_an_earlier_event_moves_where_its_history_starts()
    {
        await install.UpgradeAsync();
        var store = Store();
        DateTimeOffset Utc(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

        // Answered on the first of December, queued (sent later) on the last evening of November: two partitions.
        time.SetUtcNow(Utc(12, 1, 0, 5));
        Assert.Equal(new AppendResult.Stored(1, 1, 0), await AppendAsync(store, [Ev.Answered("h-a", Utc(12, 1, 0, 4), "h-call", "ag-h")]));
        Assert.Equal("2026-12-01 00:04:00+00", await ScalarAsync("select events_from at time zone 'UTC' || '+00' from calls where call_id = 'h-call'"));
        Assert.Equal(new AppendResult.Stored(1, 1, 0), await AppendAsync(store, [Ev.Queued("h-q", Utc(11, 30, 23, 58), "h-call", "hq")]));
        Assert.Equal("2026-11-30 23:58:00+00", await ScalarAsync("select events_from at time zone 'UTC' || '+00' from calls where call_id = 'h-call'"));
        Assert.Equal(2L, await ScalarAsync("select count(distinct tableoid) from events where entity = 'c:h-call'"));

        // Completed later: folded with both, the one in November included.
        time.SetUtcNow(Utc(12, 1, 0, 20));
        Assert.Equal(new AppendResult.Stored(1, 1, 0), await AppendAsync(store, [Ev.Completed("h-c", Utc(12, 1, 0, 15), "h-call", "resolved")]));
        Assert.Equal("1 hq answered 360 resolved", await ScalarAsync("""
            select c.legs || ' ' || l.queue || ' ' || l.outcome || ' ' || extract(epoch from l.ended_at - l.started_at)::int || ' ' || c.resolution
            from calls c join legs l using (call_id) where call_id = 'h-call'
            """));
    }

    EventStore Store()
    {
        var ingest = Options.Create(new IngestOptions { CallerHashSecret = QueueApp.CallerSecret });
        var partitions = new EventPartitions(Db, ingest, Options.Create(new PartitionOptions()), time, NullLogger<EventPartitions>.Instance);
        var writer = new EventWriter(Db, ingest, partitions, NullLogger<EventWriter>.Instance);
        return new EventStore(writer, new GroupCommit(writer, ingest, NullLogger<GroupCommit>.Instance), ingest, NullLogger<EventStore>.Instance);
    }

    async Task<AppendResult> AppendAsync(EventStore store, JsonNode[] batch)
    {
        var ingest = Options.Create(new IngestOptions { CallerHashSecret = QueueApp.CallerSecret });
        using var json = JsonDocument.Parse(new JsonArray([.. batch.Select(e => e.DeepClone())]).ToJsonString());
        var parsed = new EventParser(new CallerHasher(ingest), time, ingest).Parse(json.RootElement);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        return await store.AppendAsync(parsed.Events, CancellationToken.None);
    }

    // Calls queued, transferred, answered, abandoned and completed; a visit; agents.
    static JsonNode[] Traffic(string tag, DateTimeOffset at)
    {
        var events = new List<JsonNode>();
        for (var i = 0; i < 20; i++)
        {
            var call = $"{tag}-call-{i}";
            var t = at.AddMinutes(i);
            events.Add(Ev.Queued($"{tag}-{i}-q", t, call, i % 2 == 0 ? "mq" : "mr", caller: "+7900000000" + (i % 10)));
            if (i % 3 == 0) continue;
            events.Add(Ev.Transferred($"{tag}-{i}-t", t.AddSeconds(20), call, "ms"));
            events.Add(i % 4 == 0 ? Ev.Abandoned($"{tag}-{i}-x", t.AddSeconds(50), call) : Ev.Answered($"{tag}-{i}-a", t.AddSeconds(45), call, $"{tag}-ag"));
        }
        events.Add(Ev.Completed($"{tag}-2-c", at.AddMinutes(10), $"{tag}-call-2", "field_visit", $"{tag}-v"));
        events.Add(Ev.VisitCreated($"{tag}-v-c", at.AddMinutes(11), $"{tag}-v", $"{tag}-call-2", "r1"));
        events.Add(Ev.AgentStatus($"{tag}-ag-s", at, $"{tag}-ag", "available"));
        return [.. events];
    }

    async Task<object?> ScalarAsync(string sql)
    {
        await using var command = Db.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    async Task<List<Dictionary<string, object?>>> SnapshotAsync(string sql)
    {
        await using var connection = await Db.OpenConnectionAsync();
        return [.. (await connection.QueryAsync(sql)).Select(r => new Dictionary<string, object?>((IDictionary<string, object?>)r))];
    }

    async Task<List<string>> DerivedAsync()
    {
        var rows = new List<string>();
        foreach (var table in (string[])["calls", "legs", "visits", "agents"])
            rows.AddRange((await SnapshotAsync($"select t::text as row from {table} t order by 1")).Select(r => $"{table} {r["row"]}"));
        return rows;
    }

    const int LegCallFields = 20;
    const int AgentStatusReason = 23;


    static FeedCursor ParseCursor(string text)
    {
        var sep = text.IndexOf(':', StringComparison.Ordinal);
        return new FeedCursor(ulong.Parse(text[..sep], CultureInfo.InvariantCulture), long.Parse(text[(sep + 1)..], CultureInfo.InvariantCulture));
    }
}
