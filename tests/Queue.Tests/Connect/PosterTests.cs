using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Queue.Connect;
using Queue.Connect.Posting;

namespace Queue.Tests.Connect;

public sealed class PosterTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("queue-connect-").FullName;

    static readonly PosterOptions Quick = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));

    static WireEvent E(int n) => WireEvent.Completed($"pbx:k{n}:c", DateTimeOffset.FromUnixTimeSeconds(1772442000 + n), $"pbx:1.{n}");

    EventPoster Poster(HttpClient http) =>
        new(http, "the-key", new RejectFile(Path.Combine(dir, "rejects.jsonl"), TimeProvider.System), NullLogger.Instance, TimeProvider.System, Quick);

    [Fact]
    public async Task While_the_service_answers_503_the_batch_is_sent_again_until_it_is_taken()
    {
        await using var service = await new LoopbackService((n, _) => n <= 2 ? (503, """{"title":"unavailable"}""", 0) : (200, "", null)).StartAsync();
        using var http = service.Client();

        var result = await Poster(http).PostAsync([E(1), E(2)], TestContext.Current.CancellationToken);

        Assert.Equal(3, service.Requests);
        Assert.Equal(new PostResult(2, 2, 0, 0), result);
        Assert.Equal(2, service.Taken.Count);
    }

    [Fact]
    public async Task While_nothing_listens_it_waits_and_posts_once_the_service_is_there()
    {
        // A port that refuses connections until the service starts on it.
        await using var later = await new LoopbackService((_, _) => (200, "", null)).StartAsync();
        var url = later.Url;
        await later.DisposeAsync();
        using var http = new HttpClient { BaseAddress = url };
        var posting = Poster(http).PostAsync([E(1)], TestContext.Current.CancellationToken);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(posting.IsCompleted);

        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url.ToString().TrimEnd('/'));
        await using var app = builder.Build();
        Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapPost(app, "/api/events", () => Microsoft.AspNetCore.Http.Results.Text("""{"received":1,"new":1,"duplicates":0}""", "application/json"));
        await app.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new PostResult(1, 1, 0, 0), await posting.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_refused_event_goes_to_the_reject_file_with_the_problem_and_the_others_are_taken()
    {
        const string problem = """{"type":"urn:queue:problem:validation","title":"bad event","errors":{"[0].callId":["bad"]}}""";
        await using var service = await new LoopbackService((_, batch) =>
            batch.Any(e => (string)e!["id"]! == "pbx:k2:c") ? (400, problem, null) : (200, "", null)).StartAsync();
        using var http = service.Client();

        var result = await Poster(http).PostAsync([E(1), E(2), E(3), E(4)], TestContext.Current.CancellationToken);

        Assert.Equal(1, result.Rejected);
        Assert.Equal(3, result.New);
        Assert.Equal(["pbx:k1:c", "pbx:k3:c", "pbx:k4:c"], service.Taken.Select(e => (string)e["id"]!).Order());
        var line = Assert.Single(File.ReadAllLines(Path.Combine(dir, "rejects.jsonl")));
        var entry = System.Text.Json.Nodes.JsonNode.Parse(line)!;
        Assert.Equal(400, (int)entry["status"]!);
        Assert.Equal("bad event", (string)entry["problem"]!["title"]!);
        Assert.Equal("pbx:k2:c", (string)entry["events"]![0]!["id"]!);
    }

    [Fact]
    public async Task A_refused_key_stops_the_connector()
    {
        await using var service = await new LoopbackService((_, _) => (401, "", null)).StartAsync();
        using var http = service.Client();

        var e = await Assert.ThrowsAsync<KeyRefusedException>(() => Poster(http).PostAsync([E(1)], TestContext.Current.CancellationToken));
        Assert.Equal(401, e.Status);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
