using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Queue.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Queue.Tests.Web;

/// <summary>
/// A center on a busy morning (six queues, an hour of calls, agents, late visits, alerts) on both pages at 1920×1080:
/// everything fits the TV with nothing to scroll, and the pictures in docs/screenshots are these.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ScreenshotTests(BrowserService web) : IClassFixture<BrowserService>
{
    static readonly (string Queue, int Calls, double Wait, double Abandon, double Remote, int[] WaitingNow, int Available, int Busy, int WrapUp, int Break, int Late, int Overdue)[] Center =
    [
        ("b2c", 44, 14, 0.04, 0.93, [12, 6], 6, 11, 2, 1, 0, 0),
        ("b2b", 26, 52, 0.12, 0.81, [48, 35, 20, 8], 0, 7, 1, 1, 2, 1),
        ("mobile", 38, 24, 0.06, 0.95, [22], 3, 9, 1, 0, 1, 0),
        ("internet", 31, 9, 0.02, 0.88, [], 5, 6, 1, 2, 0, 0),
        ("tv", 14, 18, 0.07, 0.97, [3], 2, 3, 0, 1, 0, 0),
        ("business", 12, 27, 0.0, 0.92, [], 2, 2, 1, 0, 0, 0),
    ];

    static readonly (string Queue, int Calls, double Wait, double Abandon, double Remote, int[] WaitingNow, int Available, int Busy, int WrapUp, int Break, int Late, int Overdue)[] Extra =
    [
        ("roaming", 9, 21, 0.1, 0.9, [27], 1, 2, 0, 0, 0, 0),
        ("corporate-vip", 6, 8, 0.0, 1.0, [], 2, 1, 0, 0, 0, 0),
    ];

    // Callers from across the country (and a few the exchange could not place).
    static readonly string[] Regions = ["ural", "volga", "siberia", "far-east", "north-west"];

    // Every tile, figure and count box that does not hold what it shows (cut off), with its size and what it holds.
    const string Overflowing =
        "[...document.querySelectorAll('.tile, .fig, .counts')].filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)" +
        ".map(e => `${e.closest('.tile').dataset.queue} ${e.dataset.fig ?? 'tile'}: ${e.clientWidth}×${e.clientHeight} holds ${e.scrollWidth}×${e.scrollHeight}`)";

    // The console's figure tiles whose words or value do not fit their tile.
    const string FiguresCutOff =
        "[...document.querySelectorAll('.figures .figure, .figures .figure > *')].filter(e => e.scrollWidth > e.clientWidth + 1)" +
        ".map(e => `${e.closest('.figure').dataset.figure} ${e.className}: ${e.clientWidth} wide holds ${e.scrollWidth}`)";

    [Fact]
    public async Task A_busy_center_fits_a_1080p_screen_with_nothing_to_scroll()
    {
        await SeedAsync(Center, "seed");
        var overdue = await web.WaitForAlertAsync("queue.wait", "b2b");
        await web.WaitForAlertAsync("queue.asa", "b2b");
        using (var admin = web.Admin())
        {
            using var ack = await admin.PostAsJsonAsync($"/api/alerts/{overdue}/ack", new { note = "Moved two agents from b2c to b2b" });
            Assert.True(ack.IsSuccessStatusCode);
        }

        var board = await web.NewPageAsync();
        await board.GotoAsync($"/wallboard#key={web.WallboardKey}");
        await Expect(board.Locator(".tile")).ToHaveCountAsync(Center.Length);
        await Expect(board.Locator("[data-queue='b2b'] [data-fig='asa']")).ToHaveAttributeAsync("data-state", "breach");
        await Expect(board.Locator(".alert").First).ToBeVisibleAsync();
        await Task.Delay(5_000); // the flashes of the first alerts end
        var picture = await BrowserService.ScreenshotAsync(board, "wallboard");
        Assert.True(await board.EvaluateAsync<bool>(
            "document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth"),
            "the wallboard scrolls at 1920×1080");
        Assert.Empty(await board.EvaluateAsync<string[]>(Overflowing));
        await Keep(picture, "wallboard.png");

        // Eight queues: more than a 1080p screen shows at a readable size, so half of them a page, saying which; still
        // nothing is cut off.
        await SeedAsync(Extra, "x");
        await Expect(board.Locator("#page")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^page [12] of 2$"));
        await Expect(board.Locator(".tile")).ToHaveCountAsync((Center.Length + Extra.Length) / 2);
        await Task.Delay(4_000);
        await BrowserService.ScreenshotAsync(board, "wallboard-8-queues");
        Assert.Empty(await board.EvaluateAsync<string[]>(Overflowing));

        var console = await web.NewPageAsync();
        await console.GotoAsync($"/console#key={web.SupervisorKey}&queue=b2b");
        await Expect(console.Locator("#trend canvas")).ToBeVisibleAsync();
        await Expect(console.Locator("li[data-alert][data-state='acknowledged']")).ToHaveCountAsync(1);
        await Expect(console.Locator("#history-rows tr").First).ToBeVisibleAsync();
        Assert.Empty(await console.EvaluateAsync<string[]>(FiguresCutOff));
        await Keep(await BrowserService.ScreenshotAsync(console, "console"), "console.png");

        // A supervisor's laptop: every figure tile still says all it has to say.
        var laptop = await web.NewPageAsync(1366, 768);
        await laptop.GotoAsync($"/console#key={web.SupervisorKey}&queue=b2b");
        await Expect(laptop.Locator(".figures [data-figure='agents'] .note")).ToBeVisibleAsync();
        Assert.Empty(await laptop.EvaluateAsync<string[]>(FiguresCutOff));
        Assert.Empty(await laptop.EvaluateAsync<string[]>(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.parentElement?.closest('.scroll, .history'))" +
            ".map(e => `${e.tagName}#${e.id}.${e.className}: right edge at ${Math.round(e.getBoundingClientRect().right)} of ${innerWidth}`)"));
        await Keep(await BrowserService.ScreenshotAsync(laptop, "console-1366"), "console-1366.png");
        await board.Context.CloseAsync();
        await console.Context.CloseAsync();
        await laptop.Context.CloseAsync();
    }

    // The README and docs/pages.md show the current pictures.
    internal static async Task Keep(string screenshot, string name)
    {
        var docs = Path.Combine(BrowserService.RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(docs);
        await using var from = File.OpenRead(screenshot);
        await using var to = File.Create(Path.Combine(docs, name));
        await from.CopyToAsync(to);
    }

    async Task SeedAsync((string Queue, int Calls, double Wait, double Abandon, double Remote, int[] WaitingNow, int Available, int Busy, int WrapUp, int Break, int Late, int Overdue)[] center, string prefix)
    {
        var random = new Random(7);
        var now = DateTimeOffset.UtcNow;
        var events = new List<JsonNode>();
        var n = 0;
        string Id() => $"{prefix}-{++n}";
        foreach (var q in center)
        {
            var agents = new List<string>();
            void Agents(int count, string status)
            {
                for (var i = 0; i < count; i++)
                {
                    var agent = $"{q.Queue}-op-{agents.Count + 1:00}";
                    agents.Add(agent);
                    var e = Ev.AgentStatus(Id(), now.AddMinutes(-70 + random.Next(60)), agent, status);
                    e["queues"] = new JsonArray(q.Queue);
                    events.Add(e);
                }
            }
            Agents(q.Available, "available");
            Agents(q.Busy, "busy");
            Agents(q.WrapUp, "wrap_up");
            Agents(q.Break, "break");
            for (var i = 0; i < q.Calls; i++)
            {
                var call = $"{q.Queue}-c{i}";
                var queued = now.AddMinutes(-58 + 50.0 * i / q.Calls);
                var wait = TimeSpan.FromSeconds(q.Wait * (0.4 + 1.2 * random.NextDouble()));
                events.Add(Ev.Queued(Id(), queued, call, q.Queue, region: i % 9 == 8 ? null : Regions[i % Regions.Length]));
                if (random.NextDouble() < q.Abandon)
                {
                    events.Add(Ev.Abandoned(Id(), queued + wait, call));
                    continue;
                }
                events.Add(Ev.Answered(Id(), queued + wait, call, agents[i % agents.Count]));
                var done = queued + wait + TimeSpan.FromMinutes(2 + random.Next(5));
                if (done < now) events.Add(Ev.Completed(Id(), done, call, random.NextDouble() < q.Remote ? "resolved" : "unresolved"));
            }
            foreach (var age in q.WaitingNow) events.Add(Ev.Queued(Id(), now.AddSeconds(-age), $"{q.Queue}-w{age}", q.Queue));
            for (var i = 0; i < q.Late + q.Overdue; i++)
            {
                var call = $"{q.Queue}-v{i}";
                var at = now.AddHours(i < q.Late ? -30 - i : -50 - i);
                events.Add(Ev.Queued(Id(), at, call, q.Queue));
                events.Add(Ev.Answered(Id(), at.AddSeconds(20), call, agents[0]));
                events.Add(Ev.Completed(Id(), at.AddMinutes(6), call, "field_visit", $"visit-{call}"));
                events.Add(Ev.VisitCreated(Id(), at.AddMinutes(6), $"visit-{call}", call));
            }
        }
        await web.PostAsync([.. events]);
    }
}
