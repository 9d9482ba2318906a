using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;
using Queue.Tests.Infrastructure;
using Queue.Tests.Ingest.Scenarios;

namespace Queue.Tests.Auth;

/// <summary>
/// A key scoped to some queues never sees another: random scenarios over several queues (reordered, duplicated, with
/// transfers between them and visits of their calls) are posted, a key is scoped to a random part of the queues, and
/// every answer it gets — JSON, CSV, the weekly report, the hub — must name none of the other queues, and its center
/// must be the sum of its queues as a plain reference counts them.
/// </summary>
public sealed partial class ScopedKeysPropertyTests(QueueApp app) : IClassFixture<QueueApp>
{
    // A case is ~35 events, a live rebuild, then ~40 requests.
    const int Cases = 20;
    const double Tolerance = 1e-5;

    static readonly Gen<(Case Case, int Mask)> Cases_ = ScenarioGen.Case.Select(Gen.Int[1, (1 << ScenarioGen.QueueNames.Length) - 2], (c, m) => (c, m));

    [Fact]
    public async Task No_answer_to_a_scoped_key_carries_another_queue_and_its_center_is_the_sum_of_its_queues() =>
        await Cases_.SampleAsync(CheckAsync, iter: Cases, threads: 1,
            print: x => $"team: {string.Join(", ", Team(x.Mask))}\n{x.Case.Describe()}");

    static HashSet<string> Team(int mask) =>
        [.. ScenarioGen.QueueNames.Where((_, i) => (mask & (1 << i)) != 0)];

    async Task CheckAsync((Case Case, int Mask) x)
    {
        var (c, mask) = x;
        var team = Team(mask);
        var others = ScenarioGen.QueueNames.Except(team).ToList();
        await DerivedRows.TruncateAsync(app.Db, ", alerts cascade");
        var now = app.Time.GetUtcNow();
        using var admin = app.Client();
        var body = new JsonArray([.. c.Scenario.Events.Select(e => (JsonNode)e.Json(now, rewritten: false))]);
        using (var posted = await admin.PostAsync("/api/events", JsonContent.Create(body)))
            Assert.True(posted.StatusCode == HttpStatusCode.OK, await posted.Content.ReadAsStringAsync());
        await app.LiveRebuiltAsync();

        using var created = await admin.PostAsJsonAsync("/api/keys", new { name = "team", role = "supervisor", queues = team.ToArray() });
        created.EnsureSuccessStatusCode();
        var key = (await created.JsonAsync()).GetProperty("key").GetString()!;
        using var scoped = app.Client(key);

        var problems = new List<string>();
        var reference = new Reference(c.Scenario, now, QueueApp.CallerSecret);
        var (from, to) = (now.AddDays(-8), now.AddMinutes(10));
        var window = $"from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}";

        // Figures over a window: the team's sum, as the reference counts it; each of its queues; another queue is 404.
        var sum = await scoped.GetFromJsonAsync<JsonElement>("/api/metrics?" + window);
        problems.AddRange(reference.FiguresOfTeam(from, to, team, now).Differences(sum, Tolerance).Select(d => "/api/metrics: " + d));
        foreach (var q in team)
        {
            var one = await scoped.GetFromJsonAsync<JsonElement>($"/api/metrics?{window}&queue={q}");
            problems.AddRange(reference.Figures(from, to, q, now).Differences(one, Tolerance).Select(d => $"/api/metrics queue={q}: " + d));
        }
        var week = System.Globalization.ISOWeek.GetYear(now.UtcDateTime) + "-W" + System.Globalization.ISOWeek.GetWeekOfYear(now.UtcDateTime).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
        var paths = new List<string>
        {
            "/api/me", "/api/queues", "/api/center", "/api/center/trend", "/api/targets", "/api/alerts", "/api/alerts.csv",
            "/api/callbacks?since=" + Uri.EscapeDataString(Ev.At(now.AddDays(-7).AddMinutes(1))), "/api/callbacks.csv",
            "/api/metrics.csv?" + window, "/api/metrics/breakdown?by=region&" + window, "/api/metrics/breakdown.csv?by=region&" + window,
            $"/api/reports/weekly/{week}.json", $"/api/reports/weekly/{week}.csv", $"/api/reports/weekly/{week}.html",
            "/api/agents", "/api/agents/report?" + window, "/api/agents/report.csv?" + window,
        };
        paths.AddRange(team.Select(q => $"/api/queues/{q}"));
        paths.AddRange(team.Select(q => $"/api/queues/{q}/trend"));
        foreach (var path in paths)
        {
            using var response = await scoped.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK) problems.Add($"{path}: {(int)response.StatusCode} {text}");
            else problems.AddRange(Named(text, others).Select(q => $"{path} names {q}"));
        }
        foreach (var q in others)
            foreach (var path in (string[])[$"/api/queues/{q}", $"/api/metrics?{window}&queue={q}", $"/api/agents?queue={q}", $"/api/agents/report?{window}&queue={q}", $"/api/callbacks?queue={q}", $"/api/alerts?queue={q}", $"/api/targets/{q}"])
                if ((await scoped.GetAsync(path)).StatusCode != HttpStatusCode.NotFound) problems.Add($"{path}: not 404");

