using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Queue.Telemetry;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Telemetry;

/// <summary>
/// A service that traces as it does with an OTLP collector configured (<see cref="TelemetrySetup"/>'s pipeline), its
/// spans kept in memory. Spans are process-wide: other classes' services show up too, so tests pick theirs by trace id.
/// </summary>
public sealed class TracedApp : QueueApp
{
    public SpanList Spans { get; } = new();

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddOpenTelemetry().WithTracing(tracing =>
        {
            TelemetrySetup.Tracing(tracing);
            tracing.AddInMemoryExporter(Spans);
        });
}

/// <summary>The exporter adds as spans end, on whichever thread; tests read a copy.</summary>
public sealed class SpanList : ICollection<Activity>
{
    readonly List<Activity> spans = [];
    readonly Lock gate = new();

    public List<Activity> Copy()
    {
        lock (gate) return [.. spans];
    }

    public void Add(Activity item)
    {
        lock (gate) spans.Add(item);
    }

    public void Clear()
    {
        lock (gate) spans.Clear();
    }

    public bool Contains(Activity item) => Copy().Contains(item);
    public void CopyTo(Activity[] array, int arrayIndex) => Copy().CopyTo(array, arrayIndex);
    public bool Remove(Activity item)
    {
        lock (gate) return spans.Remove(item);
    }

    public int Count => Copy().Count;
    public bool IsReadOnly => false;
    public IEnumerator<Activity> GetEnumerator() => Copy().GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

public sealed class TracingTests(TracedApp app) : IClassFixture<TracedApp>
{
    const string CallerNumber = "+7 912 345-67-89";
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task An_ingest_span_carries_the_batch_figures_with_postgres_beneath_it_and_never_the_callers_number()
    {
        using var http = app.Client();
        var trace = ActivityTraceId.CreateRandom();
        var queued = Ev.Queued("tr-1", Now.AddSeconds(-5), "tr-call-1", "tr-queue", caller: CallerNumber);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new JsonArray(queued.DeepClone(), queued.DeepClone(),
                Ev.AgentStatus("tr-2", Now, "tr-agent", "available"))),
        };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);

        var spans = await SpansAsync(s => s.TraceId == trace && s.Source.Name == "Npgsql", trace);
        var ingest = Assert.Single(spans, s => s.Source.Name == "Queue" && s.OperationName == "ingest");
        Assert.Equal(3, ingest.GetTagItem("queue.ingest.events"));
        Assert.Equal(2, ingest.GetTagItem("queue.ingest.new"));
        Assert.Equal(1, ingest.GetTagItem("queue.ingest.duplicates"));
        Assert.Equal("accepted", ingest.GetTagItem("queue.ingest.outcome"));
        // A small request shares a commit with whatever else is waiting (here nothing): its statements are under it.
        Assert.Equal(1, ingest.GetTagItem("queue.ingest.group_requests"));
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal(server.SpanId, ingest.ParentSpanId);
        Assert.Contains(spans, s => s.Source.Name == "Npgsql" && s.ParentSpanId == ingest.SpanId);
        AssertNowhere(app.Spans.Copy(), "79123456789", CallerNumber, "912 345-67-89");
    }

    [Fact]
    public async Task A_refused_batch_is_traced_with_its_reason()
    {
        using var http = app.Client();
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new JsonArray(Ev.AgentStatus("tr-bad", Now, "tr-agent", "asleep"))),
        };
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(request)).StatusCode);

        var ingest = Assert.Single(await SpansAsync(s => s.TraceId == trace && s.OperationName == "ingest", trace), s => s.OperationName == "ingest");
        Assert.Equal("invalid", ingest.GetTagItem("queue.ingest.outcome"));
        Assert.Equal(1, ingest.GetTagItem("queue.ingest.events"));
    }

    [Fact]
    public async Task A_hub_key_in_the_query_string_and_the_jobs_key_reach_no_span()
    {
        var key = await app.KeyAsync("wallboard");
        await using (var client = await LiveClient.ConnectAsync(app.Factory.Server, key, keyInQuery: true))
            await client.JoinCenterAsync();
        using var browser = app.Client(key: null);
        using var jobs = await browser.GetAsync("/jobs?key=" + Uri.EscapeDataString(QueueApp.AdminKey));

        var spans = await SpansAsync(s => s.Kind == ActivityKind.Server && s.GetTagItem("url.path") is "/jobs", null);
        var negotiate = spans.Where(s => s.GetTagItem("url.path") is "/hubs/live/negotiate").ToList();
        Assert.NotEmpty(negotiate);
        Assert.Contains(negotiate, s => s.GetTagItem("url.query") is string q && q.Contains("access_token=REDACTED", StringComparison.Ordinal));
        Assert.Contains(spans, s => s.GetTagItem("url.query") is string q && q.Contains("key=REDACTED", StringComparison.Ordinal));
        AssertNowhere(spans, key, Uri.EscapeDataString(key), QueueApp.AdminKey);
    }

    [Fact]
    public async Task Redis_calls_of_a_request_are_spans_of_its_trace()
    {
        using var http = app.Client();
        var trace = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/queues");
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);

        // Redis commands become spans when the instrumentation drains its profiling sessions (within ~10 s).
        var spans = await SpansAsync(s => s.TraceId == trace && s.GetTagItem("db.system") is "redis"
            || s.TraceId == trace && s.GetTagItem("db.system.name") is "redis", trace, TimeSpan.FromSeconds(20));
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && s.Source.Name.Contains("Redis", StringComparison.Ordinal));
    }

    /// <summary>Waits for a span that matches, then answers the trace's spans (or every span, with no trace given).</summary>
    async Task<List<Activity>> SpansAsync(Func<Activity, bool> awaited, ActivityTraceId? trace, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!app.Spans.Copy().Any(awaited))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no such span; {app.Spans.Count} spans recorded");
            await Task.Delay(50);
        }
        await Task.Delay(200); // the enclosing spans end just after
        var all = app.Spans.Copy();
        return trace is { } id ? [.. all.Where(s => s.TraceId == id)] : all;
    }

    static void AssertNowhere(IEnumerable<Activity> spans, params string[] secrets)
    {
        foreach (var span in spans)
        {
            var texts = span.TagObjects.Select(t => $"{t.Key}={t.Value}")
                .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name} {t.Key}={t.Value}")))
                .Append(span.DisplayName).Append(span.StatusDescription ?? "");
            foreach (var text in texts)
            {
                foreach (var secret in secrets)
                    Assert.False(text.Contains(secret, StringComparison.Ordinal), $"span {span.Source.Name}/{span.DisplayName} carries '{secret}': {text}");
            }
        }
    }
}
