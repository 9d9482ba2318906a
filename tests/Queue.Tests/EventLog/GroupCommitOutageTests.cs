using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.EventLog;

/// <summary>PostgreSQL out of reach while many single posts wait in groups: each is answered 503 within 2 s, none half-stored.</summary>
public sealed class GroupCommitOutageTests(CuttableDatabaseApp app) : IClassFixture<CuttableDatabaseApp>
{
    [Fact]
    public async Task Every_waiting_post_is_answered_503_within_2_s_when_the_database_is_cut_and_none_is_stored()
    {
        using var client = app.Client();
        var now = app.Time.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("warm-cut", now, "warm-cut", "b2c"))).StatusCode);
        var events = Events("cut", now);

        app.Proxy.Cut();
        List<(GroupCommitTests.Answer Answer, TimeSpan Took)> answers;
        try
        {
            answers = await TimedAsync(client, events);
        }
        finally
        {
            app.Proxy.Restore();
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Answer.Status));
        Assert.All(answers, a => Assert.Equal("urn:queue:problem:database-unavailable", a.Answer.Body.GetProperty("type").GetString()));
        Assert.All(answers, a => Assert.True(a.Took < TimeSpan.FromSeconds(2), $"answered after {a.Took}"));
        Assert.Equal(0L, await CountAsync("cut-%"));

        var again = await GroupCommitTests.PostEachAsync(client, events);
        if (again.Any(a => a.Status == HttpStatusCode.ServiceUnavailable)) again = await GroupCommitTests.PostEachAsync(client, events);
        Assert.All(again, a => Assert.Equal((HttpStatusCode.OK, 1, 0), (a.Status, a.New, a.Duplicates)));
        Assert.Equal(40L, await CountAsync("cut-%"));
    }

    [Fact]
    public async Task Every_waiting_post_is_answered_503_within_2_s_when_the_database_stops_answering()
    {
        using var client = app.Client();
        var now = app.Time.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("warm-frozen", now, "warm-frozen", "b2c"))).StatusCode);
        var events = Events("frozen", now);

        app.Proxy.Freeze();
        List<(GroupCommitTests.Answer Answer, TimeSpan Took)> answers;
        try
        {
            answers = await TimedAsync(client, events);
        }
        finally
        {
            app.Proxy.Thaw();
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.ServiceUnavailable, a.Answer.Status));
        // 2 s is the configured deadline; what is over it is the answer's own way back.
        Assert.All(answers, a => Assert.True(a.Took < TimeSpan.FromSeconds(2.5), $"answered after {a.Took}"));

        // Those a writer had taken may commit once the database answers again: a retry counts them as duplicates.
        await Task.Delay(500);
        var again = await GroupCommitTests.PostEachAsync(client, events);
        Assert.All(again, a => Assert.Equal((HttpStatusCode.OK, 1), (a.Status, a.New + a.Duplicates)));
        Assert.Equal(40L, await CountAsync("frozen-%"));
        Assert.Equal(40L, await ScalarAsync("select count(*) from calls where call_id like 'frozen-call-%'"));
    }

    static List<JsonNode> Events(string tag, DateTimeOffset now) =>
        [.. Enumerable.Range(0, 40).Select(i => (JsonNode)Ev.Queued($"{tag}-{i}", now.AddSeconds(-i), $"{tag}-call-{i}", "b2c"))];

    static async Task<List<(GroupCommitTests.Answer, TimeSpan)>> TimedAsync(HttpClient client, List<JsonNode> events)
    {
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(events.Select(async e =>
        {
            var answer = (await GroupCommitTests.PostEachAsync(client, [e]))[0];
            return (answer, clock.Elapsed);
        }));
        return [.. answers];
    }

    Task<long> CountAsync(string like) => ScalarAsync($"select count(*) from events where id like '{like}'");

    async Task<long> ScalarAsync(string sql)
    {
        await using var command = app.Db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
