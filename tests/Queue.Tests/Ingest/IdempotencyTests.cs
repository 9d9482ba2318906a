using System.Net;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Ingest;

public sealed class IdempotencyTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task Accepted_batch_is_counted_and_stored()
    {
        using var client = app.Client();
        var response = await client.PostEventsAsync(
            Ev.Queued("acc-1", Now.AddSeconds(-20), "acc-call", "b2c"),
            Ev.Answered("acc-2", Now, "acc-call", "agent-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(2, body.GetProperty("received").GetInt32());
        Assert.Equal(2, body.GetProperty("new").GetInt32());
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
        var call = await (await client.GetAsync("/api/calls/acc-call")).JsonAsync();
        Assert.Equal("answered", call.GetProperty("legs")[0].GetProperty("outcome").GetString());
        Assert.Equal(20, call.GetProperty("legs")[0].GetProperty("waitSeconds").GetDouble());
    }

    [Fact]
    public async Task Same_id_and_content_again_is_a_duplicate_even_with_another_offset()
    {
        using var client = app.Client();
        var at = Now.AddMinutes(-1);
        var first = Ev.Queued("dup-1", at, "dup-call", "b2c", caller: "+7 912 555-00-11");
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(first)).StatusCode);

        // The same instant written in UTC, and the same number written differently: same content.
        var again = first.DeepClone().AsObject();
        again["at"] = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        again["caller"] = "+79125550011";
        var response = await client.PostEventsAsync(again, again);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal(2, body.GetProperty("received").GetInt32());
        Assert.Equal(0, body.GetProperty("new").GetInt32());
        Assert.Equal(2, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, await ScalarAsync("select count(*) from events where id = 'dup-1'"));
    }

    [Fact]
    public async Task Same_id_twice_in_one_batch_counts_once()
    {
        using var client = app.Client();
        var e = Ev.Queued("twice-1", Now, "twice-call", "b2c");
        var body = await (await client.PostEventsAsync(e, e, Ev.Abandoned("twice-2", Now, "twice-call"))).JsonAsync();

        Assert.Equal(3, body.GetProperty("received").GetInt32());
        Assert.Equal(2, body.GetProperty("new").GetInt32());
        Assert.Equal(1, body.GetProperty("duplicates").GetInt32());
    }

    [Fact]
    public async Task Same_id_with_other_content_is_a_409_naming_it_and_stores_nothing_of_the_batch()
    {
        using var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("conf-1", Now, "conf-call", "b2c"))).StatusCode);
        var before = await app.CountAsync("events");

        var response = await client.PostEventsAsync(
            Ev.Queued("conf-new", Now, "conf-other", "b2c"),
            Ev.Queued("conf-1", Now, "conf-call", "b2b"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("urn:queue:problem:event-conflict", problem.GetProperty("type").GetString());
        Assert.Equal("conf-1", problem.GetProperty("eventId").GetString());
        Assert.Equal(1, problem.GetProperty("index").GetInt32());
        Assert.Equal(before, await app.CountAsync("events"));
        Assert.Equal(0, await ScalarAsync("select count(*) from calls where call_id = 'conf-other'"));
        Assert.Equal(1, await ScalarAsync("select count(*) from legs where call_id = 'conf-call' and queue = 'b2c'"));
    }

    [Fact]
    public async Task Same_id_with_other_content_within_one_batch_is_a_409()
    {
        using var client = app.Client();
        var response = await client.PostEventsAsync(
            Ev.Queued("inb-1", Now, "inb-call", "b2c"),
            Ev.Queued("inb-1", Now.AddSeconds(1), "inb-call", "b2c"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("inb-1", (await response.JsonAsync()).GetProperty("eventId").GetString());
        Assert.Equal(0, await ScalarAsync("select count(*) from event_keys where id = 'inb-1'"));
    }

    [Fact]
    public async Task Concurrent_posts_of_the_same_events_store_each_once()
    {
        using var client = app.Client();
        var events = Enumerable.Range(0, 50).Select(i => Ev.Queued($"race-{i}", Now, $"race-call-{i % 10}", "b2c")).ToArray();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.PostEventsAsync(events)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var news = 0;
        foreach (var r in responses) news += (await r.JsonAsync()).GetProperty("new").GetInt32();
        Assert.Equal(50, news);
        Assert.Equal(50, await ScalarAsync("select count(*) from events where id like 'race-%'"));
        Assert.Equal(10, await ScalarAsync("select count(*) from legs where call_id like 'race-call-%'"));
    }

    [Fact]
    public async Task Racing_posts_of_one_id_with_different_content_store_one_and_refuse_the_other()
    {
        using var client = app.Client();
        for (var round = 0; round < 20; round++)
        {
            var a = Ev.Queued($"rc-{round}", Now, $"rc-call-{round}", "b2c");
            var b = Ev.Queued($"rc-{round}", Now, $"rc-call-{round}", "b2b");

            var answers = await Task.WhenAll(client.PostEventsAsync(a), client.PostEventsAsync(b));

            var statuses = answers.Select(r => r.StatusCode).Order().ToArray();
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], statuses);
            var winner = answers[0].StatusCode == HttpStatusCode.OK ? "b2c" : "b2b";
            Assert.Equal(1, await ScalarAsync($"select count(*) from legs where call_id = 'rc-call-{round}' and queue = '{winner}'"));
            Assert.Equal(1, await ScalarAsync($"select count(*) from events where id = 'rc-{round}'"));
        }
    }

    async Task<long> ScalarAsync(string sql)
    {
        await using var command = app.Db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
