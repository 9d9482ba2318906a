using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Queue.Tests.Infrastructure;
using Queue.Tests.Ingest.Scenarios;

namespace Queue.Tests.Ingest;

/// <summary>
/// SPEC §2: events of a call or visit may arrive in any order and more than once, and the state and every metric
/// must be as if they had arrived once, in order of <c>at</c>. Random scenarios are posted shuffled, duplicated
/// (byte for byte, and re-written with another offset) and cut into random batches through the HTTP API; the
/// derived rows and <c>GET /api/metrics</c> must then equal a plain reference computed in <see cref="Reference"/>.
/// </summary>
public sealed class ReorderPropertyTests(QueueApp app) : IClassFixture<QueueApp>
{
    // A case is ~35 distinct events sent ~45 times in ~5 batches, then 30–50 metric queries: 80 cases take ~10 s on 2 cores.
    const int Cases = 80;
    const double Tolerance = 1e-5; // PostgreSQL averages intervals to the microsecond

    static readonly string?[] Scopes = [null, .. ScenarioGen.QueueNames, "q-unused"];

    [Fact]
    public async Task Any_order_duplicates_and_batching_give_the_reference_state_and_metrics() =>
        await ScenarioGen.Case.SampleAsync(CheckAsync, iter: Cases, threads: 1, print: c => c.Describe());

    async Task CheckAsync(Case c)
    {
        await DerivedRows.TruncateAsync(app.Db);
        var ingestNow = app.Time.GetUtcNow();
        var problems = new List<string>();

        if (await DeliverAsync(c, ingestNow, problems))
        {
            var reference = new Reference(c.Scenario, ingestNow, QueueApp.CallerSecret);
            Compare("calls", reference.CallRows, await DerivedRows.ReadAsync(app.Db, DerivedRows.Calls), problems);
            Compare("legs", reference.LegRows, await DerivedRows.ReadAsync(app.Db, DerivedRows.Legs), problems);
            Compare("missed offers", reference.MissedRows, await DerivedRows.ReadAsync(app.Db, DerivedRows.Missed), problems);
            Compare("visits", reference.VisitRows, await DerivedRows.ReadAsync(app.Db, DerivedRows.Visits), problems);
            Compare("agents", reference.AgentRows, await DerivedRows.ReadAsync(app.Db, DerivedRows.Agents), problems);

            await CompareMetricsAsync(c, reference, ingestNow, ingestNow, problems);
            // Time alone moves visit deadlines from "ahead" to "passed": the same windows, asked again later.
            var advance = c.Advance.Resolve(c.Scenario);
            app.Time.Advance(advance);
            await CompareMetricsAsync(c, reference, ingestNow, ingestNow + advance, problems);
        }

        if (problems.Count > 0)
            Assert.Fail($"""
                {problems.Count} difference(s) from the reference; t₀ = {ingestNow:O}
                {string.Join("\n", problems)}
                """);
    }

    /// <summary>Posts every batch; each must be accepted, and only first sightings of an id may count as new.</summary>
    async Task<bool> DeliverAsync(Case c, DateTimeOffset ingestNow, List<string> problems)
    {
        using var client = app.Client();
        var events = c.Scenario.Events;
        int fresh = 0, duplicates = 0;
        for (var i = 0; i < c.Delivery.Batches.Count; i++)
        {
            var batch = c.Delivery.Batches[i];
            var body = new JsonArray([.. batch.Select(s => (JsonNode)events[s.Event].Json(ingestNow, s.Rewritten))]);
            using var response = await client.PostAsync("/api/events", JsonContent.Create(body));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                problems.Add($"batch {i} was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                return false;
            }
            var answer = await response.JsonAsync();
            if (answer.GetProperty("received").GetInt32() != batch.Count)
                problems.Add($"batch {i}: received {answer.GetProperty("received")}, sent {batch.Count}");
            fresh += answer.GetProperty("new").GetInt32();
            duplicates += answer.GetProperty("duplicates").GetInt32();
        }
        if (fresh != events.Count) problems.Add($"the batches counted {fresh} new events; {events.Count} distinct ids were sent");
        if (duplicates != c.Delivery.Sends - events.Count)
            problems.Add($"the batches counted {duplicates} duplicates; {c.Delivery.Sends - events.Count} were sent");
        return true;
    }

    static void Compare(string table, IEnumerable<string> expected, List<string> stored, List<string> problems)
    {
        var wanted = expected.ToList();
        if (wanted.SequenceEqual(stored)) return;
        problems.Add($"{table} rows differ (− expected only, + stored only):");
        problems.AddRange(wanted.Except(stored).Select(r => "  − " + r));
        problems.AddRange(stored.Except(wanted).Select(r => "  + " + r));
    }

    async Task CompareMetricsAsync(Case c, Reference reference, DateTimeOffset ingestNow, DateTimeOffset now, List<string> problems)
    {
        using var client = app.Client();
        foreach (var window in c.Windows)
        {
            var (fromRel, toRel) = window.Resolve(c.Scenario);
            var (from, to) = (ingestNow + fromRel, ingestNow + toRel);
            foreach (var queue in Scopes)
            {
                var url = $"/api/metrics?from={Uri.EscapeDataString(Wire.Instant(from, window.Style))}" +
                          $"&to={Uri.EscapeDataString(Wire.Instant(to, window.Style + 4))}" +
                          (queue is null ? "" : "&queue=" + queue);
                var where = $"metrics [{Wire.Relative(fromRel)}, {Wire.Relative(toRel)}) queue={queue ?? "(all)"} at clock {Wire.Relative(now - ingestNow)}";
                using var response = await client.GetAsync(url);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    problems.Add($"{where}: answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    continue;
                }
                var actual = await response.Content.ReadFromJsonAsync<JsonElement>();
                foreach (var difference in reference.Figures(from, to, queue, now).Differences(actual, Tolerance))
                    problems.Add($"{where}: {difference}");
            }
        }
    }
}
