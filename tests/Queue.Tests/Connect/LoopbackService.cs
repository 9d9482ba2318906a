using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Queue.Tests.Connect;

/// <summary>
/// A stand-in for the service's <c>POST /api/events</c> on loopback: each request is answered by <paramref name="answer"/>
/// (status, body, Retry-After), and the events of every 2xx answer are kept, as the service would commit them.
/// </summary>
internal sealed class LoopbackService(Func<int, JsonArray, (int Status, string Body, int? RetryAfter)> answer) : IAsyncDisposable
{
    WebApplication? app;
    int requests;

    public List<JsonObject> Taken { get; } = [];
    public int Requests => requests;
    public Uri Url { get; private set; } = null!;

    public async Task<LoopbackService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        app = builder.Build();
        app.MapPost("/api/events", async (HttpContext context) =>
        {
            var batch = (JsonArray)(await JsonNode.ParseAsync(context.Request.Body))!;
            var n = Interlocked.Increment(ref requests);
            var (status, body, retryAfter) = answer(n, batch);
            if (status is >= 200 and < 300)
            {
                lock (Taken)
                {
                    var seen = Taken.Select(e => (string)e["id"]!).ToHashSet();
                    var fresh = batch.Count(e => seen.Add((string)e!["id"]!));
                    Taken.AddRange(batch.Select(e => e!.AsObject()));
                    body = $$"""{"received":{{batch.Count}},"new":{{fresh}},"duplicates":{{batch.Count - fresh}}}""";
                }
            }
            context.Response.StatusCode = status;
            if (retryAfter is { } s) context.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
            await context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        Url = new Uri(app.Urls.First() + "/");
        return this;
    }

    public HttpClient Client() => new() { BaseAddress = Url };

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
