using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.EventLog;

/// <summary>
/// Concurrent single-event posts share a commit: each is answered only once its own events are stored, with its own
/// counts; a conflicting one is refused alone; duplicates across the requests of a group count once.
/// </summary>
public sealed class GroupCommitTests(QueueApp app) : IClassFixture<QueueApp>
{
    [Fact]
    public async Task Concurrent_single_posts_share_commits_and_each_is_answered_with_its_own_counts()
    {
        using var client = app.Client();
        var t0 = app.Time.GetUtcNow().AddMinutes(-30);
        // A node that has not served a post yet (its key cache empty, its code not compiled) is not what is measured here.
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("warm-gc1", t0, "warm-gc1", "gc1"))).StatusCode);
        var events = Enumerable.Range(0, 50).SelectMany(i => new JsonNode[]
        {
            Ev.Queued($"gc1-q-{i}", t0.AddSeconds(i), $"gc1-call-{i}", "gc1"),
            Ev.Answered($"gc1-a-{i}", t0.AddSeconds(i + 20), $"gc1-call-{i}", $"gc1-agent-{i % 5}"),
        }).ToList();

        var answers = await PostEachAsync(client, events);

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, 1, 1, 0), (a.Status, a.Received, a.New, a.Duplicates)));
        Assert.Equal(100L, await ScalarAsync("select count(*) from events where id like 'gc1-%'"));
        // Every call folded from both of its events, whichever groups they were in.
        Assert.Equal(50L, await ScalarAsync(
            "select count(*) from legs where call_id like 'gc1-call-%' and outcome = 'answered' and ended_at - started_at = interval '20 seconds'"));
        // Shared: far fewer transactions than requests.
        var transactions = await ScalarAsync("select count(distinct tx) from events where id like 'gc1-%'");
        Assert.True(transactions <= 50, $"100 concurrent posts were committed in {transactions} transactions");
    }

    [Fact]
    public async Task A_conflicting_request_is_refused_alone_and_its_neighbours_are_stored()
    {
        using var client = app.Client();
        var t0 = app.Time.GetUtcNow().AddMinutes(-20);
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("gc2-taken", t0, "gc2-call-taken", "gc2"))).StatusCode);

        var neighbours = Enumerable.Range(0, 60).Select(i => (JsonNode)Ev.Queued($"gc2-q-{i}", t0.AddSeconds(i), $"gc2-call-{i}", "gc2")).ToList();
        // One post takes a stored id with other content; two others carry a new id with contents of their own.
        var posts = neighbours.Take(20)
            .Append(Ev.Queued("gc2-taken", t0, "gc2-call-taken", "gc2-other"))
            .Concat(neighbours.Skip(20).Take(20))
            .Append(Ev.Queued("gc2-both", t0, "gc2-call-both", "gc2-left"))
            .Append(Ev.Queued("gc2-both", t0, "gc2-call-both", "gc2-right"))
            .Concat(neighbours.Skip(40))
            .ToList();

        var answers = await PostEachAsync(client, posts);

        var taken = answers[20];
        Assert.Equal(HttpStatusCode.Conflict, taken.Status);
        Assert.Equal("gc2-taken", taken.Body.GetProperty("eventId").GetString());
        var both = answers.Skip(41).Take(2).ToList();
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], both.Select(a => a.Status).Order());
        var neighbourAnswers = answers.Take(20).Concat(answers.Skip(21).Take(20)).Concat(answers.Skip(43)).ToList();
        Assert.All(neighbourAnswers, a => Assert.Equal((HttpStatusCode.OK, 1, 0), (a.Status, a.New, a.Duplicates)));

        Assert.Equal(60L, await ScalarAsync("select count(*) from events where id like 'gc2-q-%'"));
        Assert.Equal(60L, await ScalarAsync("select count(*) from calls where call_id like 'gc2-call-%' and call_id <> 'gc2-call-taken' and call_id <> 'gc2-call-both'"));
        Assert.Equal("gc2", await TextAsync("select body->>'queue' from events where id = 'gc2-taken'"));
        // The one of the two that was answered 200 is the one stored.
        var winner = both.Single(a => a.Status == HttpStatusCode.OK) == answers[41] ? "gc2-left" : "gc2-right";
        Assert.Equal(winner, await TextAsync("select body->>'queue' from events where id = 'gc2-both'"));
        Assert.Equal(winner, await TextAsync("select last_queue from calls where call_id = 'gc2-call-both'"));
    }

    [Fact]
    public async Task Duplicates_across_the_requests_of_a_group_count_once()
    {
        using var client = app.Client();
        var t0 = app.Time.GetUtcNow().AddMinutes(-10);
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(Ev.Queued("gc3-stored", t0, "gc3-call-stored", "gc3"))).StatusCode);

        var dup = Ev.Queued("gc3-dup", t0.AddSeconds(5), "gc3-call-dup", "gc3");
        // The same instant at another offset is the same content.
        var dupUtc = dup.DeepClone();
        dupUtc["at"] = t0.AddSeconds(5).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var posts = new List<JsonNode>();
        for (var i = 0; i < 40; i++)
        {
            posts.Add(Ev.Queued($"gc3-q-{i}", t0.AddSeconds(i), $"gc3-call-{i}", "gc3"));
            if (i % 4 == 0) posts.Add(i % 8 == 0 ? dup : dupUtc);
            if (i % 10 == 0) posts.Add(Ev.Queued("gc3-stored", t0, "gc3-call-stored", "gc3"));
        }

        var answers = await PostEachAsync(client, posts);

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, 1), (a.Status, a.Received)));
        var ids = posts.Select(p => p["id"]!.GetValue<string>()).ToList();
        var dupAnswers = answers.Where((_, i) => ids[i] == "gc3-dup").ToList();
        Assert.Equal(10, dupAnswers.Count);
        Assert.Equal(1, dupAnswers.Count(a => a.New == 1));
        Assert.Equal(9, dupAnswers.Count(a => a.Duplicates == 1));
        Assert.All(answers.Where((_, i) => ids[i] == "gc3-stored"), a => Assert.Equal((0, 1), (a.New, a.Duplicates)));
        Assert.Equal(41, answers.Sum(a => a.New));
        Assert.Equal(1L, await ScalarAsync("select count(*) from events where id = 'gc3-dup'"));
        Assert.Equal(1L, await ScalarAsync("select count(*) from legs where call_id = 'gc3-call-dup'"));
        Assert.Equal(41L, await ScalarAsync("select count(*) from calls where call_id like 'gc3-call-%' and call_id <> 'gc3-call-stored'"));
    }

    /// <summary>Posts each event alone, all at once, and returns each answer in the order of the events.</summary>
    internal static async Task<List<Answer>> PostEachAsync(HttpClient client, IReadOnlyList<JsonNode> events)
    {
        // All posts wait at one gate, so that they reach the service together.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var posts = events.Select(e => Task.Run(async () =>
        {
            await start.Task;
            using var response = await client.PostEventsAsync(e);
            var body = await response.JsonAsync();
            return response.StatusCode == HttpStatusCode.OK
                ? new Answer(response.StatusCode, body.GetProperty("received").GetInt32(), body.GetProperty("new").GetInt32(), body.GetProperty("duplicates").GetInt32(), body)
                : new Answer(response.StatusCode, 0, 0, 0, body);
        })).ToList();
        start.SetResult();
        return [.. await Task.WhenAll(posts)];
    }

    internal sealed record Answer(HttpStatusCode Status, int Received, int New, int Duplicates, JsonElement Body);

    async Task<long> ScalarAsync(string sql)
    {
        await using var command = app.Db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    async Task<string?> TextAsync(string sql)
    {
        await using var command = app.Db.CreateCommand(sql);
        return (string?)await command.ExecuteScalarAsync();
    }
}
