using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Ingest;

/// <summary>Every rule of the ingest contract: a bad event is named by index and field, and nothing is stored.</summary>
public sealed class ValidationTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    public static TheoryData<string, string, string> BadEvents => new()
    {
        // name, JSON of event [1] (event [0] is always valid), expected error key
        { "unknown field", """{"id":"x","type":"call.abandoned","at":"{now}","callId":"c","colour":"red"}""", "[1].colour" },
        { "typo in a field name", """{"id":"x","type":"call.answered","at":"{now}","callId":"c","agentID":"a"}""", "[1].agentID" },
        { "field of another type", """{"id":"x","type":"call.abandoned","at":"{now}","callId":"c","agentId":"a"}""", "[1].agentId" },
        { "missing id", """{"type":"call.abandoned","at":"{now}","callId":"c"}""", "[1].id" },
        { "empty id", """{"id":"","type":"call.abandoned","at":"{now}","callId":"c"}""", "[1].id" },
        { "id too long", """{"id":"{long}","type":"call.abandoned","at":"{now}","callId":"c"}""", "[1].id" },
        { "id with NUL", """{"id":"a\u0000b","type":"call.abandoned","at":"{now}","callId":"c"}""", "[1].id" },
        { "id as number", """{"id":5,"type":"call.abandoned","at":"{now}","callId":"c"}""", "[1].id" },
        { "missing type", """{"id":"x","at":"{now}","callId":"c"}""", "[1].type" },
        { "unknown type", """{"id":"x","type":"call.dropped","at":"{now}","callId":"c"}""", "[1].type" },
        { "missing at", """{"id":"x","type":"call.abandoned","callId":"c"}""", "[1].at" },
        { "at without offset", """{"id":"x","type":"call.abandoned","at":"2026-11-23T10:00:00","callId":"c"}""", "[1].at" },
        { "at as a date only", """{"id":"x","type":"call.abandoned","at":"2026-11-23","callId":"c"}""", "[1].at" },
        { "at not a real date", """{"id":"x","type":"call.abandoned","at":"2026-02-30T10:00:00Z","callId":"c"}""", "[1].at" },
        { "at as epoch number", """{"id":"x","type":"call.abandoned","at":1700000000,"callId":"c"}""", "[1].at" },
        { "at too far in the future", """{"id":"x","type":"call.abandoned","at":"{future}","callId":"c"}""", "[1].at" },
        { "at older than the lateness", """{"id":"x","type":"call.abandoned","at":"{late}","callId":"c"}""", "[1].at" },
        { "missing callId", """{"id":"x","type":"call.abandoned","at":"{now}"}""", "[1].callId" },
        { "identifier with a space", """{"id":"x","type":"call.abandoned","at":"{now}","callId":"c 1"}""", "[1].callId" },
        { "identifier with a brace", """{"id":"x","type":"call.queued","at":"{now}","callId":"c","queue":"{b2c}"}""", "[1].queue" },
        { "identifier with SQL", """{"id":"x","type":"call.queued","at":"{now}","callId":"c","queue":"b2c'; drop table events;--"}""", "[1].queue" },
        { "identifier with HTML", """{"id":"x","type":"call.queued","at":"{now}","callId":"<script>","queue":"b2c"}""", "[1].callId" },
        { "identifier too long", """{"id":"x","type":"call.abandoned","at":"{now}","callId":"{long}"}""", "[1].callId" },
        { "identifier as number", """{"id":"x","type":"call.abandoned","at":"{now}","callId":42}""", "[1].callId" },
        { "required field null", """{"id":"x","type":"call.abandoned","at":"{now}","callId":null}""", "[1].callId" },
        { "missing queue", """{"id":"x","type":"call.queued","at":"{now}","callId":"c"}""", "[1].queue" },
        { "missing toQueue", """{"id":"x","type":"call.transferred","at":"{now}","callId":"c"}""", "[1].toQueue" },
        { "missing agentId", """{"id":"x","type":"call.answered","at":"{now}","callId":"c"}""", "[1].agentId" },
        { "bad resolution", """{"id":"x","type":"call.completed","at":"{now}","callId":"c","resolution":"fixed"}""", "[1].resolution" },
        { "missing resolution of a resolution", """{"id":"x","type":"call.resolution","at":"{now}","callId":"c"}""", "[1].resolution" },
        { "bad resolution told", """{"id":"x","type":"call.resolution","at":"{now}","callId":"c","resolution":"fixed"}""", "[1].resolution" },
        { "null resolution told", """{"id":"x","type":"call.resolution","at":"{now}","callId":"c","resolution":null}""", "[1].resolution" },
        { "bad abandon reason", """{"id":"x","type":"call.abandoned","at":"{now}","callId":"c","reason":"bored"}""", "[1].reason" },
        { "abandon reason not text", """{"id":"x","type":"call.abandoned","at":"{now}","callId":"c","reason":1}""", "[1].reason" },
        { "pause reason too long", """{"id":"x","type":"agent.status","at":"{now}","agentId":"a","status":"break","reason":"{long}"}""", "[1].reason" },
        { "pause reason empty", """{"id":"x","type":"agent.status","at":"{now}","agentId":"a","status":"break","reason":""}""", "[1].reason" },
        { "pause reason with a NUL", """{"id":"x","type":"agent.status","at":"{now}","agentId":"a","status":"break","reason":"lunch\u0000"}""", "[1].reason" },
        { "reason on an answer", """{"id":"x","type":"call.answered","at":"{now}","callId":"c","agentId":"a","reason":"hangup"}""", "[1].reason" },
        { "missed without agent", """{"id":"x","type":"call.missed","at":"{now}","callId":"c"}""", "[1].agentId" },
        { "negative ring", """{"id":"x","type":"call.missed","at":"{now}","callId":"c","agentId":"a","ringSeconds":-1}""", "[1].ringSeconds" },
        { "ring as text", """{"id":"x","type":"call.missed","at":"{now}","callId":"c","agentId":"a","ringSeconds":"15"}""", "[1].ringSeconds" },
        { "ring over a day", """{"id":"x","type":"call.missed","at":"{now}","callId":"c","agentId":"a","ringSeconds":1e9}""", "[1].ringSeconds" },
        { "bad status", """{"id":"x","type":"agent.status","at":"{now}","agentId":"a","status":"lunch"}""", "[1].status" },
        { "queues not an array", """{"id":"x","type":"agent.status","at":"{now}","agentId":"a","status":"busy","queues":"b2c"}""", "[1].queues" },
        { "queues with a bad id", """{"id":"x","type":"agent.status","at":"{now}","agentId":"a","status":"busy","queues":["b 2c"]}""", "[1].queues" },
        { "missing visitId", """{"id":"x","type":"visit.resolved","at":"{now}"}""", "[1].visitId" },
        { "caller not a number", """{"id":"x","type":"call.queued","at":"{now}","callId":"c","queue":"b2c","caller":"call me"}""", "[1].caller" },
        { "event not an object", "\"call.abandoned\"", "[1]" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task Bad_event_is_named_by_index_and_field_and_nothing_is_stored(string rule, string badEvent, string expectedKey)
    {
        // A producer's key: an admin's (or an import key) may post history older than the lateness.
        using var client = app.Client(await app.KeyAsync("ingest"));
        var good = Ev.Queued($"good-{Guid.NewGuid():N}", Now, $"good-call-{Guid.NewGuid():N}", "b2c").ToJsonString();
        var bad = badEvent
            .Replace("{now}", Ev.At(Now), StringComparison.Ordinal)
            .Replace("{future}", Ev.At(Now.AddMinutes(5).AddSeconds(1)), StringComparison.Ordinal)
            .Replace("{late}", Ev.At(Now.AddDays(-7).AddSeconds(-1)), StringComparison.Ordinal)
            .Replace("{long}", new string('a', 101), StringComparison.Ordinal);
        var before = await app.CountAsync("events");

        var response = await client.PostRawAsync($"[{good},{bad}]");

        Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"{rule}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal("urn:queue:problem:invalid-events", problem.GetProperty("type").GetString());
        var keys = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.True(keys.Contains(expectedKey), $"{rule}: expected {expectedKey}, got {string.Join(", ", keys)}");
        Assert.DoesNotContain(keys, k => k.StartsWith("[0]", StringComparison.Ordinal));
        Assert.Equal(before, await app.CountAsync("events"));
    }

    [Fact]
    public async Task Every_bad_event_of_a_batch_is_reported_in_one_problem()
    {
        using var client = app.Client();
        var response = await client.PostRawAsync($$"""
            [{"id":"a","type":"call.abandoned","at":"{{Ev.At(Now)}}"},
             {"id":"b","type":"call.abandoned","at":"{{Ev.At(Now)}}","callId":"ok"},
             {"id":"c","type":"visit.resolved","at":"yesterday","visitId":"v","extra":1}]
            """);

        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(errors.TryGetProperty("[0].callId", out _));
        Assert.True(errors.TryGetProperty("[2].at", out _));
        Assert.True(errors.TryGetProperty("[2].extra", out _));
        Assert.False(errors.TryGetProperty("[1].callId", out _));
    }

    [Fact]
    public async Task A_field_sent_twice_is_refused_not_silently_overwritten()
    {
        using var client = app.Client();
        var response = await client.PostRawAsync(
            $$"""{"id":"twice-field","type":"call.queued","at":"{{Ev.At(Now)}}","callId":"c","queue":"b2c","queue":"b2b"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("[0].queue", out _));
        Assert.Equal(0, await CountWhereAsync("events", "id = 'twice-field'"));
    }

    [Fact]
    public async Task A_single_object_is_accepted_as_a_batch_of_one()
    {
        using var client = app.Client();
        var response = await client.PostRawAsync(Ev.Queued("single-1", Now, "single-call", "b2c").ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.JsonAsync()).GetProperty("new").GetInt32());
    }

    [Fact]
    public async Task Offsets_are_honoured_and_precision_is_microseconds()
    {
        using var client = app.Client();
        var at = Now.AddMinutes(-1);
        var minus3 = at.ToOffset(TimeSpan.FromHours(-3)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'-03:00'", System.Globalization.CultureInfo.InvariantCulture);
        var response = await client.PostRawAsync(
            $$"""{"id":"offset-1","type":"call.queued","at":"{{minus3}}","callId":"offset-call","queue":"b2c"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var command = app.Db.CreateCommand("select started_at from legs where call_id = 'offset-call'");
        var stored = (DateTime)(await command.ExecuteScalarAsync())!;
        Assert.Equal(at.UtcDateTime.Ticks / 10 * 10, stored.Ticks);
    }

    [Theory]
    [InlineData("{", "malformed-json")]
    [InlineData("[1,2", "malformed-json")]
    [InlineData("{\"id\":\"x\",}", "malformed-json")]
    [InlineData("", "malformed-json")]
    [InlineData("[]", "invalid-events")]
    [InlineData("null", "invalid-events")]
    [InlineData("42", "invalid-events")]
    public async Task Malformed_bodies_get_a_400_problem(string body, string problemType)
    {
        using var client = app.Client();
        var response = await client.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:queue:problem:" + problemType, (await response.JsonAsync()).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("id")]
    [InlineData("type")]
    [InlineData("at")]
    [InlineData("callId")]
    [InlineData("caller")]
    [InlineData("\\ud800")]
    public async Task A_lone_surrogate_escape_anywhere_is_a_400_not_a_500(string field)
    {
        using var client = app.Client();
        var e = new Dictionary<string, string>
        {
            ["id"] = "sur-1", ["type"] = "call.queued", ["at"] = Ev.At(Now), ["callId"] = "c", ["queue"] = "b2c", ["caller"] = "+79120000000",
        };
        var body = "{" + string.Join(",", e.Select(p => p.Key == field
            ? $"\"{p.Key}\":\"a\\ud800b\""
            : $"\"{p.Key}\":\"{p.Value}\"")) + (field.StartsWith('\\') ? $",\"{field}\":1" : "") + "}";

        var response = await client.PostRawAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await CountWhereAsync("events", "id like 'sur-%'"));
    }

    [Fact]
    public async Task Deep_nesting_is_refused_with_a_400()
    {
        using var client = app.Client();
        var response = await client.PostRawAsync(new string('[', 10_000) + new string(']', 10_000));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("urn:queue:problem:malformed-json", (await response.JsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_with_a_400()
    {
        using var client = app.Client();
        var bytes = Encoding.UTF8.GetBytes($$"""{"id":"utf-X","type":"call.abandoned","at":"{{Ev.At(Now)}}","callId":"c"}""");
        bytes[7] = 0xFF;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");

        var response = await client.PostAsync("/api/events", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_body_starting_with_a_byte_order_mark_is_read_as_JSON()
    {
        using var client = app.Client();
        var bytes = System.Text.Encoding.UTF8.GetPreamble().Concat(System.Text.Encoding.UTF8.GetBytes(Ev.Queued("bom-1", Now, "bom-call", "b2c").ToJsonString())).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");

        var response = await client.PostAsync("/api/events", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountWhereAsync("events", "id = 'bom-1'"));
    }

    [Fact]
    public async Task A_compressed_body_is_a_415_not_a_parse_error()
    {
        using var client = app.Client();
        using var content = new StringContent(Ev.Queued("gz-1", Now, "gz-call", "b2c").ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        content.Headers.ContentEncoding.Add("gzip");

        var response = await client.PostAsync("/api/events", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, await CountWhereAsync("events", "id = 'gz-1'"));
    }

    [Fact]
    public async Task Wrong_content_type_is_a_415()
    {
        using var client = app.Client();
        var response = await client.PostRawAsync(Ev.Queued("ct-1", Now, "ct-call", "b2c").ToJsonString(), "text/plain");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0, await CountWhereAsync("events", "id = 'ct-1'"));
    }

    [Fact]
    public async Task More_than_5000_events_is_refused_with_a_clear_problem_and_nothing_stored()
    {
        using var client = app.Client();
        var events = Enumerable.Range(0, 5001).Select(i => (JsonNode)Ev.Abandoned($"big-{i}", Now, $"big-call-{i}")).ToArray();

        var response = await client.PostEventsAsync(events);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("5,000", (await response.JsonAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await CountWhereAsync("events", "id like 'big-%'"));
    }

    [Fact]
    public async Task Exactly_5000_events_are_accepted()
    {
        using var client = app.Client();
        var events = Enumerable.Range(0, 5000).Select(i => (JsonNode)Ev.Queued($"full-{i}", Now, $"full-call-{i % 700}", "b2c")).ToArray();

        var response = await client.PostEventsAsync(events);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5000, (await response.JsonAsync()).GetProperty("new").GetInt32());
    }

    [Fact]
    public async Task A_body_over_10_MB_is_a_413_and_stores_nothing()
    {
        using var client = app.Client();
        var padding = new string(' ', 10 * 1024 * 1024);
        var response = await client.PostRawAsync($"[{Ev.Queued("huge-1", Now, "huge-call", "b2c").ToJsonString()}{padding}]");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("urn:queue:problem:too-large", (await response.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(0, await CountWhereAsync("events", "id = 'huge-1'"));
    }

    [Theory]
    [InlineData("anonymous")]
    [InlineData("Restricted")]
    [InlineData("unknown")]
    public async Task A_withheld_number_is_accepted_as_no_caller(string caller)
    {
        using var client = app.Client();
        var callId = $"withheld-{Guid.NewGuid():N}";
        var e = Ev.Queued($"{callId}-q", Now, callId, "b2c");
        e["caller"] = caller;

        var response = await client.PostEventsAsync(e);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await CountWhereAsync("calls", $"call_id = '{callId}' and caller_hash is null"));
    }

    [Fact]
    public async Task Error_messages_never_echo_the_callers_number()
    {
        using var client = app.Client();
        var response = await client.PostRawAsync(
            $$"""{"id":"echo-1","type":"call.queued","at":"{{Ev.At(Now)}}","callId":"c","queue":"b2c","caller":"+7912x5550199"}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("5550199", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    async Task<long> CountWhereAsync(string table, string where)
    {
        await using var command = app.Db.CreateCommand($"select count(*) from {table} where {where}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
