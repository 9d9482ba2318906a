using System.Net;
using System.Text.Json.Nodes;
using Queue.EventLog;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

public sealed class CommittedEventsTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task A_transaction_that_took_an_earlier_position_but_commits_later_is_not_skipped()
    {
        using var client = app.Client();
        var feed = new CommittedEvents(app.Db);
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("held-before", Now, "held-c0", "b2c"))).StatusCode);
        var cursor = await ReadUntilAsync(feed, FeedCursor.Start, [], seen => seen.Contains("held-before"));

        // A writer takes a position and holds its transaction open…
        await using var writer = await app.Db.OpenConnectionAsync();
        await using var tx = await writer.BeginTransactionAsync();
        await using (var insert = new Npgsql.NpgsqlCommand(
            $$"""insert into events (id, type, at, entity, body) values ('held-1', 'call.abandoned', now(), 'c:held-c1', '{"id":"held-1","type":"call.abandoned","at":"{{Ev.At(Now)}}","callId":"held-c1"}')""",
            writer, tx))
        {
            await insert.ExecuteNonQueryAsync();
        }

        // …while later positions commit: a reader following positions would pass the held one for good.
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("held-2", Now, "held-c2", "b2c"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("held-3", Now, "held-c3", "b2c"))).StatusCode);
        var whileHeld = await feed.ReadAsync(cursor, 100, CancellationToken.None);
        Assert.Empty(whileHeld.Events);

        await tx.CommitAsync();
        var after = new List<string>();
        await ReadUntilAsync(feed, cursor, after, seen => seen.Count >= 3);

        Assert.Equal(["held-1", "held-2", "held-3"], after);
    }

    [Fact]
    public async Task Concurrent_writers_and_a_reader_see_every_committed_event_exactly_once()
    {
        using var client = app.Client();
        var feed = new CommittedEvents(app.Db);
        var seen = new List<string>();
        var cursor = FeedCursor.Start;
        using var stop = new CancellationTokenSource();

        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var page = await feed.ReadAsync(cursor, 37, CancellationToken.None);
                seen.AddRange(page.Events.Select(e => e.Event.Id));
                cursor = page.Next;
                if (page.Events.Count == 0) await Task.Delay(5);
            }
        });
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < 15; b++)
            {
                var events = Enumerable.Range(0, 1 + (w * 7 + b) % 20)
                    .Select(i => (JsonNode)Ev.Queued($"cw-{w}-{b}-{i}", Now, $"cw-call-{w}-{i % 5}", "b2c"))
                    .ToArray();
                var response = await client.PostEventsAsync(events);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        })).ToList();
        await Task.WhenAll(writers);
        await stop.CancelAsync();
        await reader;

        await using var command = app.Db.CreateCommand("select id from events where id like 'cw-%'");
        var stored = new List<string>();
        await using (var rows = await command.ExecuteReaderAsync())
            while (await rows.ReadAsync()) stored.Add(rows.GetString(0));
        await ReadUntilAsync(feed, cursor, seen, s => s.Count(id => id.StartsWith("cw-", StringComparison.Ordinal)) >= stored.Count);
        var read = seen.Where(id => id.StartsWith("cw-", StringComparison.Ordinal)).ToList();
        Assert.Equal(read.Count, read.Distinct().Count());
        Assert.Equal(stored.Order(), read.Order());
    }

    [Fact]
    public async Task Transactions_are_followed_in_numeric_order_when_their_ids_gain_a_digit()
    {
        // Transaction ids 9 and 10, long ended: as text, "10" sorts before "9". Read in pages smaller than either.
        await using (var insert = app.Db.CreateCommand($$"""
            insert into events (tx, id, type, at, entity, body)
            select t::text::xid8, 'digit-' || t || '-' || i, 'call.abandoned', now(), 'c:digit-' || i,
                   jsonb_build_object('id', 'digit-' || t || '-' || i, 'type', 'call.abandoned', 'at', '{{Ev.At(Now)}}', 'callId', 'digit-' || i)
            from (values (9, 12), (10, 25)) as v(t, n), generate_series(1, n) as i
            """))
        {
            Assert.Equal(37, await insert.ExecuteNonQueryAsync());
        }
        var feed = new CommittedEvents(app.Db);

        var read = new List<(ulong Tx, string Id)>();
        var cursor = FeedCursor.Start;
        for (var page = await feed.ReadAsync(cursor, 10, CancellationToken.None); cursor.Tx <= 10 && page.Events.Count > 0; page = await feed.ReadAsync(cursor, 10, CancellationToken.None))
        {
            read.AddRange(page.Events.Where(e => e.Event.Id.StartsWith("digit-", StringComparison.Ordinal)).Select(e => (e.Tx, e.Event.Id)));
            cursor = page.Next;
        }

        Assert.Equal(37, read.Count);
        Assert.Equal(read.OrderBy(r => r.Tx), read);
        Assert.Equal(12, read.TakeWhile(r => r.Tx == 9).Count());
    }

    // The horizon is the oldest transaction running anywhere on the server (other test classes' included):
    // an event shows once the transactions older than its own have ended, so reads are repeated until then.
    static async Task<FeedCursor> ReadUntilAsync(CommittedEvents feed, FeedCursor cursor, List<string> seen, Func<List<string>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!done(seen) && DateTime.UtcNow < deadline)
        {
            var page = await feed.ReadAsync(cursor, 500, CancellationToken.None);
            seen.AddRange(page.Events.Select(e => e.Event.Id));
            cursor = page.Next;
            if (page.Events.Count == 0) await Task.Delay(10);
        }
        return cursor;
    }
}