        // A call shows its legs in the team's queues; one that never reached them does not exist.
        foreach (var call in reference.Calls)
        {
            using var response = await scoped.GetAsync($"/api/calls/{call.Id}");
            var reached = call.Legs.Any(l => team.Contains(l.Queue));
            if (response.StatusCode != (reached ? HttpStatusCode.OK : HttpStatusCode.NotFound))
                problems.Add($"/api/calls/{call.Id}: {(int)response.StatusCode}, legs in {string.Join(", ", call.Legs.Select(l => l.Queue))}");
            else if (reached) problems.AddRange(Named(await response.Content.ReadAsStringAsync(), others).Select(q => $"/api/calls/{call.Id} names {q}"));
        }

        // The center, live and in the weekly report: the sum of the team's queues.
        var center = await scoped.GetFromJsonAsync<JsonElement>("/api/center");
        var queues = await Task.WhenAll(team.Select(q => admin.GetFromJsonAsync<JsonElement>($"/api/queues/{q}")));
        foreach (var (name, of) in Figures)
        {
            var expected = queues.Sum(q => of(q.GetProperty("snapshot")));
            if (of(center) != expected) problems.Add($"/api/center {name}: {of(center)}, its queues add up to {expected}");
        }
        var report = await scoped.GetFromJsonAsync<JsonElement>($"/api/reports/weekly/{week}.json");
        var sections = report.GetProperty("queues").EnumerateArray().ToList();
        foreach (var field in (string[])["offered", "answered", "abandoned", "completed", "due48"])
        {
            var whole = report.GetProperty("center").GetProperty("week").GetProperty(field).GetInt64();
            var parts = sections.Sum(s => s.GetProperty("week").GetProperty(field).GetInt64());
            if (whole != parts) problems.Add($"weekly report {field}: center {whole}, its queues {parts}");
        }

        // The hub: joining the center gives the team's center and queues; another queue cannot be joined.
        await using (var live = await LiveClient.ConnectAsync(app.Factory.Server, key))
        {
            var joined = await live.JoinCenterAsync();
            if (joined.Queues.FirstOrDefault(q => !team.Contains(q.Queue!)) is { } stray) problems.Add($"JoinCenter gave {stray.Queue}");
            if (joined.Center.CallsWaiting != center.GetProperty("callsWaiting").GetInt64())
                problems.Add($"JoinCenter's center waits {joined.Center.CallsWaiting}, /api/center {center.GetProperty("callsWaiting").GetInt64()}");
            foreach (var q in others)
            {
                var refused = await Record.ExceptionAsync(() => live.JoinQueuesAsync(q));
                if (refused is null) problems.Add($"JoinQueues({q}) was not refused");
            }
        }
        if (problems.Count > 0) Assert.Fail($"{problems.Count} problem(s) for a key scoped to {string.Join(", ", team)}\n{string.Join("\n", problems)}");
    }

    static readonly (string Name, Func<JsonElement, long> Of)[] Figures =
    [
        ("callsWaiting", s => s.GetProperty("callsWaiting").GetInt64()),
        ("today answered", s => s.GetProperty("windows").GetProperty("today").GetProperty("answered").GetInt64()),
        ("today abandoned", s => s.GetProperty("windows").GetProperty("today").GetProperty("abandoned").GetInt64()),
        ("m60 answered", s => s.GetProperty("windows").GetProperty("m60").GetProperty("answered").GetInt64()),
        ("open visits", s => s.GetProperty("visits").GetProperty("open").GetInt64()),
    ];

    // A queue named as a whole word: a JSON string, a CSV cell, an HTML text (not inside an image's data).
    static IEnumerable<string> Named(string text, IEnumerable<string> queues)
    {
        var readable = DataUri().Replace(text, "");
        return queues.Where(q => Regex.IsMatch(readable, $@"(?<![\w.:-]){Regex.Escape(q)}(?![\w.:-])"));
    }

    [GeneratedRegex("data:[a-z/+]+;base64,[A-Za-z0-9+/=]+")]
    private static partial Regex DataUri();
}
