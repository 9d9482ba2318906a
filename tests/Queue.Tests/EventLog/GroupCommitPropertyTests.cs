using System.Net;
using System.Text.Json.Nodes;
using CsCheck;
using Queue.Tests.Infrastructure;
using Queue.Tests.Ingest.Scenarios;

namespace Queue.Tests.EventLog;

/// <summary>
/// Random scenarios posted twice: once as one batch, once as concurrent single-event posts, shuffled and duplicated
/// (byte for byte, and re-written with another offset), which the service writes in shared commits. Both must leave the
/// same derived rows and the same figures, and the single posts' own counts must add up to what was sent.
/// </summary>
public sealed class GroupCommitPropertyTests(GroupCommitPropertyTests.PatientApp app) : IClassFixture<GroupCommitPropertyTests.PatientApp>
{
    /// <summary>
    /// What is stored is the claim here, not how fast: under the load of the whole suite run side by side, ~45 posts at
    /// once can take longer than the 2 s database deadline, which would answer some 503 (as a client is told to retry).
    /// The deadline has tests of its own (GroupCommitOutageTests, DatabaseDownTests).
    /// </summary>
    public sealed class PatientApp : QueueApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Queue:Ingest:DatabaseTimeout"] = "00:00:20",
        };
    }

    // A case is ~35 distinct events and ~45 concurrent posts: 40 cases take ~10 s on 2 cores.
    const int Cases = 40;

    [Fact]
    public async Task Concurrent_single_posts_store_what_one_batch_stores() =>
        await ScenarioGen.Case.SampleAsync(CheckAsync, iter: Cases, threads: 1, print: c => c.Describe());

    async Task CheckAsync(Case c)
    {
        var ingestNow = app.Time.GetUtcNow();
        using var client = app.Client();
        var events = c.Scenario.Events;

        await DerivedRows.TruncateAsync(app.Db);
        using (var batch = await client.PostEventsAsync([.. events.Select(e => (JsonNode)e.Json(ingestNow, rewritten: false))]))
            Assert.True(batch.StatusCode == HttpStatusCode.OK, await batch.Content.ReadAsStringAsync());
        var expected = await StateAsync(client, ingestNow);

        await DerivedRows.TruncateAsync(app.Db);
        var sends = c.Delivery.Batches.SelectMany(b => b).ToList();
        var answers = await GroupCommitTests.PostEachAsync(client, [.. sends.Select(s => (JsonNode)events[s.Event].Json(ingestNow, s.Rewritten))]);
        var refused = answers.Where(a => a.Status != HttpStatusCode.OK).Select(a => $"{(int)a.Status}: {a.Body}").ToList();
        Assert.True(refused.Count == 0, string.Join("\n", refused));
        Assert.Equal(events.Count, answers.Sum(a => a.New));
        Assert.Equal(sends.Count - events.Count, answers.Sum(a => a.Duplicates));
        // Each distinct id counted new by exactly one of its posts.
        foreach (var id in sends.Select((s, i) => (s.Event, i)).GroupBy(s => s.Event))
            Assert.Equal(1, id.Sum(s => answers[s.i].New));

        var actual = await StateAsync(client, ingestNow);
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Figures, actual.Figures);
    }

    /// <summary>The derived rows, and the figures over every event's time for the center and each queue.</summary>
    async Task<(List<string> Rows, List<string> Figures)> StateAsync(HttpClient client, DateTimeOffset ingestNow)
    {
        var rows = new List<string>();
        foreach (var table in new[] { DerivedRows.Calls, DerivedRows.Legs, DerivedRows.Missed, DerivedRows.Visits, DerivedRows.Agents })
            rows.AddRange(await DerivedRows.ReadAsync(app.Db, table));
        var figures = new List<string>();
        var (from, to) = (Uri.EscapeDataString(Ev.At(ingestNow.AddDays(-8))), Uri.EscapeDataString(Ev.At(ingestNow.AddDays(3))));
        string?[] scopes = [null, .. ScenarioGen.QueueNames];
        foreach (var queue in scopes)
        {
            using var response = await client.GetAsync($"/api/metrics?from={from}&to={to}" + (queue is null ? "" : "&queue=" + queue));
            figures.Add($"{queue ?? "(all)"} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return (rows, figures);
    }
}
