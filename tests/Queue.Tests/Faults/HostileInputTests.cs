using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Faults;

/// <summary>The service as a process (real Kestrel): nothing but the corpus reaches it.</summary>
public sealed class CorpusService : OwnService
{
    // A body that stalls is cut off this soon (30 s by default), so the test need not wait for it.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["Queue__Ingest__BodyTimeout"] = "00:00:05" };
}

/// <summary>
/// SPEC §2, §7: over ten thousand malformed, oversized and hostile requests against a running service. Each is
/// answered 4xx (with an RFC 9457 problem document whenever there is a body), or, for what never finishes arriving,
/// cut off; never a 5xx, never a hang. Nothing is stored, and the service is healthy and ingests a good event afterwards.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class HostileInputTests(CorpusService service, ITestOutputHelper output) : IClassFixture<CorpusService>
{
    const int Seed = 20261123;
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    static readonly string[] Tables = ["events", "event_keys", "calls", "legs", "visits", "agents", "api_keys", "queue_targets", "alerts", "alert_history"];

    /// <summary>Kinds where the server may end the connection instead of answering: it stops reading what it will not take.</summary>
    static readonly HashSet<string> MayClose = ["over 10 MB", "headers too large", "request line too long", "malformed HTTP", "slow body", "slow headers"];

    readonly ConcurrentDictionary<(string Kind, string Outcome), int> tally = new();
    readonly ConcurrentQueue<string> failures = new();

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_4xx_problems_store_nothing_and_leave_the_service_healthy()
    {
        var keys = new Dictionary<Sender, string>
        {
            [Sender.Admin] = service.AdminKey,
            [Sender.Ingest] = await service.Node.CreateKeyAsync("corpus ingest", "ingest", CancellationToken.None),
            [Sender.Wallboard] = await service.Node.CreateKeyAsync("corpus wallboard", "wallboard", CancellationToken.None),
        };
        var before = await CountAsync();
        var random = new Random(Seed);
        var templates = new EventTemplates(DateTimeOffset.UtcNow);
        var corpus = new HostileEvents(templates, random).All().Concat(new HostileRequests(random).All());
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = service.Node.Address, Timeout = Patience };
        var clock = Stopwatch.StartNew();

        // Clients that trickle a body, stall half-way, or never finish their headers, all the while the corpus runs.
        var slow = Task.WhenAll(
            Enumerable.Range(0, 3).Select(_ => SlowAsync("slow body", SlowBody(keys[Sender.Ingest], trickle: true), TimeSpan.FromMilliseconds(700)))
                .Append(SlowAsync("slow body", SlowBody(keys[Sender.Ingest], trickle: false), TimeSpan.FromMilliseconds(700)))
                .Append(SlowAsync("slow headers", SlowHeaders(), TimeSpan.FromSeconds(1))));

        await Parallel.ForEachAsync(corpus, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (h, _) => await SendAsync(http, h, keys));
        await Parallel.ForEachAsync(HostileRequests.Raw(keys[Sender.Ingest], keys[Sender.Admin]), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (r, _) => Record(r.Kind, await SendRawAsync(r.Request), Encoding.Latin1.GetString(r.Request[..Math.Min(80, r.Request.Length)])));
        await slow;
        var took = clock.Elapsed;

        Report(took);
        Assert.True(failures.IsEmpty, $"{failures.Count} requests were not refused as they should be:\n{string.Join("\n", failures.Take(25))}");
        Assert.True(tally.Values.Sum() >= 10_000, $"only {tally.Values.Sum()} requests");

        Assert.Equal(before, await CountAsync());
        using (var health = new HttpClient { BaseAddress = service.Node.Address })
            Assert.Equal(HttpStatusCode.OK, (await health.GetAsync("/health/live")).StatusCode);
        using var ingest = service.Client(keys[Sender.Ingest]);
        await ingest.PostEventsRetryingAsync(Ev.Queued("after-the-corpus", DateTimeOffset.UtcNow.AddSeconds(-5), "after-the-corpus", "h-q"));
        Assert.Equal(before["events"] + 1, (await CountAsync())["events"]);
        var errors = service.LogLines().Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, "the service logged errors:\n" + string.Join("\n", errors.Take(10)) + "\n" + service.LogTail());
    }

    async Task SendAsync(HttpClient http, Hostile h, Dictionary<Sender, string> keys)
    {
        using var request = new HttpRequestMessage(new HttpMethod(h.Method), h.Target);
        if (h.Body is not null)
        {
            request.Content = new ByteArrayContent(h.Body);
            if (h.ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", h.ContentType);
        }
        if (h.Chunked) request.Headers.TransferEncodingChunked = true;
        var key = h.As switch { Sender.Nobody => null, Sender.OwnKey => h.Key, _ => keys[h.As] };
        if (key is not null) request.Headers.TryAddWithoutValidation("X-Api-Key", key);
        foreach (var (name, value) in h.Headers)
        {
            if (name.StartsWith("Content-", StringComparison.Ordinal)) request.Content?.Headers.TryAddWithoutValidation(name, value);
            else request.Headers.TryAddWithoutValidation(name, value);
        }
        var what = $"{h.Method} {Shorten(h.Target)} {(h.Body is null ? "" : Shorten(Encoding.UTF8.GetString(h.Body, 0, Math.Min(200, h.Body.Length))))}"
            + (h.Body?.Length > 200 ? $"… ({h.Body.Length:N0} bytes)" : "");
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            Record(h.Kind, new RawAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, TimeSpan.Zero), what);
        }
        catch (HttpRequestException)
        {
            Record(h.Kind, new RawAnswer(null, null, [], TimeSpan.Zero), what);
        }
        catch (TaskCanceledException)
        {
            tally.AddOrUpdate((h.Kind, "no answer"), 1, (_, n) => n + 1);
            failures.Enqueue($"{h.Kind}: no answer within {Patience.TotalSeconds:0} s to {what}");
        }
    }

    async Task<RawAnswer> SendRawAsync(byte[] request)
    {
        try
        {
            return await RawHttp.SendAsync(service.Node.Port, request, TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            return new RawAnswer(0, null, [], TimeSpan.FromSeconds(20));
        }
    }

    async Task SlowAsync(string kind, List<byte[]> parts, TimeSpan gap)
    {
        RawAnswer answer;
        try
        {
            answer = await RawHttp.SendAsync(service.Node.Port, parts, gap, TimeSpan.FromSeconds(50));
        }
        catch (TimeoutException)
        {
            answer = new RawAnswer(0, null, [], TimeSpan.FromSeconds(50));
        }
        Record(kind, answer, $"{kind}, ended after {answer.Took.TotalSeconds:F1} s");
    }

    /// <summary>A body announced at 100,000 bytes that then arrives a byte at a time, or stops half-way.</summary>
    static List<byte[]> SlowBody(string key, bool trickle)
    {
        var head = Encoding.ASCII.GetBytes($"POST /api/events HTTP/1.1\r\nHost: localhost\r\nX-Api-Key: {key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[");
        return trickle ? [head, .. Enumerable.Repeat("{\"a\":1},"u8.ToArray(), 60).SelectMany(p => p.Select(b => new[] { b }))] : [head, new byte[50_000]];
    }

    static List<byte[]> SlowHeaders() =>
        [.. Encoding.ASCII.GetBytes("POST /api/events HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + new string('s', 60)).Select(b => new[] { b })];

    void Record(string kind, RawAnswer answer, string what)
    {
        var outcome = answer.Status switch
        {
            null => "closed",
            0 => "no answer",
            var s => s.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        tally.AddOrUpdate((kind, outcome), 1, (_, n) => n + 1);
        var problem = answer.Status switch
        {
            null => MayClose.Contains(kind) ? null : "the connection was closed without an answer",
            0 => "no answer: the server kept the connection open",
            < 400 or >= 500 => $"answered {answer.Status}",
            _ => ProblemShape(answer),
        };
        if (problem is not null) failures.Enqueue($"{kind}: {problem} to {what}: {Shorten(Encoding.UTF8.GetString(answer.Body))}");
    }

    /// <summary>Null when a body, if any, is an RFC 9457 problem document for this status; else what is wrong with it.</summary>
    static string? ProblemShape(RawAnswer answer)
    {
        if (answer.Body.Length == 0) return null;
        if (answer.ContentType?.Split(';')[0].Trim() != "application/problem+json") return $"{answer.Status} with a body of type {answer.ContentType}";
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            var root = document.RootElement;
            if (!root.TryGetProperty("status", out var status) || status.GetInt32() != answer.Status) return $"{answer.Status} whose problem says another status";
            if (!root.TryGetProperty("title", out var title) || title.ValueKind != JsonValueKind.String) return $"{answer.Status} whose problem has no title";
            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) return $"{answer.Status} whose problem has no type";
            return null;
        }
        catch (JsonException)
        {
            return $"{answer.Status} whose problem is not JSON";
        }
    }

    void Report(TimeSpan took)
    {
        var total = tally.Values.Sum();
        output.WriteLine($"{total:N0} requests in {took.TotalSeconds:F0} s; by answer: "
            + string.Join(", ", tally.GroupBy(t => t.Key.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Sum(t => t.Value):N0}")));
        foreach (var kind in tally.GroupBy(t => t.Key.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"  {kind.Key}: " + string.Join(", ", kind.OrderBy(t => t.Key.Outcome, StringComparer.Ordinal).Select(t => $"{t.Key.Outcome} × {t.Value:N0}")));
    }

    async Task<Dictionary<string, long>> CountAsync()
    {
        var counts = new Dictionary<string, long>();
        foreach (var table in Tables)
        {
            await using var command = service.Db.CreateCommand($"select count(*) from {table}");
            counts[table] = (long)(await command.ExecuteScalarAsync())!;
        }
        return counts;
    }

    static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + $"… ({text.Length:N0} chars)";
}
