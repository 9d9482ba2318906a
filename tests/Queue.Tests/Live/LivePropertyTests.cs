using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Queue.Tests.Infrastructure;
using Queue.Tests.Ingest.Scenarios;

namespace Queue.Tests.Live;

/// <summary>
/// Live state (Redis) after random scenarios, delivered shuffled, duplicated and batched, must equal both
/// <c>GET /api/metrics</c> over the same windows and a plain reference computed in the test: per queue and for the
/// whole center, every live window, the waiting calls, visits and agents. Then the clock moves with no event, and
/// the windows must have moved with it. Each case starts from flushed live state, so each is also a rebuild.
/// </summary>
public sealed class LivePropertyTests(QueueApp app) : IClassFixture<QueueApp>
{
    const int Cases = 25;
    const double Tolerance = 1e-5;
    static readonly string?[] Scopes = [null, .. ScenarioGen.QueueNames];
    static readonly string[] Windows = ["m15", "m60", "today"];

    [Fact]
    public async Task Live_state_equals_metrics_and_the_reference_after_any_delivery_and_as_time_passes() =>
        await ScenarioGen.Case.SampleAsync(CheckAsync, iter: Cases, threads: 1, print: c => c.Describe());

    async Task CheckAsync(Case c)
    {
        await ResetAsync();
        var ingestNow = app.Time.GetUtcNow();
        using var client = app.Client();
        foreach (var batch in c.Delivery.Batches)
        {
            var body = new JsonArray([.. batch.Select(s => (JsonNode)c.Scenario.Events[s.Event].Json(ingestNow, s.Rewritten))]);
            using var response = await client.PostAsync("/api/events", JsonContent.Create(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await app.LiveCaughtUpAsync();

        var reference = new Reference(c.Scenario, ingestNow, QueueApp.CallerSecret);
        var problems = new List<string>();
        await CompareAsync(client, reference, problems, "at ingest");
        var advance = c.Advance.Resolve(c.Scenario);
        app.Time.Advance(advance);
        await CompareAsync(client, reference, problems, $"{advance} later, no new event");
        if (problems.Count > 0) Assert.Fail($"t₀ = {ingestNow:O}\n{string.Join("\n", problems)}");
    }

    // Live state is lost (as after a FLUSHALL) and rebuilt from the emptied tables. Twice: a step of the follower
    // that read rows before the truncate may land after the first flush; none can after the first rebuild.
    async Task ResetAsync()
    {
        await DerivedRows.TruncateAsync(app.Db);
        for (var round = 0; round < 2; round++)
        {
            await app.Redis.DeleteKeysAsync();
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (await app.Redis.CursorAsync() is null)
            {
                Assert.True(DateTime.UtcNow < deadline, "live state was not rebuilt within 10 s of being flushed:\n"
                    + string.Join("\n", app.Logs.Where(l => l.Contains("Live", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal)).TakeLast(20)));
                await Task.Delay(10);
            }
        }
    }

    async Task CompareAsync(HttpClient client, Reference reference, List<string> problems, string when)
    {
        var now = app.Time.GetUtcNow();
        foreach (var queue in Scopes)
        {
            var where = $"{when}, {queue ?? "center"}";
            using var response = await client.GetAsync(queue is null ? "/api/center" : $"/api/queues/{queue}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                problems.Add($"{where}: answered {(int)response.StatusCode}");
                continue;
            }
            var live = await response.Content.ReadFromJsonAsync<JsonElement>();
            var snapshot = queue is null ? live : live.GetProperty("snapshot");

            foreach (var name in Windows)
            {
                var window = snapshot.GetProperty("windows").GetProperty(name);
                var (from, to) = (window.GetProperty("from").GetDateTimeOffset(), window.GetProperty("to").GetDateTimeOffset());
                var metrics = await MetricsAsync(client, from, to, queue);
                var expected = reference.Figures(from, to, queue, now);
                foreach (var field in LiveCheck.WindowFields)
                {
                    Same($"{where} {name} {field} vs /api/metrics", metrics.GetProperty(field), window.GetProperty(field), problems);
                    Same($"{where} {name} {field} vs reference", Expected(expected, field), window.GetProperty(field), problems);
                }
            }

            var visits = snapshot.GetProperty("visits");
            var (vFrom, vTo) = (visits.GetProperty("from").GetDateTimeOffset(), visits.GetProperty("to").GetDateTimeOffset());
            var visitMetrics = await MetricsAsync(client, vFrom, vTo, queue);
            foreach (var field in (string[])["due24", "resolvedBy24", "visit24", "overdue48"])
                Same($"{where} visits {field} vs /api/metrics", visitMetrics.GetProperty(field), visits.GetProperty(field), problems);

            var mine = reference.Visits.Where(v => v.CreatedAt is not null && v.ResolvedAt is null && v.CancelledAt is null
                && (queue is null || reference.QueueOf(v) == queue)).ToList();
            Equal($"{where} open visits", mine.Count, visits.GetProperty("open").GetInt64(), problems);
            Equal($"{where} late visits", mine.Count(v => v.Due24 < now), visits.GetProperty("late").GetInt64(), problems);
            Equal($"{where} overdue visits", mine.Count(v => v.Due48 < now), visits.GetProperty("overdue").GetInt64(), problems);

            // A leg open for longer than an hour is a ghost: no live figure's.
            var waiting = reference.Calls.SelectMany(call => call.Legs)
                .Where(l => l.End is null && l.Start >= now - TimeSpan.FromHours(1) && (queue is null || l.Queue == queue)).ToList();
            Equal($"{where} calls waiting", waiting.Count, snapshot.GetProperty("callsWaiting").GetInt64(), problems);
            var oldest = snapshot.GetProperty("oldestWaitingSince");
            if (waiting.Count == 0 ? oldest.ValueKind != JsonValueKind.Null : oldest.GetDateTimeOffset() != waiting.Min(l => l.Start))
                problems.Add($"{where} oldest waiting since: expected {(waiting.Count == 0 ? "null" : waiting.Min(l => l.Start).ToString("O", CultureInfo.InvariantCulture))}, got {oldest}");

            var agents = reference.Agents.Where(a => queue is null
                || (a.Queues is not null && JsonSerializer.Deserialize<string[]>(a.Queues)!.Contains(queue))).ToList();
            foreach (var status in (string[])["available", "busy", "wrap_up", "break", "offline"])
                Equal($"{where} agents {status}", agents.Count(a => a.Status == status), snapshot.GetProperty("agents").GetProperty(status).GetInt64(), problems);

            if (queue is null) continue;
            var inputs = snapshot.GetProperty("staffing").GetProperty("inputs");
            var (wrapUps, wrapUpMicros) = reference.WrapUps(queue, now);
            Equal($"{where} wrap-ups of the hour", wrapUps, inputs.GetProperty("wrapUps60").GetInt64(), problems);
            Same($"{where} wrap-up seconds", wrapUps == 0 ? null : wrapUpMicros / 1e6 / wrapUps, inputs.GetProperty("wrapUpSeconds"), problems);
        }
    }

    static object? Expected(ExpectedFigures f, string field) => field switch
    {
        "answered" => f.Answered,
        "abandoned" => f.Abandoned,
        "shortAbandoned" => f.ShortAbandoned,
        "asaSeconds" => f.AsaSeconds,
        "serviceLevel" => f.ServiceLevel,
        "abandonmentRate" => f.AbandonmentRate,
        "completed" => f.Completed,
        "resolvedRemotely" => f.ResolvedRemotely,
        "resolutionUnknown" => f.ResolutionUnknown,
        "remoteResolution" => f.RemoteResolution,
        _ => throw new ArgumentException($"a live window's figure '{field}' has no reference: add it to Reference (Ingest/Scenarios) and here"),
    };

    async Task<JsonElement> MetricsAsync(HttpClient client, DateTimeOffset from, DateTimeOffset to, string? queue)
    {
        var url = $"/api/metrics?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}"
            + (queue is null ? "" : "&queue=" + queue);
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    static void Same(string what, object? expected, JsonElement actual, List<string> problems)
    {
        var same = expected switch
        {
            JsonElement e => e.ValueKind == JsonValueKind.Null ? actual.ValueKind == JsonValueKind.Null
                : actual.ValueKind == JsonValueKind.Number && Math.Abs(e.GetDouble() - actual.GetDouble()) <= Tolerance,
            null => actual.ValueKind == JsonValueKind.Null,
            long n => actual.ValueKind == JsonValueKind.Number && actual.GetInt64() == n,
            double d => actual.ValueKind == JsonValueKind.Number && Math.Abs(actual.GetDouble() - d) <= Tolerance,
            _ => false,
        };
        if (!same) problems.Add($"{what}: expected {expected switch { null => "null", JsonElement e => e.GetRawText(), _ => Convert.ToString(expected, CultureInfo.InvariantCulture) }}, got {actual.GetRawText()}");
    }

    static void Equal(string what, long expected, long actual, List<string> problems)
    {
        if (expected != actual) problems.Add($"{what}: expected {expected}, got {actual}");
    }
}
