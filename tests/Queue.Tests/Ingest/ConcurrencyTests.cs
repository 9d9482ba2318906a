using System.Net;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Ingest;

public sealed class ConcurrencyTests(QueueApp app) : IClassFixture<QueueApp>
{
    [Fact]
    public async Task Events_of_the_same_calls_in_concurrent_batches_fold_to_the_full_history()
    {
        using var client = app.Client();
        var t0 = app.Time.GetUtcNow().AddHours(-1);
        const int calls = 300;
        var steps = new List<JsonNode>[4];
        for (var s = 0; s < steps.Length; s++) steps[s] = [];
        for (var i = 0; i < calls; i++)
        {
            var at = t0.AddSeconds(i);
            steps[0].Add(Ev.Queued($"cc-q-{i}", at, $"cc-{i}", "cc-first"));
            steps[1].Add(Ev.Transferred($"cc-t-{i}", at.AddSeconds(10), $"cc-{i}", "cc-second"));
            steps[2].Add(Ev.Answered($"cc-a-{i}", at.AddSeconds(25), $"cc-{i}", $"agent-{i % 7}"));
            steps[3].Add(Ev.Completed($"cc-c-{i}", at.AddSeconds(90), $"cc-{i}", "resolved"));
            steps[i % 4].Add(Ev.AgentStatus($"cc-s-{i}", at, $"agent-{i % 7}", i % 2 == 0 ? "busy" : "available"));
        }

        // Each step's events in two halves: eight batches racing, every call touched by four of them at once.
        var batches = steps.SelectMany(step => new[] { step.Where((_, k) => k % 2 == 0), step.Where((_, k) => k % 2 == 1) });
        var responses = await Task.WhenAll(batches.Select(b => client.PostEventsAsync([.. b])));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        await using var command = app.Db.CreateCommand("""
            select count(*) from calls c
            where c.call_id like 'cc-%' and c.legs = 2 and c.last_queue = 'cc-second' and c.resolution = 'resolved'
              and exists (select 1 from legs l where l.call_id = c.call_id and l.leg = 0 and l.outcome = 'transferred' and l.queue = 'cc-first')
              and exists (select 1 from legs l where l.call_id = c.call_id and l.leg = 1 and l.outcome = 'answered'
                          and l.ended_at - l.started_at = interval '15 seconds')
            """);
        Assert.Equal((long)calls, await command.ExecuteScalarAsync());

        // Each agent ends in the status of its latest event, whichever batch committed last.
        await using var agents = app.Db.CreateCommand("select agent_id, status from agents where agent_id like 'agent-%' order by agent_id");
        await using var reader = await agents.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var agent = int.Parse(reader.GetString(0)["agent-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var last = Enumerable.Range(0, calls).Last(i => i % 7 == agent);
            Assert.Equal(last % 2 == 0 ? "busy" : "available", reader.GetString(1));
        }
    }
}
