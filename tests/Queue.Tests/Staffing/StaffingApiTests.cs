using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Staffing;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Staffing;

/// <summary>GET /api/staffing: a planner's what-if, for supervisors; the same functions the live figures use.</summary>
public sealed class StaffingApiTests(QueueApp app) : IClassFixture<QueueApp>
{
    // 36 calls an hour of 100 s: one Erlang.
    const string OneErlang = "/api/staffing?callsPerHour=36&ahtSeconds=100&targetSeconds=20";

    [Fact]
    public async Task Known_inputs_give_the_textbook_figures_and_the_fewest_agents_for_the_default_ASA_target()
    {
        using var http = app.Client(await app.KeyAsync("supervisor"));
        var answer = await http.GetFromJsonAsync<JsonElement>(OneErlang + "&agents=2");

        // B(2, 1) = 1/5, C = 1/3, ASA = AHT/3; three agents give C = 1/11 and an ASA of 4.5 s, within the default 30 s.
        Assert.Equal(1, answer.GetProperty("erlangs").GetDouble(), 1e-12);
        Assert.True(answer.GetProperty("stable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("note").ValueKind);
        Assert.Equal(1.0 / 3, answer.GetProperty("probabilityOfWaiting").GetDouble(), 1e-12);
        Assert.Equal(1 - Math.Exp(-0.2) / 3, answer.GetProperty("serviceLevel").GetDouble(), 1e-12);
        Assert.Equal(20, answer.GetProperty("targetSeconds").GetDouble());
        Assert.Equal(100.0 / 3, answer.GetProperty("asaSeconds").GetDouble(), 1e-6);
        Assert.Equal(0.5, answer.GetProperty("occupancy").GetDouble(), 1e-12);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("abandonment").ValueKind);
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("withPatience").ValueKind);
        Assert.Equal(3, answer.GetProperty("agentsNeeded").GetInt32());
        var basis = answer.GetProperty("agentsNeededFor");
        Assert.Equal(30, basis.GetProperty("asaSeconds").GetDouble());
        Assert.Equal(JsonValueKind.Null, basis.GetProperty("serviceLevel").ValueKind);
        Assert.Contains("no service-level share", basis.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patience_adds_Erlang_A_and_equals_the_pure_function()
    {
        using var http = app.Client(await app.KeyAsync("supervisor"));
        var answer = await http.GetFromJsonAsync<JsonElement>("/api/staffing?callsPerHour=1200&ahtSeconds=270&agents=92&targetSeconds=30&patienceSeconds=90");

        var expected = ErlangA.Evaluate(new Traffic(1200, TimeSpan.FromSeconds(270)), 92, TimeSpan.FromSeconds(90));
        var withPatience = answer.GetProperty("withPatience");
        Assert.Equal(90, withPatience.GetProperty("patienceSeconds").GetDouble());
        Assert.Equal(expected.Abandonment, answer.GetProperty("abandonment").GetDouble(), 1e-15);
        Assert.Equal(expected.Abandonment, withPatience.GetProperty("abandonment").GetDouble(), 1e-15);
        Assert.Equal(expected.ProbabilityOfWaiting, withPatience.GetProperty("probabilityOfWaiting").GetDouble(), 1e-15);
        Assert.Equal(expected.Asa!.Value.TotalSeconds, withPatience.GetProperty("asaSeconds").GetDouble(), 1e-9);
        // Abandonment shortens the queue: fewer wait, and those answered wait less, than Erlang C says.
        Assert.InRange(expected.Abandonment, 1e-4, 0.5);
        Assert.True(expected.ProbabilityOfWaiting < answer.GetProperty("probabilityOfWaiting").GetDouble());
        Assert.True(expected.Asa.Value.TotalSeconds < answer.GetProperty("asaSeconds").GetDouble());
    }

    [Fact]
    public async Task A_load_at_least_the_agents_is_answered_as_unstable_never_as_NaN()
    {
        using var http = app.Client(await app.KeyAsync("supervisor"));
        var response = await http.GetAsync("/api/staffing?callsPerHour=72&ahtSeconds=100&agents=1&targetSeconds=20&patienceSeconds=60");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("NaN", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Infinity", text, StringComparison.OrdinalIgnoreCase);
        var answer = JsonDocument.Parse(text).RootElement;

        Assert.False(answer.GetProperty("stable").GetBoolean());
        Assert.Contains("Unstable", answer.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, answer.GetProperty("probabilityOfWaiting").GetDouble());
        Assert.Equal(0, answer.GetProperty("serviceLevel").GetDouble());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("asaSeconds").ValueKind);
        Assert.Equal(1, answer.GetProperty("occupancy").GetDouble());
        // Erlang A still has a steady state: callers giving up hold the queue.
        Assert.InRange(answer.GetProperty("abandonment").GetDouble(), 0.4, 0.99);
        Assert.True(answer.GetProperty("withPatience").GetProperty("asaSeconds").GetDouble() > 0);
        Assert.True(answer.GetProperty("agentsNeeded").GetInt32() >= 3);
    }

    [Fact]
    public async Task A_queue_with_its_own_ASA_target_needs_the_agents_for_it()
    {
        using (var admin = app.Client())
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/targets/sales-fast", new { waitSeconds = 3 })).StatusCode);
        using var http = app.Client(await app.KeyAsync("supervisor"));

        var answer = await http.GetFromJsonAsync<JsonElement>(OneErlang + "&agents=2&queue=sales-fast");

        // Three agents wait 4.5 s on average; four: C = 1/49, ASA = 100/(49·3) ≈ 0.68 s.
        Assert.Equal(4, answer.GetProperty("agentsNeeded").GetInt32());
        Assert.Equal("sales-fast", answer.GetProperty("agentsNeededFor").GetProperty("queue").GetString());
        Assert.Equal(3, answer.GetProperty("agentsNeededFor").GetProperty("asaSeconds").GetDouble());
        var other = await http.GetFromJsonAsync<JsonElement>(OneErlang + "&agents=2&queue=sales-slow");
        Assert.Equal(3, other.GetProperty("agentsNeeded").GetInt32());
    }

    [Fact]
    public async Task Hundreds_of_Erlangs_are_answered_with_finite_figures()
    {
        using var http = app.Client(await app.KeyAsync("supervisor"));
        var answer = await http.GetFromJsonAsync<JsonElement>("/api/staffing?callsPerHour=100000&ahtSeconds=300&agents=8400&targetSeconds=20&patienceSeconds=120");

        Assert.Equal(100_000.0 * 300 / 3600, answer.GetProperty("erlangs").GetDouble(), 1e-9);
        Assert.True(answer.GetProperty("stable").GetBoolean());
        Assert.InRange(answer.GetProperty("agentsNeeded").GetInt32(), 8334, 8500);
        foreach (var field in new[] { "probabilityOfWaiting", "serviceLevel", "occupancy", "abandonment" })
            Assert.InRange(answer.GetProperty(field).GetDouble(), 0, 1);
    }

    [Theory]
    [InlineData("callsPerHour=-1&ahtSeconds=100&agents=2&targetSeconds=20", "callsPerHour")]
    [InlineData("callsPerHour=abc&ahtSeconds=100&agents=2&targetSeconds=20", "callsPerHour")]
    [InlineData("callsPerHour=NaN&ahtSeconds=100&agents=2&targetSeconds=20", "callsPerHour")]
    [InlineData("callsPerHour=Infinity&ahtSeconds=100&agents=2&targetSeconds=20", "callsPerHour")]
    [InlineData("callsPerHour=1e300&ahtSeconds=100&agents=2&targetSeconds=20", "callsPerHour")]
    [InlineData("ahtSeconds=100&agents=2&targetSeconds=20", "callsPerHour")]
    [InlineData("callsPerHour=36&ahtSeconds=0&agents=2&targetSeconds=20", "ahtSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=-100&agents=2&targetSeconds=20", "ahtSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=999999&agents=2&targetSeconds=20", "ahtSeconds")]
    [InlineData("callsPerHour=36&agents=2&targetSeconds=20", "ahtSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=0&targetSeconds=20", "agents")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=-3&targetSeconds=20", "agents")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=2.5&targetSeconds=20", "agents")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=1000000&targetSeconds=20", "agents")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=99999999999&targetSeconds=20", "agents")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=&targetSeconds=20", "agents")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=2", "targetSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=2&targetSeconds=-1", "targetSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=2&targetSeconds=86400", "targetSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=2&targetSeconds=20&patienceSeconds=0", "patienceSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=2&targetSeconds=20&patienceSeconds=x", "patienceSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=2&targetSeconds=20&patienceSeconds=1e9", "patienceSeconds")]
    [InlineData("callsPerHour=36&ahtSeconds=100&agents=2&targetSeconds=20&queue=bad%20queue", "queue")]
    [InlineData("callsPerHour=1000000&ahtSeconds=14400&agents=2&targetSeconds=20", "callsPerHour")]
    public async Task Bad_or_absurd_inputs_are_a_400_naming_the_field(string query, string field)
    {
        using var http = app.Client(await app.KeyAsync("supervisor"));
        var response = await http.GetAsync("/api/staffing?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal("urn:queue:problem:invalid-request", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"{query}: {problem}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    [Fact]
    public async Task Every_missing_parameter_is_named_at_once()
    {
        using var http = app.Client(await app.KeyAsync("supervisor"));
        var problem = await (await http.GetAsync("/api/staffing")).JsonAsync();

        Assert.Equal(["agents", "ahtSeconds", "callsPerHour", "targetSeconds"],
            problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("wallboard")]
    [InlineData("ingest")]
    public async Task Only_supervisors_and_admins_may_ask(string role)
    {
        using var http = app.Client(await app.KeyAsync(role));
        var response = await http.GetAsync(OneErlang + "&agents=2");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
