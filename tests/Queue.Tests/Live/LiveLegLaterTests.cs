using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// SPEC §2, §3: a call's completion may arrive before the event that queued it. /api/metrics counts it in the center
/// from the start (every call completed in the window) and in a queue once its last leg is known; live state must
/// count it the same way at every moment, then move it, not count it twice; and so must live state rebuilt from
/// PostgreSQL at either moment.
/// </summary>
public sealed class LiveLegLaterTests(QueueApp app) : IClassFixture<QueueApp>
{
    DateTimeOffset Now => app.Time.GetUtcNow();

    [Fact]
    public async Task A_completion_before_its_call_is_queued_counts_in_the_center_then_moves_to_its_queue()
    {
        using var http = app.Client();
        var center = await CompletedAsync(http, null);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Completed("ll-d", Now.AddMinutes(-1), "ll-c", "resolved"))).StatusCode);
        await app.LiveCaughtUpAsync();
        await AssertCountedAsync(http, center + 1, 0, "followed");
        await app.LiveRebuiltAsync();
        await AssertCountedAsync(http, center + 1, 0, "rebuilt");

        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("ll-q1", Now.AddMinutes(-5), "ll-c", "ll-q"), Ev.Answered("ll-a", Now.AddMinutes(-4), "ll-c", "ag-ll"))).StatusCode);
        await app.LiveCaughtUpAsync();
        await AssertCountedAsync(http, center + 1, 1, "followed");
        await app.LiveRebuiltAsync();
        await AssertCountedAsync(http, center + 1, 1, "rebuilt");
    }

    async Task AssertCountedAsync(HttpClient http, long inCenter, long inQueue, string how)
    {
        Assert.Empty(await LiveCheck.DifferencesAsync(http, app.Db, null));
        Assert.Empty(await LiveCheck.DifferencesAsync(http, app.Db, "ll-q"));
        Assert.True(inCenter == await CompletedAsync(http, null), $"{how}: center");
        Assert.True(inQueue == await CompletedAsync(http, "ll-q"), $"{how}: queue");
    }

    static async Task<long> CompletedAsync(HttpClient http, string? queue)
    {
        var live = await http.GetFromJsonAsync<JsonElement>(queue is null ? "/api/center" : $"/api/queues/{queue}");
        var snapshot = queue is null ? live : live.GetProperty("snapshot");
        return snapshot.GetProperty("windows").GetProperty("m15").GetProperty("completed").GetInt64();
    }
}
