using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Queue.Tests.Infrastructure;
using Queue.Tests.Ingest.Scenarios;

namespace Queue.Tests.Figures;

/// <summary>
/// Every SPEC §3 figure filtered by region, language and segment, and broken down by each: random scenarios (calls with
/// and without each field, transfers, visits linked to a call, to an unknown one or to none, each with a region or not)
/// posted through the API; every answer of <c>/api/metrics</c> and <c>/api/metrics/breakdown</c> must equal a plain
/// reference (<see cref="Reference"/>) counted with the same filter.
/// </summary>
public sealed class BreakdownPropertyTests(QueueApp app) : IClassFixture<QueueApp>
{
    // A case is ~35 events, then ~130 queries: 20 cases take a minute or so on 2 loaded cores.
    const int Cases = 20;
    const double Tolerance = 1e-5; // PostgreSQL sums intervals to the microsecond

    static readonly (string Name, string?[] Values)[] Filters =
    [
        ("region", ["ural", "volga", "siberia", "r-unused"]),
        ("language", ["ru", "tt"]),
        ("segment", ["b2c", "b2b"]),
    ];

    static readonly string[] Breakdowns = ["region", "language", "segment"];

    [Fact]
    public async Task Filtered_metrics_and_every_breakdown_row_equal_the_reference() =>
        await ScenarioGen.Case.SampleAsync(CheckAsync, iter: Cases, threads: 1, print: c => c.Describe());

    async Task CheckAsync(Case c)
    {
        await DerivedRows.TruncateAsync(app.Db);
        var now = app.Time.GetUtcNow();
        using var client = app.Client();
        var body = new JsonArray([.. c.Scenario.Events.Select(e => (JsonNode)e.Json(now, rewritten: false))]);
        using (var posted = await client.PostAsync("/api/events", JsonContent.Create(body)))
            Assert.True(posted.StatusCode == HttpStatusCode.OK, await posted.Content.ReadAsStringAsync());

        var reference = new Reference(c.Scenario, now, QueueApp.CallerSecret);
        var problems = new List<string>();
        foreach (var window in c.Windows.Take(3))
        {
            var (fromRel, toRel) = window.Resolve(c.Scenario);
            var (from, to) = (now + fromRel, now + toRel);
            var span = $"[{Wire.Relative(fromRel)}, {Wire.Relative(toRel)})";
            foreach (var queue in (string?[])[null, ScenarioGen.QueueNames[window.A % ScenarioGen.QueueNames.Length]])
            {
                var scope = $"&from={Uri.EscapeDataString(Wire.Instant(from, window.Style))}&to={Uri.EscapeDataString(Wire.Instant(to, window.Style))}"
                    + (queue is null ? "" : "&queue=" + queue);
                foreach (var (name, values) in Filters)
                    foreach (var value in values)
                    {
                        var expected = reference.Figures(from, to, queue, now,
                            name == "region" ? value : null, name == "language" ? value : null, name == "segment" ? value : null);
                        await CompareAsync(client, $"/api/metrics?{name}={value}{scope}", expected, problems);
                    }
                await CompareAsync(client, $"/api/metrics?region=ural&language=ru&segment=b2c{scope}",
                    reference.Figures(from, to, queue, now, "ural", "ru", "b2c"), problems);

                foreach (var by in Breakdowns)
                {
                    var where = $"breakdown by {by} {span} queue={queue ?? "(all)"}";
                    var answer = await client.GetFromJsonAsync<JsonElement>($"/api/metrics/breakdown?by={by}{scope}");
                    var rows = answer.GetProperty("rows").EnumerateArray().ToList();
                    var shown = rows.Select(r => r.GetProperty("value").GetString()).ToList();
                    foreach (var row in rows)
                    {
                        var value = row.GetProperty("value").GetString();
                        foreach (var d in reference.FiguresOf(from, to, queue, now, by, value).Differences(row.GetProperty("figures"), Tolerance))
                            problems.Add($"{where} row {value ?? "(none)"}: {d}");
                    }
                    // Every value with anything to count has its row, once, in order (values by ordinal, "none" last).
                    if (shown.Distinct().Count() != shown.Count) problems.Add($"{where}: a value has more than one row: {string.Join(", ", shown.Select(v => v ?? "(none)"))}");
                    foreach (var value in Values(by).Append(null))
                        if (Counts(reference.FiguresOf(from, to, queue, now, by, value)) && !shown.Contains(value))
                            problems.Add($"{where}: no row for {value ?? "(none)"}, which has figures");
                    var ordered = shown.Where(v => v is not null).Order(StringComparer.Ordinal).Cast<string?>().ToList();
                    if (shown.Contains(null)) ordered.Add(null);
                    if (!shown.SequenceEqual(ordered)) problems.Add($"{where}: rows out of order: {string.Join(", ", shown.Select(v => v ?? "(none)"))}");
                }
            }
        }
        if (problems.Count > 0) Assert.Fail($"{problems.Count} difference(s) from the reference; t₀ = {now:O}\n{string.Join("\n", problems)}");
    }

    static IEnumerable<string?> Values(string by) => Filters.Single(f => f.Name == by).Values;

    static bool Counts(ExpectedFigures f) => f.Answered + f.Abandoned + f.ShortAbandoned + f.Completed + f.Due24 + f.Due48 > 0;

    async Task CompareAsync(HttpClient client, string url, ExpectedFigures expected, List<string> problems)
    {
        using var response = await client.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            problems.Add($"{url}: answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return;
        }
        var actual = await response.Content.ReadFromJsonAsync<JsonElement>();
        problems.AddRange(expected.Differences(actual, Tolerance).Select(d => $"{url}: {d}"));
    }
}
