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

    // operation as the OpenAPI document names it; roles allowed (admin may always); what a supervisor key scoped to
    // other queues than the one the request names gets (the queue named in the path or in ?queue=, a call and an alert
    // of that queue): 404 as if it did not exist, 200 for what is narrowed to the key's own queues (or names no queue),
    // 403 for what only other roles may do.
    public static TheoryData<string, string, string> Endpoints => new()
    {
        { "POST /api/events", "ingest import admin", "403" },
        { "GET /api/metrics", Read, "404" },
        { "GET /api/metrics/breakdown", Read, "404" },
        { "GET /api/callbacks", Read, "404" },
        { "GET /api/agents", Read, "404" },
        { "GET /api/agents/report", Read, "404" },
        { "GET /api/calls/{callId}", "supervisor admin", "404" },
        { "GET /api/me", "ingest import wallboard supervisor admin", "200" },
        { "GET /api/keys", "admin", "403" },
        { "POST /api/keys", "admin", "403" },
        { "DELETE /api/keys/{id}", "admin", "403" },
        { "GET /api/queues", Read, "200" },
        { "GET /api/queues/{queue}", Read, "404" },
        { "GET /api/queues/{queue}/trend", Read, "404" },
        { "GET /api/queues/{queue}/ewt", Read, "404" },
        { "GET /api/center", Read, "200" },
        { "GET /api/center/trend", Read, "200" },
        { "GET /api/live/check", "admin", "403" },
        { "GET /api/alerts", Read, "404" },
        { "GET /api/alerts/kinds", Read, "200" },
        { "GET /api/alerts/{id}", Read, "404" },
        { "POST /api/alerts/{id}/ack", "supervisor admin", "404" },
        { "GET /api/targets", Read, "200" },
        { "GET /api/targets/{queue}", Read, "404" },
        { "PUT /api/targets/{queue}", "admin", "403" },
        { "DELETE /api/targets/{queue}", "admin", "403" },
        { "GET /api/reports/weekly/{name}", Read, "200" },
        { "POST /api/reports/weekly/{name}/send", "admin", "403" },
        { "GET /api/staffing", "supervisor admin", "404" },
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
    public async Task Each_role_gets_exactly_its_endpoints(string endpoint, string allowed, string _)
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
    public async Task No_key_or_a_wrong_key_is_a_401_problem(string endpoint, string roles, string scoped)
    {
        Assert.NotEmpty(roles);
        Assert.Contains(scoped, new[] { "200", "403", "404" });
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(endpoint, key: null));
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(endpoint, "qk_not-a-real-key-0000000000000000"));
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_key_scoped_to_other_queues_gets_what_the_scoped_column_says(string endpoint, string _, string scoped)
    {
        await OtherQueueAsync();
        var key = await ScopedKeyAsync();

        Assert.Equal((HttpStatusCode)int.Parse(scoped, System.Globalization.CultureInfo.InvariantCulture), await SendAsync(endpoint, key, OtherQueue));
        // The same request names nothing outside the scope of an unscoped key: it is the scope that refuses it.
        if (scoped == "404") Assert.NotEqual(HttpStatusCode.NotFound, await SendAsync(endpoint, await app.KeyAsync("supervisor"), OtherQueue));
    }

    const string OtherQueue = "other-queue";

    // A call in OtherQueue, and an open alert of it (so that /api/alerts/{id} and its ack have something to refuse).
    long otherAlert;

    async Task OtherQueueAsync()
    {
        using var admin = app.Client();
        var at = app.Time.GetUtcNow();
        (await admin.PostEventsAsync(Ev.Queued("scoped-matrix-q", at.AddMinutes(-1), "other-call", OtherQueue))).EnsureSuccessStatusCode();
        // The service raises the same alert itself once the call has waited past its target: whichever comes first is
        // the one, so the insert gives way to it.
        await using (var insert = app.Db.CreateCommand("""
            insert into alerts (kind, subject, queue, severity, state, raised_at, details)
            select 'queue.wait', $1, $1, 'warning', 'open', now(), '{}'
            where not exists (select from alerts where subject = $1)
            on conflict do nothing
            """))
        {
            insert.Parameters.AddWithValue(OtherQueue);
            await insert.ExecuteNonQueryAsync();
        }
        await using var command = app.Db.CreateCommand("select id from alerts where subject = $1 order by id limit 1");
        command.Parameters.AddWithValue(OtherQueue);
        otherAlert = (long)(await command.ExecuteScalarAsync())!;
    }

    async Task<string> ScopedKeyAsync()
    {
        using var admin = app.Client();
        var response = await admin.PostAsJsonAsync("/api/keys", new { name = "team lead", role = "supervisor", queues = new[] { "team-a", "team-b" } });
        response.EnsureSuccessStatusCode();
        return (await response.JsonAsync()).GetProperty("key").GetString()!;
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

    /// <summary>
    /// Sends the operation with sample path values and a body of the right shape; returns the status. With
    /// <paramref name="queue"/>, the request names that queue (in its path or as ?queue=), and that queue's call and alert.
    /// </summary>
    async Task<HttpStatusCode> SendAsync(string endpoint, string? key, string? queue = null)
    {
        using var client = app.Client(key);
        var (method, template) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
        var path = template
            .Replace("{callId}", queue is null ? "some-call" : "other-call", StringComparison.Ordinal)
            .Replace("{queue}", queue ?? "some-queue", StringComparison.Ordinal)
            .Replace("{name}", "2026-W47", StringComparison.Ordinal)
            .Replace("{id}", template.StartsWith("/api/keys", StringComparison.Ordinal) ? "00000000-0000-0000-0000-000000000001"
                : queue is null ? "1" : otherAlert.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var url = path switch
        {
            "/api/metrics" => MetricsUrl,
            "/api/metrics/breakdown" => MetricsUrl.Replace("/api/metrics?", "/api/metrics/breakdown?by=region&", StringComparison.Ordinal),
            "/api/agents/report" => "/api/agents/report?from=2026-11-23T00:00:00Z&to=2026-11-24T00:00:00Z",
            "/api/staffing" => "/api/staffing?callsPerHour=36&ahtSeconds=100&agents=2&targetSeconds=20",
            _ => path,
        };
        if (queue is not null && method == "GET" && path is "/api/metrics" or "/api/metrics/breakdown" or "/api/callbacks" or "/api/alerts" or "/api/staffing"
                or "/api/agents" or "/api/agents/report")
            url += (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "queue=" + queue;
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
