using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>A node that trims often, so that a test need not wait for it.</summary>
public sealed class TrimmingQueueApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Queue:Live:TrimInterval"] = "00:00:00.050",
    };
}

/// <summary>What has aged out of every live window leaves Redis: Redis holds about a day of calls, whatever the history.</summary>
public sealed class LiveTrimTests(TrimmingQueueApp app) : IClassFixture<TrimmingQueueApp>
{
    static readonly string[] Windowed = ["answered", "insl", "waitsum", "abandoned", "short", "completed", "resolved", "unknown", "due24", "due24ok", "overdue48", "vopen", "expiry", "agentday"];

    [Fact]
    public async Task Parts_older_than_every_window_are_removed_and_leave_no_keys_behind()
    {
        using var http = app.Client();
        var at = app.Time.GetUtcNow().AddHours(-2);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("tr-1", at, "tr-c1", "trim"), Ev.Answered("tr-2", at.AddSeconds(12), "tr-c1", "ag-tr"),
            Ev.Completed("tr-3", at.AddMinutes(5), "tr-c1", "field_visit", visitId: "tr-v1"),
            Ev.VisitCreated("tr-4", at.AddMinutes(5), "tr-v1", callId: "tr-c1"), Ev.VisitResolved("tr-5", at.AddHours(1), "tr-v1"),
            Ev.Queued("tr-6", at, "tr-c2", "trim"), Ev.Abandoned("tr-7", at.AddSeconds(2), "tr-c2"),
            Ev.Queued("tr-8", at, "tr-c3", "trim"), Ev.Abandoned("tr-9", at.AddSeconds(40), "tr-c3"))).StatusCode);
        await app.LiveCaughtUpAsync();
        Assert.NotEmpty(await WindowedKeysAsync());

        // Eleven days on, every part has left every window: today, the rolling hour, and the rolling 7 days of visit
        // deadlines (the visit's last, at 48 h, plus the 8 days a closed visit is kept).
        app.Time.Advance(TimeSpan.FromDays(11));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        List<string> left;
        while ((left = await WindowedKeysAsync()).Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Empty(left);

        var snapshot = (await http.GetFromJsonAsync<JsonElement>("/api/queues/trim")).GetProperty("snapshot");
        Assert.Equal(0, snapshot.GetProperty("windows").GetProperty("today").GetProperty("answered").GetInt64());
        Assert.Equal(0, snapshot.GetProperty("visits").GetProperty("due24").GetInt64());
        Assert.Empty(await LiveCheck.DifferencesAsync(http, app.Db, "trim"));
    }

    async Task<List<string>> WindowedKeysAsync() =>
        (await app.Redis.KeysAsync()).Where(k => Windowed.Any(w => k.Contains("}:" + w, StringComparison.Ordinal))).ToList();
}
