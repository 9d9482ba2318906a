using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Queue.Simulator.Demo;
using Queue.Simulator.Traffic;

namespace Queue.Tests.Simulator;

public sealed class DemoRunnerTests
{
    static readonly DateTimeOffset Now = new(2026, 3, 4, 15, 20, 0, TimeSpan.FromHours(5));

    [Fact]
    public async Task Backfill_sends_the_last_7_days_up_to_now_and_live_sends_each_event_once_its_time_has_come()
    {
        var time = new FakeTimeProvider(Now);
        var service = new FakeService();
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://demo.test/") };
        var runner = new DemoRunner(http, DemoTraffic.Center(operators: 8), TimeSpan.FromDays(7), time, TextWriter.Null);

        await runner.BackfillAsync(TestContext.Current.CancellationToken);
        var backfill = service.Events.ToList();
        Assert.All(service.Batches, b => Assert.InRange(b, 1, DemoRunner.MaxBatch));
        Assert.All(backfill, e => Assert.InRange(e.At, Now.AddDays(-7), Now));
        Assert.True(backfill.Min(e => e.At) < Now.AddDays(-6.9));
        Assert.True(backfill.Max(e => e.At) > Now.AddMinutes(-5));
        Assert.Equal(backfill.Count, runner.Totals.Events);

        time.Advance(TimeSpan.FromMinutes(5));
        var live = await runner.PumpAsync(TestContext.Current.CancellationToken);
        Assert.True(live > 0);
        Assert.All(service.Events.Skip(backfill.Count), e => Assert.InRange(e.At, Now.AddTicks(1), Now.AddMinutes(5)));
        Assert.Equal(0, await runner.PumpAsync(TestContext.Current.CancellationToken));

        // A restart sends the very same events for the same instants: the service sees duplicates, not new calls.
        var again = new FakeService();
        using var http2 = new HttpClient(again) { BaseAddress = new Uri("http://demo.test/") };
        var restarted = new DemoRunner(http2, DemoTraffic.Center(operators: 8), TimeSpan.FromHours(2), time, TextWriter.Null);
        await restarted.BackfillAsync(TestContext.Current.CancellationToken);
        var first = service.Events.ToDictionary(e => e.Id, e => e.Json, StringComparer.Ordinal);
        Assert.NotEmpty(again.Events);
        Assert.All(again.Events, e => Assert.Equal(first[e.Id], e.Json));
    }

    [Fact]
    public async Task Poster_waits_out_an_unavailable_service_and_stops_on_a_refusal()
    {
        var service = new FakeService { Failures = new([HttpStatusCode.ServiceUnavailable, null, HttpStatusCode.BadGateway]) };
        using var http = new HttpClient(service) { BaseAddress = new Uri("http://demo.test/") };
        var log = new StringWriter();
        var poster = new DemoPoster(http, TimeProvider.System, log);
        var events = DemoTraffic.Run(DemoTraffic.Center(operators: 5), DateTimeOffset.UtcNow.AddHours(-1)).Take(10).ToList();

        var answer = await poster.PostAsync(events, TestContext.Current.CancellationToken);
        Assert.Equal(10, answer.Received);
        Assert.Equal(3, poster.Retries);
        Assert.Contains("503", log.ToString(), StringComparison.Ordinal);
        Assert.Contains("connection refused", log.ToString(), StringComparison.Ordinal);

        service.Failures.Enqueue(HttpStatusCode.BadRequest);
        var refused = await Assert.ThrowsAsync<DemoException>(() => poster.PostAsync(events, TestContext.Current.CancellationToken));
        Assert.Contains("400", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Takes batches as the service would (ids counted once), or fails as told: a status, or null for no connection.</summary>
    sealed class FakeService : HttpMessageHandler
    {
        readonly HashSet<string> seen = new(StringComparer.Ordinal);

        public Queue<HttpStatusCode?> Failures { get; init; } = new();
        public List<(string Id, DateTimeOffset At, string Json)> Events { get; } = [];
        public List<int> Batches { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (Failures.TryDequeue(out var failure))
            {
                return failure is { } status
                    ? new HttpResponseMessage(status) { Content = new StringContent("{\"title\":\"no\"}") }
                    : throw new HttpRequestException("connection refused");
            }
            using var json = JsonDocument.Parse(await request.Content!.ReadAsByteArrayAsync(ct));
            var fresh = 0;
            foreach (var e in json.RootElement.EnumerateArray())
            {
                var id = e.GetProperty("id").GetString()!;
                if (!seen.Add(id)) continue;
                fresh++;
                Events.Add((id, e.GetProperty("at").GetDateTimeOffset(), e.GetRawText()));
            }
            var count = json.RootElement.GetArrayLength();
            Batches.Add(count);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent($"{{\"received\":{count},\"new\":{fresh},\"duplicates\":{count - fresh}}}", Encoding.UTF8, "application/json"),
            };
        }
    }
}
