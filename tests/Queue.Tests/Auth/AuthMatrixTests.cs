using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Auth;

/// <summary>
/// Every operation of the OpenAPI document, against each role: refused without a key (401) and with a key of a role
/// that may not use it (403). The matrix must name exactly the document's operations, so a new endpoint cannot go
/// unchecked: it fails here until its roles are written down.
/// </summary>
public sealed class AuthMatrixTests(QueueApp app) : IClassFixture<QueueApp>
{
    const string Read = "wallboard supervisor admin";

    // operation as the OpenAPI document names it, roles allowed (admin may always)
    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST /api/events", "ingest import admin" },
        { "GET /api/metrics", Read },
        { "GET /api/metrics/breakdown", Read },
        { "GET /api/callbacks", Read },
        { "GET /api/agents", Read },
        { "GET /api/agents/report", Read },
        { "GET /api/calls/{callId}", "supervisor admin" },
        { "GET /api/me", "ingest import wallboard supervisor admin" },
        { "GET /api/keys", "admin" },
        { "POST /api/keys", "admin" },
        { "DELETE /api/keys/{id}", "admin" },
        { "GET /api/queues", Read },
        { "GET /api/queues/{queue}", Read },
        { "GET /api/queues/{queue}/trend", Read },
        { "GET /api/queues/{queue}/ewt", Read },
        { "GET /api/center", Read },
        { "GET /api/center/trend", Read },
        { "GET /api/live/check", "admin" },
        { "GET /api/alerts", Read },
        { "GET /api/alerts/kinds", Read },
        { "GET /api/alerts/{id}", Read },
        { "POST /api/alerts/{id}/ack", "supervisor admin" },
        { "GET /api/targets", Read },
        { "GET /api/targets/{queue}", Read },
        { "PUT /api/targets/{queue}", "admin" },
        { "DELETE /api/targets/{queue}", "admin" },
        { "GET /api/reports/weekly/{name}", Read },
        { "POST /api/reports/weekly/{name}/send", "admin" },
        { "GET /api/staffing", "supervisor admin" },
    };

    [Fact]
    public async Task The_matrix_names_exactly_the_operations_of_the_OpenAPI_document()
    {
        using var client = app.Client(key: null);
        using var doc = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var documented = doc.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {path.Name}")).ToHashSet();
        var matrix = Endpoints.Select(row => row.Data.Item1).ToHashSet();

        Assert.True(documented.Except(matrix).ToList() is [], $"operations with no roles in the matrix: {string.Join(", ", documented.Except(matrix))}");
        Assert.True(matrix.Except(documented).ToList() is [], $"operations in the matrix the document does not have: {string.Join(", ", matrix.Except(documented))}");
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_role_gets_exactly_its_endpoints(string endpoint, string allowed)
    {
        foreach (var role in new[] { "ingest", "import", "wallboard", "supervisor", "admin" })
        {
            var key = role == "admin" ? QueueApp.AdminKey : await app.KeyAsync(role);
            var status = await SendAsync(endpoint, key);
            if (allowed.Split(' ').Contains(role))
                Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{role} on {endpoint}: {status}");
            else
                Assert.True(status == HttpStatusCode.Forbidden, $"{role} on {endpoint}: {status}, expected 403");
        }
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task No_key_or_a_wrong_key_is_a_401_problem(string endpoint, string _)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(endpoint, key: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(endpoint, "qk_not-a-real-key-0000000000000000"));
    }

    [Fact]
    public async Task Bearer_header_works_like_X_Api_Key()
    {
        using var client = app.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", QueueApp.AdminKey);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task A_created_key_shows_its_secret_once_is_stored_hashed_and_stops_working_when_revoked()
    {
        using var admin = app.Client();
        var created = await (await admin.PostAsJsonAsync("/api/keys", new { name = "tv-hall", role = "wallboard" })).JsonAsync();
        var secret = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetString()!;

        using var tv = app.Client(secret);
        Assert.Equal(HttpStatusCode.OK, (await tv.GetAsync(MetricsUrl)).StatusCode);

        var listed = await (await admin.GetAsync("/api/keys")).Content.ReadAsStringAsync();
        Assert.Contains("tv-hall", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        await using (var command = app.Db.CreateCommand("select string_agg(k::text, ' ') from api_keys k"))
        {
            var stored = (string)(await command.ExecuteScalarAsync())!;
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[8..], stored, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await tv.GetAsync(MetricsUrl)).StatusCode);
    }

    [Fact]
    public async Task Creating_a_key_with_a_bad_role_or_name_is_a_400_problem()
    {
        using var admin = app.Client();
        var response = await admin.PostAsJsonAsync("/api/keys", new { name = "", role = "root" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("role", out _));
    }

    [Fact]
    public async Task Creating_a_key_with_an_unknown_field_is_a_400_problem()
    {
        using var admin = app.Client();
        var response = await admin.PostAsync("/api/keys",
            new StringContent("""{"name":"x","role":"admin","rol":"ingest"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    const string MetricsUrl = "/api/metrics?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z";

    /// <summary>Sends the operation with sample path values and a body of the right shape; returns the status.</summary>
    async Task<HttpStatusCode> SendAsync(string endpoint, string? key)
    {
        using var client = app.Client(key);
        var (method, template) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var path = template
            .Replace("{callId}", "some-call", StringComparison.Ordinal)
            .Replace("{queue}", "some-queue", StringComparison.Ordinal)
            .Replace("{name}", "2026-W47", StringComparison.Ordinal)
            .Replace("{id}", template.StartsWith("/api/keys", StringComparison.Ordinal) ? "00000000-0000-0000-0000-000000000001" : "1", StringComparison.Ordinal);
        var url = path switch
        {
            "/api/metrics" => MetricsUrl,
            "/api/agents/report" => "/api/agents/report?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z",
            "/api/staffing" => "/api/staffing?callsPerHour=36&ahtSeconds=100&agents=2&targetSeconds=20",
            _ => path,
        };
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Content = (method, template) switch
        {
            ("POST", "/api/keys") => JsonContent.Create(new { name = "matrix", role = "wallboard" }),
            ("POST", "/api/events") => JsonContent.Create(Ev.Abandoned($"auth-{Guid.NewGuid():N}", app.Time.GetUtcNow(), "auth-call")),
            ("POST", "/api/alerts/{id}/ack") => JsonContent.Create(new { note = "seen" }),
            ("PUT", "/api/targets/{queue}") => JsonContent.Create(new { waitSeconds = 20 }),
            _ => null,
        };
        var response = await client.SendAsync(request);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return response.StatusCode;
    }
}
