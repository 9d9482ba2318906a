using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Staffing;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Staffing;

/// <summary>A caller's expected wait: a sum of exponential stages, its mean and 10–90 % range.</summary>
public sealed class ExpectedWaitTests
{
    [Fact]
    public void The_next_caller_with_every_agent_busy_waits_an_exponential_of_mean_AHT_over_N()
    {
        // 4 agents of 200 s: one frees up every 50 s on average.
        var w = ExpectedWait.Of(1, 0, 4, TimeSpan.FromSeconds(200), null)!;
        Assert.Equal(1, w.Stages);
        Assert.Equal(50, w.MeanSeconds, 9);
        Assert.Equal(-Math.Log(0.9) * 50, w.LowSeconds, 6);
        Assert.Equal(-Math.Log(0.1) * 50, w.HighSeconds, 6);
    }

    [Fact]
    public void Two_stages_are_Erlang_2_and_many_are_the_gamma_quantiles()
    {
        // Erlang 2 of rate 1: P(W ≤ x) = 1 − e^{−x}(1 + x).
        var w = ExpectedWait.Of(2, 0, 1, TimeSpan.FromSeconds(1), null)!;
        Assert.Equal(2, w.MeanSeconds, 9);
        Assert.Equal(0.1, 1 - Math.Exp(-w.LowSeconds) * (1 + w.LowSeconds), 9);
        Assert.Equal(0.9, 1 - Math.Exp(-w.HighSeconds) * (1 + w.HighSeconds), 9);
        // P(a, x) against sums of the Poisson series for whole shapes: P(k, x) = 1 − Σ_{n<k} e^{−x} xⁿ/n!.
        foreach (var (k, x) in new[] { (5, 3.0), (30, 25.0), (30, 40.0), (200, 180.0) })
        {
            double term = Math.Exp(-x), sum = 0;
            for (var n = 0; n < k; n++) { sum += term; term *= x / (n + 1); }
            Assert.Equal(1 - sum, ExpectedWait.RegularizedGammaP(k, x), 9);
        }
    }

    [Fact]
    public void Free_agents_answer_at_once_patience_shortens_the_wait_and_no_agents_give_no_estimate()
    {
        Assert.Equal(0, ExpectedWait.Of(2, 2, 5, TimeSpan.FromSeconds(200), null)!.MeanSeconds);
        Assert.Equal(ExpectedWait.Of(1, 0, 5, TimeSpan.FromSeconds(200), null)!.MeanSeconds, ExpectedWait.Of(3, 2, 5, TimeSpan.FromSeconds(200), null)!.MeanSeconds, 9);
        var patient = ExpectedWait.Of(10, 0, 5, TimeSpan.FromSeconds(200), null)!;
        var impatient = ExpectedWait.Of(10, 0, 5, TimeSpan.FromSeconds(200), TimeSpan.FromSeconds(120))!;
        Assert.Equal(10 * 40, patient.MeanSeconds, 9);
        // Stages at 5/200 + j/120 per second, j = 1..10.
        Assert.Equal(Enumerable.Range(1, 10).Sum(j => 1 / (5.0 / 200 + j / 120.0)), impatient.MeanSeconds, 9);
        Assert.True(impatient.LowSeconds < impatient.MeanSeconds && impatient.MeanSeconds < impatient.HighSeconds);
        Assert.Null(ExpectedWait.Of(1, 0, 0, TimeSpan.FromSeconds(200), null));
    }
}

/// <summary>GET /api/queues/{queue}/ewt: shape, refusals, and a known state's numbers.</summary>
public sealed class ExpectedWaitApiTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task A_known_state_gives_the_model_numbers_for_the_next_caller_and_for_a_given_position()
    {
        using var http = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.AgentStatus("ew-s1", Now.AddHours(-2), "ew-a", "busy", "ew"),
            Ev.AgentStatus("ew-s2", Now.AddHours(-2), "ew-b", "busy", "ew"),
            // One call of the last hour talked 300 s; no abandons: no patience, Erlang stages.
            Ev.Queued("ew-1q", Now.AddMinutes(-30), "ew-1", "ew"),
            Ev.Answered("ew-1a", Now.AddMinutes(-30), "ew-1", "ew-a"),
            Ev.Completed("ew-1c", Now.AddMinutes(-25), "ew-1", "resolved"),
            Ev.Queued("ew-2q", Now.AddMinutes(-1), "ew-2", "ew"),
            Ev.Queued("ew-3q", Now.AddSeconds(-30), "ew-3", "ew"))).StatusCode);
        await app.LiveCaughtUpAsync();

        var next = await http.GetFromJsonAsync<JsonElement>("/api/queues/ew/ewt");
        // Two waiting: a new caller is third, waiting for 3 of the 2 agents' departures at 2/300 per second: 450 s.
        Assert.Equal("ew", next.GetProperty("queue").GetString());
        Assert.Equal(3, next.GetProperty("position").GetInt32());
        Assert.Equal(2, next.GetProperty("callsWaiting").GetInt64());
        Assert.Equal(2, next.GetProperty("agents").GetInt32());
        Assert.Equal(300, next.GetProperty("handleSeconds").GetDouble(), 6);
        Assert.Equal(450, next.GetProperty("meanSeconds").GetDouble(), 6);
        var expected = ExpectedWait.Of(3, 0, 2, TimeSpan.FromSeconds(300), null)!;
        Assert.Equal(expected.LowSeconds, next.GetProperty("lowSeconds").GetDouble(), 6);
        Assert.Equal(expected.HighSeconds, next.GetProperty("highSeconds").GetDouble(), 6);
        Assert.Equal(JsonValueKind.Null, next.GetProperty("note").ValueKind);

        var first = await http.GetFromJsonAsync<JsonElement>("/api/queues/ew/ewt?position=1");
        Assert.Equal(150, first.GetProperty("meanSeconds").GetDouble(), 6);

        // A queue with nothing live: no agents, nothing to go on, said so.
        var empty = await http.GetFromJsonAsync<JsonElement>("/api/queues/nobody/ewt");
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("meanSeconds").ValueKind);
        Assert.Equal(JsonValueKind.String, empty.GetProperty("note").ValueKind);
    }

    [Theory]
    [InlineData("/api/queues/ew/ewt?position=0", "position")]
    [InlineData("/api/queues/ew/ewt?position=abc", "position")]
    [InlineData("/api/queues/ew/ewt?position=100001", "position")]
    [InlineData("/api/queues/ew/ewt?position=-1", "position")]
    [InlineData("/api/queues/ew/ewt?position=", "position")]
    [InlineData("/api/queues/ew/ewt?position=1&position=2", "position")]
    [InlineData("/api/queues/ew/ewt?position=&position=1", "position")]
    [InlineData("/api/queues/ew/ewt?position=1&position=", "position")]
    [InlineData("/api/queues/bad%20queue/ewt", "queue")]
    public async Task Bad_input_is_a_400_naming_the_field(string url, string field)
    {
        using var http = app.Client(await app.KeyAsync("wallboard"));
        using var response = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task An_ingest_key_is_refused()
    {
        using var http = app.Client(await app.KeyAsync("ingest"));
        using var response = await http.GetAsync("/api/queues/ew/ewt");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
