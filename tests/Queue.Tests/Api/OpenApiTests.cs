using System.Net;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Api;

public sealed class OpenApiTests(QueueApp app) : IClassFixture<QueueApp>
{
    [Fact]
    public async Task The_document_describes_every_endpoint_event_type_and_problem_shape()
    {
        using var client = app.Client(key: null);
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        var paths = doc.RootElement.GetProperty("paths");

        foreach (var path in new[] { "/api/events", "/api/metrics", "/api/calls/{callId}", "/api/keys", "/api/keys/{id}", "/api/staffing" })
            Assert.True(paths.TryGetProperty(path, out _), "missing path " + path);
        foreach (var type in new[] { "call.queued", "call.answered", "call.abandoned", "call.transferred", "call.completed",
                                     "call.resolution", "call.missed", "agent.status", "visit.created", "visit.resolved", "visit.cancelled" })
            Assert.Contains($"\"{type}\"", text, StringComparison.Ordinal);
        var post = paths.GetProperty("/api/events").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "403", "409", "413", "415", "503" })
            Assert.True(post.TryGetProperty(status, out _), "POST /api/events does not document " + status);
        Assert.Contains("HttpValidationProblemDetails", text, StringComparison.Ordinal);
        Assert.Contains("ProblemDetails", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("EventCallQueued", "callId,queue", "region,language,segment,caller")]
    [InlineData("EventCallAnswered", "callId,agentId", "")]
    [InlineData("EventCallAbandoned", "callId", "reason")]
    [InlineData("EventCallMissed", "callId,agentId", "ringSeconds")]
    [InlineData("EventCallResolution", "callId,resolution", "visitId")]
    [InlineData("EventCallTransferred", "callId,toQueue", "")]
    [InlineData("EventCallCompleted", "callId", "resolution,visitId")]
    [InlineData("EventAgentStatusChanged", "agentId,status", "queues,reason")]
    [InlineData("EventVisitCreated", "visitId", "callId,region")]
    [InlineData("EventVisitResolved", "visitId", "")]
    [InlineData("EventVisitCancelled", "visitId", "")]
    public async Task Each_event_schema_requires_only_its_required_fields_and_refuses_unknown_ones(string name, string required, string optional)
    {
        using var doc = await DocumentAsync();
        var schema = doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(name);

        var listed = schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order().ToArray();
        Assert.Equal(new[] { "id", "type", "at" }.Concat(Fields(required)).Order().ToArray(), listed);
        foreach (var field in Fields(optional))
            Assert.True(schema.GetProperty("properties").TryGetProperty(field, out _), $"{name} does not describe {field}");
        Assert.Equal(JsonValueKind.False, schema.GetProperty("additionalProperties").ValueKind);
    }

    [Fact]
    public async Task A_queue_snapshot_describes_its_staffing()
    {
        using var doc = await DocumentAsync();
        var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("QueueSnapshot").GetProperty("properties").TryGetProperty("staffing", out _));
        var staffing = schemas.GetProperty("LiveStaffing").GetProperty("properties");
        foreach (var field in new[] { "needed", "has", "erlangs", "stable", "expectedAsaSeconds", "expectedAbandonment", "model", "state", "inputs" })
            Assert.True(staffing.TryGetProperty(field, out _), "LiveStaffing does not describe " + field);
    }

    [Fact]
    public async Task An_event_is_one_of_the_event_types_picked_by_its_type()
    {
        using var doc = await DocumentAsync();
        var schemas = doc.RootElement.GetProperty("components").GetProperty("schemas");
        var union = schemas.GetProperty("Event");

        Assert.Equal(11, union.GetProperty("oneOf").GetArrayLength());
        Assert.False(union.TryGetProperty("anyOf", out _));
        var mapping = union.GetProperty("discriminator").GetProperty("mapping");
        Assert.Equal("#/components/schemas/EventCallQueued", mapping.GetProperty("call.queued").GetString());
        foreach (var target in mapping.EnumerateObject())
            Assert.True(schemas.TryGetProperty(target.Value.GetString()!.Split('/')[^1], out _), "dangling mapping " + target.Name);
        var status = schemas.GetProperty("EventAgentStatusChanged").GetProperty("properties").GetProperty("status");
        Assert.Contains("wrap_up", status.GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_events_body_is_one_event_or_a_bounded_array_of_them()
    {
        using var doc = await DocumentAsync();
        var body = doc.RootElement.GetProperty("paths").GetProperty("/api/events").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");

        var oneOf = body.GetProperty("oneOf");
        Assert.Equal("#/components/schemas/Event", oneOf[0].GetProperty("$ref").GetString());
        Assert.Equal("array", oneOf[1].GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/Event", oneOf[1].GetProperty("items").GetProperty("$ref").GetString());
        Assert.Equal(5000, oneOf[1].GetProperty("maxItems").GetInt32());
    }

    [Fact]
    public async Task Every_API_operation_takes_the_key_in_either_header()
    {
        using var doc = await DocumentAsync();
        var schemes = doc.RootElement.GetProperty("components").GetProperty("securitySchemes");
        var apiKey = schemes.GetProperty("ApiKey");
        Assert.Equal("apiKey", apiKey.GetProperty("type").GetString());
        Assert.Equal("header", apiKey.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", apiKey.GetProperty("name").GetString());
        var bearer = schemes.GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());

        var operations = doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (Name: $"{op.Name} {path.Name}", Operation: op.Value))).ToList();
        Assert.NotEmpty(operations);
        foreach (var (name, operation) in operations)
        {
            var alternatives = operation.GetProperty("security").EnumerateArray()
                .SelectMany(requirement => requirement.EnumerateObject().Select(s => s.Name)).Order().ToArray();
            Assert.True(alternatives.SequenceEqual(["ApiKey", "Bearer"]), $"{name} has security [{string.Join(", ", alternatives)}]");
        }
        Assert.DoesNotContain(operations, o => o.Name.Contains("/openapi", StringComparison.Ordinal) || o.Name.Contains("/docs", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/keys/{id}", "delete", "404")]
    [InlineData("/api/keys/{id}", "delete", "503")]
    [InlineData("/api/keys", "get", "503")]
    [InlineData("/api/keys", "post", "503")]
    [InlineData("/api/calls/{callId}", "get", "503")]
    [InlineData("/api/metrics", "get", "503")]
    [InlineData("/api/staffing", "get", "400")]
    [InlineData("/api/staffing", "get", "403")]
    [InlineData("/api/live/check", "get", "403")]
    [InlineData("/api/live/check", "get", "503")]
    public async Task Problem_answers_are_documented(string path, string method, string status)
    {
        using var doc = await DocumentAsync();
        var responses = doc.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");

        Assert.True(responses.TryGetProperty(status, out var response), $"{method} {path} does not document {status}");
        Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _));
    }

    [Fact]
    public async Task The_live_check_answers_its_report_as_JSON_or_as_text()
    {
        using var doc = await DocumentAsync();
        var content = doc.RootElement.GetProperty("paths").GetProperty("/api/live/check").GetProperty("get")
            .GetProperty("responses").GetProperty("200").GetProperty("content");

        Assert.EndsWith("/LiveCheckReport", content.GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(), StringComparison.Ordinal);
        Assert.Equal("string", content.GetProperty("text/plain").GetProperty("schema").GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_metrics_window_bounds_are_required_and_say_how_to_encode_the_offset()
    {
        using var doc = await DocumentAsync();
        var parameters = doc.RootElement.GetProperty("paths").GetProperty("/api/metrics").GetProperty("get")
            .GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);

        foreach (var bound in new[] { "from", "to" })
        {
            Assert.True(parameters[bound].GetProperty("required").GetBoolean(), bound + " is not required");
            Assert.Contains("%2B", parameters[bound].GetProperty("description").GetString(), StringComparison.Ordinal);
        }
        Assert.False(parameters["queue"].TryGetProperty("required", out var queueRequired) && queueRequired.GetBoolean());
        Assert.False(string.IsNullOrEmpty(parameters["queue"].GetProperty("description").GetString()));
    }

    [Fact]
    public async Task The_staffing_what_if_names_its_required_inputs_and_their_ranges()
    {
        using var doc = await DocumentAsync();
        var get = doc.RootElement.GetProperty("paths").GetProperty("/api/staffing").GetProperty("get");
        var parameters = get.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);

        foreach (var name in new[] { "callsPerHour", "ahtSeconds", "agents", "targetSeconds" })
        {
            Assert.True(parameters[name].GetProperty("required").GetBoolean(), name + " is not required");
            Assert.Matches("[0-9]", parameters[name].GetProperty("description").GetString());
        }
        foreach (var name in new[] { "patienceSeconds", "queue" })
            Assert.False(parameters[name].TryGetProperty("required", out var required) && required.GetBoolean(), name + " is required");
        var answer = get.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var schema = doc.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(answer.GetProperty("$ref").GetString()!.Split('/')[^1]);
        foreach (var field in new[] { "erlangs", "probabilityOfWaiting", "serviceLevel", "asaSeconds", "occupancy", "abandonment", "agentsNeeded", "stable" })
            Assert.True(schema.GetProperty("properties").TryGetProperty(field, out _), "the answer does not describe " + field);
    }

    [Fact]
    public async Task The_browsable_page_is_served_by_the_service_without_a_CDN()
    {
        using var client = app.Client(key: null);
        var page = await client.GetAsync("/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();

        Assert.DoesNotMatch("(src|href)=\"https?://", html);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/docs/swagger-ui-bundle.js")).StatusCode);
        var config = await (await client.GetAsync("/docs/index.js")).Content.ReadAsStringAsync();
        Assert.Contains("/openapi/v1.json", config + html, StringComparison.Ordinal);
    }

    async Task<JsonDocument> DocumentAsync()
    {
        using var client = app.Client(key: null);
        return JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
    }

    static string[] Fields(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
