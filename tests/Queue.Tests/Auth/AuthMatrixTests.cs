using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Auth;

public sealed class AuthMatrixTests(QueueApp app) : IClassFixture<QueueApp>
{
    // endpoint, roles allowed (admin may always)
    public static TheoryData<string, string> Endpoints => new()
    {
        { "POST /api/events", "ingest admin" },
        { "GET /api/metrics", "wallboard supervisor admin" },
        { "GET /api/metrics/breakdown", "wallboard supervisor admin" },
        { "GET /api/calls/some-call", "supervisor admin" },
        { "GET /api/keys", "admin" },
        { "POST /api/keys", "admin" },
        { "DELETE /api/keys/00000000-0000-0000-0000-000000000001", "admin" },
        { "GET /api/queues", "wallboard supervisor admin" },
        { "GET /api/queues/some-queue", "wallboard supervisor admin" },
        { "GET /api/center", "wallboard supervisor admin" },
        { "GET /api/alerts", "wallboard supervisor admin" },
        { "GET /api/alerts/1", "wallboard supervisor admin" },
        { "POST /api/alerts/1/ack", "supervisor admin" },
        { "GET /api/reports/weekly/2026-W47", "wallboard supervisor admin" },
        { "POST /api/reports/weekly/2026-W47/send", "admin" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Each_role_gets_exactly_its_endpoints(string endpoint, string allowed)
    {
        foreach (var role in new[] { "ingest", "wallboard", "supervisor", "admin" })
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

    async Task<HttpStatusCode> SendAsync(string endpoint, string? key)
    {
        using var client = app.Client(key);
        var (method, path) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        using var request = new HttpRequestMessage(new HttpMethod(method), path == "/api/metrics" ? MetricsUrl : path);
        if (method == "POST")
        {
            request.Content = path switch
            {
                "/api/keys" => JsonContent.Create(new { name = "matrix", role = "wallboard" }),
                "/api/events" => JsonContent.Create(Ev.Abandoned($"auth-{Guid.NewGuid():N}", app.Time.GetUtcNow(), "auth-call")),
                _ => JsonContent.Create(new { note = "seen" }),
            };
        }
        var response = await client.SendAsync(request);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return response.StatusCode;
    }
}
