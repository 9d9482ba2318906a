using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Queue.Tests.Infrastructure;

/// <summary>Live state against a recomputation from PostgreSQL: what a node serves must equal what the tables say.</summary>
public static class LiveCheck
{
    /// <summary>
    /// A live window's figures as JSON names: every property of <see cref="Queue.Live.LiveWindow"/> but its bounds and
    /// states, so a figure added to the window is compared with <c>/api/metrics</c> here (and with the reference in
    /// <c>LivePropertyTests</c>) with no list to extend.
    /// </summary>
    public static readonly string[] WindowFields = [.. typeof(Queue.Live.LiveWindow).GetProperties()
        .Where(p => p.Name is not (nameof(Queue.Live.LiveWindow.From) or nameof(Queue.Live.LiveWindow.To) or nameof(Queue.Live.LiveWindow.States)))
        .Select(p => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(p.Name))];

    /// <summary>Waits until live state has applied every event committed so far (the shared cursor has passed the last one).</summary>
    public static async Task CaughtUpAsync(NpgsqlDataSource db, TestRedis redis, Func<IEnumerable<string>>? diagnostics = null, TimeSpan? timeout = null)
    {
        await using var command = db.CreateCommand("select e.tx::text, e.position from events e order by e.tx desc, e.position desc limit 1");
        await using var reader = await command.ExecuteReaderAsync();
        var last = await reader.ReadAsync() ? (Tx: ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture), Position: reader.GetInt64(1)) : (Tx: 0UL, Position: 0L);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var cursor = await redis.CursorAsync();
            if (cursor is { } c && (c.Tx > last.Tx || (c.Tx == last.Tx && c.Position >= last.Position))) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"live state did not catch up with ({last.Tx}, {last.Position}); its cursor is {cursor}\n"
                    + string.Join("\n", diagnostics?.Invoke() ?? []));
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Waits until the live snapshots of every scope (a queue, or null for the center) equal PostgreSQL, and fails saying
    /// how they still differ after <paramref name="within"/> (20 s). Answers the time since <paramref name="clock"/> started.
    /// </summary>
    public static async Task<TimeSpan> UntilEqualAsync(HttpClient http, NpgsqlDataSource db, IEnumerable<string?> scopes, string when,
        System.Diagnostics.Stopwatch? clock = null, TimeSpan? within = null)
    {
        clock ??= System.Diagnostics.Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(20);
        List<string> problems = [];
        while (clock.Elapsed < limit)
        {
            problems = [];
            foreach (var scope in scopes) problems.AddRange(await DifferencesAsync(http, db, scope));
            if (problems.Count == 0) return clock.Elapsed;
            await Task.Delay(10);
        }
        Assert.Fail($"live state {when} still differs from PostgreSQL after {limit.TotalSeconds:0} s:\n" + string.Join("\n", problems));
        return clock.Elapsed;
    }

    /// <summary>Asserts that the live snapshots of every scope (a queue, or null for the center) equal PostgreSQL now.</summary>
    public static async Task AssertEqualAsync(HttpClient http, NpgsqlDataSource db, IEnumerable<string?> scopes)
    {
        var problems = new List<string>();
        foreach (var scope in scopes) problems.AddRange(await DifferencesAsync(http, db, scope));
        Assert.Empty(problems);
    }

    /// <summary>Every way the live snapshot of a queue (or the center) differs from PostgreSQL; empty when equal.</summary>
    public static async Task<List<string>> DifferencesAsync(HttpClient http, NpgsqlDataSource db, string? queue)
    {
        var problems = new List<string>();
        using var response = await http.GetAsync(queue is null ? "/api/center" : $"/api/queues/{queue}");
        if (response.StatusCode != HttpStatusCode.OK) return [$"{queue ?? "center"}: answered {(int)response.StatusCode}"];
        var live = await response.Content.ReadFromJsonAsync<JsonElement>();
        var snapshot = queue is null ? live : live.GetProperty("snapshot");
        foreach (var name in (string[])["m15", "m60", "today"])
        {
            var window = snapshot.GetProperty("windows").GetProperty(name);
            var metrics = await MetricsAsync(http, window, queue);
            foreach (var field in WindowFields) Same($"{queue ?? "center"} {name} {field}", metrics.GetProperty(field), window.GetProperty(field), problems);
        }
        var visits = snapshot.GetProperty("visits");
        var visitMetrics = await MetricsAsync(http, visits, queue);
        foreach (var field in (string[])["due24", "resolvedBy24", "visit24", "overdue48"])
            Same($"{queue ?? "center"} visits {field}", visitMetrics.GetProperty(field), visits.GetProperty(field), problems);

        // Live state counts no leg open for longer than an hour (Queue:Live:GhostAfter): a ghost or history.
        await using var waiting = db.CreateCommand(
            "select count(*), min(started_at) from legs where ended_at is null and ($1::text is null or queue = $1) and started_at >= $2");
        waiting.Parameters.Add(new NpgsqlParameter { Value = (object?)queue ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        waiting.Parameters.Add(new NpgsqlParameter { Value = snapshot.GetProperty("asOf").GetDateTimeOffset().UtcDateTime.AddHours(-1) });
        await using var reader = await waiting.ExecuteReaderAsync();
        await reader.ReadAsync();
        var count = reader.GetInt64(0);
        if (count != snapshot.GetProperty("callsWaiting").GetInt64())
            problems.Add($"{queue ?? "center"} callsWaiting: PostgreSQL has {count}, live {snapshot.GetProperty("callsWaiting").GetInt64()}");
        return problems;
    }

    static async Task<JsonElement> MetricsAsync(HttpClient http, JsonElement window, string? queue)
    {
        var (from, to) = (window.GetProperty("from").GetDateTimeOffset(), window.GetProperty("to").GetDateTimeOffset());
        var url = $"/api/metrics?from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}"
            + (queue is null ? "" : "&queue=" + queue);
        return await http.GetFromJsonAsync<JsonElement>(url);
    }

    static void Same(string what, JsonElement expected, JsonElement actual, List<string> problems)
    {
        var same = expected.ValueKind == JsonValueKind.Null
            ? actual.ValueKind == JsonValueKind.Null
            : actual.ValueKind == JsonValueKind.Number && Math.Abs(expected.GetDouble() - actual.GetDouble()) <= 1e-5;
        if (!same) problems.Add($"{what}: /api/metrics says {expected.GetRawText()}, live {actual.GetRawText()}");
    }
}
