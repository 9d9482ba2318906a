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

        foreach (var path in new[] { "/api/events", "/api/metrics", "/api/calls/{callId}", "/api/keys", "/api/keys/{id}" })
            Assert.True(paths.TryGetProperty(path, out _), "missing path " + path);
        foreach (var type in new[] { "call.queued", "call.answered", "call.abandoned", "call.transferred", "call.completed",
                                     "agent.status", "visit.created", "visit.resolved", "visit.cancelled" })
            Assert.Contains($"\"{type}\"", text, StringComparison.Ordinal);
        var post = paths.GetProperty("/api/events").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "200", "400", "401", "403", "409", "413", "415", "503" })
            Assert.True(post.TryGetProperty(status, out _), "POST /api/events does not document " + status);
        Assert.Contains("HttpValidationProblemDetails", text, StringComparison.Ordinal);
        Assert.Contains("ProblemDetails", text, StringComparison.Ordinal);
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
}
