using Microsoft.Playwright;
using Queue.Tests.Infrastructure;
using Queue.Tests.Web;
using static Microsoft.Playwright.Assertions;

namespace Queue.Tests.Alerts;

/// <summary>
/// SPEC §4–5 in a real Chromium: a queue's late visits are one alert on the console (its queue, count and visits, and
/// each visit in the queue's drill-down) and one line on the wallboard ("3 visits past 24 h — queue"), updated live as
/// visits leave it; the visits with no call show under "no queue".
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class VisitAlertPagesTests(BrowserService web) : IClassFixture<BrowserService>
{
    static DateTimeOffset Now => DateTimeOffset.UtcNow;
    static string Id() => Guid.NewGuid().ToString("N")[..8];

    // A visit of a call answered in the queue, created hours ago.
    static System.Text.Json.Nodes.JsonNode[] Visit(string visit, string queue, double hoursAgo)
    {
        var call = $"{visit}-call";
        var created = Now.AddHours(-hoursAgo);
        return [Ev.Queued(Id(), created.AddMinutes(-5), call, queue), Ev.Answered(Id(), created.AddMinutes(-4), call, "op-pv"),
            Ev.VisitCreated(Id(), created, visit, call, "ural")];
    }

    [Fact]
    public async Task A_queue_s_late_visits_are_one_alert_with_their_count_and_ids_on_the_console_and_one_line_on_the_wallboard()
    {
        var queue = "pv-" + Id();
        var (v1, v2, v3, alone) = ($"{queue}-a", $"{queue}-b", $"{queue}-c", $"pv-alone-{Id()}");
        await web.PostAsync([.. Visit(v1, queue, 49.5), .. Visit(v2, queue, 30), .. Visit(v3, queue, 25),
            Ev.VisitCreated(Id(), Now.AddHours(-26), alone, region: "ural"),
            Ev.Queued(Id(), Now.AddMinutes(-2), $"{queue}-now", queue), Ev.Answered(Id(), Now.AddMinutes(-2).AddSeconds(10), $"{queue}-now", "op-pv")]);
        var late = await web.WaitForAlertAsync("visit.late", queue);
        var overdue = await web.WaitForAlertAsync("visit.overdue", queue);

        var console = await web.NewPageAsync();
        await console.GotoAsync($"/console#key={web.SupervisorKey}&queue={queue}");
        var item = console.Locator($"li[data-alert='{late}']");
        await Expect(item.Locator(".kind")).ToHaveTextAsync("Visits past their 24 h deadline");
        await Expect(item.Locator(".subject")).ToHaveTextAsync(queue);
        await Expect(item.Locator(".meta")).ToContainTextAsync("3 visits past 24 h, oldest 49.5 h");
        await Expect(item.Locator(".visits")).ToHaveTextAsync($"Visits: {v1}, {v2}, {v3}");
        await Expect(console.Locator($"li[data-alert='{overdue}'] .meta")).ToContainTextAsync("1 visit past 48 h, oldest 49.5 h");
        // The visits with no call: their own alert, of no queue.
        var none = console.Locator("li.alert-item").Filter(new() { HasText = alone });
        await Expect(none.Locator(".subject")).ToHaveTextAsync("no queue");
        // The drill-down lists each visit once, under the later deadline it passed.
        var rows = console.Locator("#tables h3:has-text('Late and overdue visits') + table tbody tr");
        await Expect(rows).ToHaveTextAsync([$"{v1}▲ 48 h#{overdue} open", $"{v2}◆ 24 h#{late} open", $"{v3}◆ 24 h#{late} open"]);

        var board = await web.NewPageAsync();
        await board.GotoAsync($"/wallboard#key={web.WallboardKey}");
        // What the line says, part by part: "3 visits past 24 h — queue".
        ILocator Line(string alert) => board.Locator($".alert{alert} .what, .alert{alert} .what + span");
        await Expect(Line($"[data-alert='{late}']")).ToHaveTextAsync(["3 visits past 24 h", $"— {queue}"]);
        await Expect(Line($"[data-alert='{overdue}']")).ToHaveTextAsync(["1 visit past 48 h", $"— {queue}"]);
        await Expect(Line(":not([data-alert='" + late + "']):not([data-alert='" + overdue + "'])")).ToHaveTextAsync(["1 visit past 24 h", "— no queue"]);

        // A visit resolved leaves the alert: both pages count one fewer, without a reload.
        await web.PostAsync(Ev.VisitResolved(Id(), Now, v2));
        await Expect(item.Locator(".meta")).ToContainTextAsync("2 visits past 24 h", new() { Timeout = 5_000 });
        await Expect(item.Locator(".visits")).ToHaveTextAsync($"Visits: {v1}, {v3}");
        await Expect(rows).ToHaveTextAsync([$"{v1}▲ 48 h#{overdue} open", $"{v3}◆ 24 h#{late} open"]);
        await Expect(Line($"[data-alert='{late}']")).ToHaveTextAsync(["2 visits past 24 h", $"— {queue}"], new() { Timeout = 5_000 });
        foreach (var p in new[] { console, board }) await p.Context.CloseAsync();
    }
}
