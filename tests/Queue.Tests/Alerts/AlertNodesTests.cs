using System.Net;
using Queue.Tests.Infrastructure;
using Queue.Tests.Live;

namespace Queue.Tests.Alerts;

/// <summary>
/// SPEC §4: with several service nodes running, each alert is raised once, not once per node, and cleared once; a visit
/// joins and leaves its queue's alert once.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class AlertNodesTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    // 1,000 episodes: 25 queues side by side, 40 in a row in each.
    const int Queues = 25;
    const int Rounds = 40;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    async Task<long> CountAsync(string sql, string subject)
    {
        await using var command = nodes.Db.CreateCommand(sql);
        command.Parameters.AddWithValue(subject);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    Task<long> OpenAsync(string queue) =>
        CountAsync("select count(*) from alerts where kind = 'queue.wait' and subject = $1 and state <> 'cleared'", queue);

    static Task PostAsync(HttpClient node, params System.Text.Json.Nodes.JsonNode[] events) => node.PostEventsRetryingAsync(events);

    async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not happen within {Patience.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_thousand_breach_episodes_on_two_nodes_raise_and_clear_each_alert_exactly_once()
    {
        using var a = nodes.Client(nodes.A);
        using var b = nodes.Client(nodes.B);
        await Task.WhenAll(Enumerable.Range(0, Queues).Select(async q =>
        {
            var queue = $"ep-{q:D2}";
            for (var round = 0; round < Rounds; round++)
            {
                var (first, second) = (round + q) % 2 == 0 ? (a, b) : (b, a);
                var call = $"{queue}-c{round}";
                // Queued 40 s ago: its wait is past the 30 s target the moment any node sees it.
                await PostAsync(first, Ev.Queued($"{call}-q", DateTimeOffset.UtcNow.AddSeconds(-40), call, queue));
                await UntilAsync(async () => await OpenAsync(queue) == 1, $"the alert of {call}");
                await PostAsync(second, Ev.Answered($"{call}-a", DateTimeOffset.UtcNow, call, "ag-ep"));
                await UntilAsync(async () => await OpenAsync(queue) == 0, $"the clearing of {call}");
            }
        }));

        await using (var extra = nodes.Db.CreateCommand("""
            select string_agg(format('%s %s #%s %s..%s %s', kind, subject, id, raised_at::time, cleared_at::time,
                (select string_agg(h.action || ' by ' || h.by, ', ') from alert_history h where h.alert_id = alerts.id)), E'\n' order by id)
            from alerts where kind = 'queue.wait'
              and subject in (select subject from alerts where kind = 'queue.wait' and subject like 'ep-%' group by subject having count(*) <> 40)
            """))
        {
            var listing = await extra.ExecuteScalarAsync();
            Assert.True(listing is DBNull, $"queues with other than {Rounds} alerts:\n{listing}");
        }
        await using var check = nodes.Db.CreateCommand("""
            select count(*) filter (where state = 'cleared'),
                   count(*),
                   (select count(*) from alert_history h join alerts x on x.id = h.alert_id where x.kind = 'queue.wait' and x.subject like 'ep-%' and h.action = 'raised'),
                   (select count(*) from alert_history h join alerts x on x.id = h.alert_id where x.kind = 'queue.wait' and x.subject like 'ep-%' and h.action = 'cleared'),
                   (select count(*) from (select subject from alerts where kind = 'queue.wait' and subject like 'ep-%' group by subject having count(*) <> 40) s)
            from alerts where kind = 'queue.wait' and subject like 'ep-%'
            """);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(Queues * Rounds, reader.GetInt64(1));
        Assert.Equal(Queues * Rounds, reader.GetInt64(0));
        Assert.Equal(Queues * Rounds, reader.GetInt64(2));
        Assert.Equal(Queues * Rounds, reader.GetInt64(3));
        Assert.Equal(0, reader.GetInt64(4));
    }

    [Fact]
    public async Task Visits_joining_and_leaving_through_two_nodes_make_one_alert_per_queue_and_each_visit_joins_and_leaves_once()
    {
        const int queues = 8, visits = 12;
        using var a = nodes.Client(nodes.A);
        using var b = nodes.Client(nodes.B);
        Task<string> ListedAsync(string queue) => TextAsync("""
            select coalesce(string_agg(l.visit_id, ' ' order by l.visit_id), '') from alert_visits l join alerts x on x.id = l.alert_id
            where x.kind = 'visit.late' and x.subject = $1 and x.state <> 'cleared'
            """, queue);
        await Task.WhenAll(Enumerable.Range(0, queues).Select(async q =>
        {
            var queue = $"gv-{q:D2}";
            for (var i = 0; i < visits; i++)
            {
                var (first, second) = (i + q) % 2 == 0 ? (a, b) : (b, a);
                // A visit of a call in the queue, 25 h old: past its 24 h deadline the moment any node sees it. Then the one
                // before it is resolved through the other node: the alert always has a visit, and so stays the same alert.
                var (visit, call, created) = ($"{queue}-v{i:D2}", $"{queue}-c{i:D2}", DateTimeOffset.UtcNow.AddHours(-25));
                await PostAsync(first, Ev.Queued($"{call}-q", created.AddMinutes(-5), call, queue), Ev.VisitCreated($"{visit}-c", created, visit, call));
                var before = i == 0 ? "" : $"{queue}-v{i - 1:D2} ";
                await UntilAsync(async () => await ListedAsync(queue) == before + visit, $"{visit} joining");
                if (i == 0) continue;
                await PostAsync(second, Ev.VisitResolved($"{queue}-v{i - 1:D2}-r", DateTimeOffset.UtcNow, $"{queue}-v{i - 1:D2}"));
                await UntilAsync(async () => await ListedAsync(queue) == visit, $"{queue}-v{i - 1:D2} leaving");
            }
            await PostAsync(a, Ev.VisitResolved($"{queue}-v{visits - 1:D2}-r", DateTimeOffset.UtcNow, $"{queue}-v{visits - 1:D2}"));
            await UntilAsync(async () => await CountAsync(
                "select count(*) from alerts where kind = 'visit.late' and subject = $1 and state <> 'cleared'", queue) == 0, $"{queue} clearing");
        }));

        await using var check = nodes.Db.CreateCommand("""
            select (select count(*) from alerts where kind = 'visit.late' and subject like 'gv-%'),
                   (select count(*) from alerts where kind = 'visit.late' and subject like 'gv-%' and state = 'cleared'),
                   count(*) filter (where h.action = 'raised'), count(*) filter (where h.action = 'cleared'),
                   count(*) filter (where h.action = 'joined'), count(distinct h.note) filter (where h.action = 'joined'),
                   count(*) filter (where h.action = 'left'), count(distinct h.note) filter (where h.action = 'left')
            from alert_history h join alerts x on x.id = h.alert_id
            where x.kind = 'visit.late' and x.subject like 'gv-%'
            """);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(
            [queues, queues, queues, queues, queues * visits, queues * visits, queues * visits, queues * visits],
            Enumerable.Range(0, 8).Select(reader.GetInt64));
    }

    async Task<string> TextAsync(string sql, string parameter)
    {
        await using var command = nodes.Db.CreateCommand(sql);
        command.Parameters.AddWithValue(parameter);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_node_killed_while_an_alert_is_open_leaves_no_duplicate_and_no_lost_clear()
    {
        using (var a = nodes.Client(nodes.A))
            Assert.Equal(HttpStatusCode.OK, (await a.PostEventsAsync(Ev.Queued("nk-q", DateTimeOffset.UtcNow.AddSeconds(-40), "nk-c", "nk"))).StatusCode);
        await UntilAsync(async () => await OpenAsync("nk") == 1, "the alert");
        await nodes.A.KillAsync();

        using (var b = nodes.Client(nodes.B))
            Assert.Equal(HttpStatusCode.OK, (await b.PostEventsAsync(Ev.Answered("nk-a", DateTimeOffset.UtcNow, "nk-c", "ag-nk"))).StatusCode);
        await UntilAsync(async () => await OpenAsync("nk") == 0, "the clearing by the node still up");

        await nodes.RestartAAsync();
        using (var a = nodes.Client(nodes.A))
            Assert.Equal(HttpStatusCode.OK, (await a.PostEventsAsync(Ev.Queued("nk-q2", DateTimeOffset.UtcNow.AddSeconds(-40), "nk-c2", "nk"))).StatusCode);
        await UntilAsync(async () => await OpenAsync("nk") == 1, "the next alert");
        Assert.Equal(2, await CountAsync("select count(*) from alerts where subject = $1", "nk"));
        Assert.Equal(1, await CountAsync("select count(*) from alert_history h join alerts x on x.id = h.alert_id where x.subject = $1 and h.action = 'cleared'", "nk"));
    }
}
