using Microsoft.Playwright;
using Queue.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Queue.Tests.Web;

/// <summary>SPEC §5: the supervisor console in a real Chromium: open alerts and their acknowledgement, history, drill-down and its breakdown.</summary>
[Collection(AloneCollection.Name)]
public sealed class ConsoleTests(BrowserService web) : IClassFixture<BrowserService>
{
    static DateTimeOffset Now => DateTimeOffset.UtcNow;
    static string Id() => Guid.NewGuid().ToString("N")[..12];

    async Task<IPage> OpenAsync(string hash = "")
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/console#key={web.SupervisorKey}{hash}");
        return page;
    }

    [Fact]
    public async Task Acknowledging_in_one_console_updates_another_console_and_the_wallboard()
    {
        await web.SetWaitTargetAsync("ack", 1);
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), "ack"));
        var id = await web.WaitForAlertAsync("queue.wait", "ack");

        var first = await OpenAsync();
        var second = await OpenAsync();
        var board = await WallboardTests.OpenAsync(web, "ack", web.WallboardKey);
        var item = first.Locator($"[data-alert='{id}']").First;
        await Expect(item).ToContainTextAsync("Longest wait over target");
        await Expect(second.Locator($"li[data-alert='{id}']")).ToHaveAttributeAsync("data-state", "open");
        await Expect(board.Locator($".alert[data-alert='{id}']")).ToContainTextAsync("◆ WARNING");

        await item.GetByRole(AriaRole.Button, new() { Name = "Acknowledge…" }).ClickAsync();
        var note = item.GetByLabel("Note: what is being done about it");
        await Expect(note).ToBeFocusedAsync();
        // An empty note is refused before it is sent.
        await item.GetByRole(AriaRole.Button, new() { Name = "Acknowledge", Exact = true }).ClickAsync();
        await Expect(item.Locator(".error")).ToHaveTextAsync("Write a note: what is being done about it.");
        // What the service refuses is shown as it says it (a control character is not a note).
        await note.FillAsync("moved\u0001");
        await item.GetByRole(AriaRole.Button, new() { Name = "Acknowledge", Exact = true }).ClickAsync();
        await Expect(item.Locator(".error")).ToContainTextAsync("400 — The acknowledgement is invalid");
        await Expect(item.Locator(".error")).ToContainTextAsync("note is required");
        await note.FillAsync("Two more agents moved to <b>ack</b>");
        await note.PressAsync("Tab");
        await first.Keyboard.PressAsync("Enter");

        await Expect(item).ToHaveAttributeAsync("data-state", "acknowledged");
        var other = second.Locator($"li[data-alert='{id}']");
        await Expect(other).ToHaveAttributeAsync("data-state", "acknowledged", new() { Timeout = 3_000 });
        await Expect(other).ToContainTextAsync("Acknowledged by anna-supervisor");
        // The note is text, never markup.
        await Expect(other.Locator(".note")).ToHaveTextAsync("Two more agents moved to <b>ack</b>");
        await Expect(board.Locator($".alert[data-alert='{id}']")).ToContainTextAsync("✓ ACK", new() { Timeout = 3_000 });
        await Expect(board.Locator($".alert[data-alert='{id}']")).ToContainTextAsync("by anna-supervisor");
        foreach (var p in new[] { first, second, board }) await p.Context.CloseAsync();
    }

    [Fact]
    public async Task The_drill_down_shows_the_live_figures_the_waiting_calls_longest_first_and_the_agents()
    {
        var agent = "op-" + Id();
        var status = Ev.AgentStatus(Id(), Now.AddMinutes(-30), agent, "available");
        status["queues"] = new System.Text.Json.Nodes.JsonArray("drill");
        await web.PostAsync(
            status,
            Ev.Queued(Id(), Now.AddMinutes(-20), "c-drill-done", "drill"),
            Ev.Answered(Id(), Now.AddMinutes(-20).AddSeconds(12), "c-drill-done", agent),
            Ev.Completed(Id(), Now.AddMinutes(-15), "c-drill-done", "resolved"),
            Ev.AgentStatus(Id(), Now.AddMinutes(-15), agent, "wrap_up"),
            Ev.AgentStatus(Id(), Now.AddMinutes(-14), agent, "available"),
            Ev.Queued(Id(), Now.AddSeconds(-40), "c-drill-old", "drill"),
            Ev.Queued(Id(), Now.AddSeconds(-5), "c-drill-new", "drill"));
        var page = await OpenAsync("&queue=drill");
        await Expect(page.Locator("#drill-title")).ToHaveTextAsync("Queue drill");
        await Expect(page.Locator("[data-figure='calls-waiting'] .value")).ToHaveTextAsync("2");
        // Talked 288 s, wrapped up 60 s: one figure, in words, with what it is made of under it.
        var handle = page.Locator("[data-figure='handle-time']");
        await Expect(handle.Locator(".label")).ToHaveTextAsync("Time per call, last hour");
        await Expect(handle.Locator(".value")).ToHaveTextAsync("5:48");
        await Expect(handle.Locator(".note")).ToHaveTextAsync("talk 4:48 + wrap-up 1:00 · 1 handled");
        await Expect(page.Locator(".figures [data-figure='asa'] .note")).ToHaveTextAsync("target ≤ 0:30");
        await Expect(page.Locator(".figures [data-figure='agents'] .label")).ToHaveTextAsync("Agents serving the queue");
        var calls = page.Locator("#tables table").First.Locator("tbody tr td:first-child");
        await Expect(calls).ToHaveTextAsync(["c-drill-old", "c-drill-new"]);
        await Expect(page.Locator("#tables")).ToContainTextAsync(agent);
        // Today's trend, drawn by uPlot from /api/queues/{queue}/trend.
        await Expect(page.Locator("#trend canvas")).ToBeVisibleAsync();
        await Expect(page.Locator("#trend-note")).ToContainTextAsync("15-minute buckets");
        await Expect(page.Locator("#trend .u-legend")).ToContainTextAsync("Calls offered");

        // Live: a call answered leaves the list without a reload, and one arriving joins it, sent by the hub (the queue's
        // detail is never read again over HTTP).
        var reads = new List<string>();
        page.Request += (_, r) => { if (new Uri(r.Url).AbsolutePath == "/api/queues/drill") reads.Add(r.Url); };
        await web.PostAsync(Ev.Answered(Id(), Now, "c-drill-old", agent));
        await Expect(page.Locator("[data-figure='calls-waiting'] .value")).ToHaveTextAsync("1", new() { Timeout = 3_000 });
        await Expect(calls).ToHaveTextAsync(["c-drill-new"], new() { Timeout = 3_000 });
        await web.PostAsync(Ev.Queued(Id(), Now, "c-drill-next", "drill"));
        await Expect(calls).ToHaveTextAsync(["c-drill-new", "c-drill-next"], new() { Timeout = 3_000 });
        Assert.Empty(reads);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_drill_down_breaks_a_chosen_window_down_by_region_language_and_segment_against_the_queue_targets_by_keyboard()
    {
        await web.SetWaitTargetAsync("bd", 20);
        var events = new List<System.Text.Json.Nodes.JsonNode>();
        void Call(string? region, string? language, string? segment, int wait, bool answered = true, int ago = 90)
        {
            var call = "c-" + Id();
            var queued = Ev.Queued(Id(), Now.AddSeconds(-ago), call, "bd", region: region);
            if (language is not null) queued["language"] = language;
            if (segment is not null) queued["segment"] = segment;
            events.Add(queued);
            events.Add(answered ? Ev.Answered(Id(), Now.AddSeconds(-ago + wait), call, "op-bd") : Ev.Abandoned(Id(), Now.AddSeconds(-ago + wait), call));
        }
        Call("ural", "ru", "b2c", 25);
        Call("ural", "ru", "b2c", 25);
        Call("volga", "tt", null, 5);
        Call(null, null, null, 10, answered: false);
        for (var i = 0; i < 10; i++) Call("north", "ru", "b2b", 40);
        Call("siberia", "ru", "b2c", 15, ago: 30 * 60);
        await web.PostAsync([.. events]);

        var page = await OpenAsync("&queue=bd");
        var rows = page.Locator("#breakdown tbody tr");
        var window = page.GetByLabel("Window", new() { Exact = true });
        // By keyboard only: from today, one up is the last 60 minutes.
        await window.FocusAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(window).ToHaveValueAsync("m60");
        await Expect(page.Locator("#breakdown-note")).ToContainTextAsync("bd in the last 60 minutes");
        await Expect(rows.Locator("th")).ToHaveTextAsync(["north", "siberia", "ural", "volga", "unknown"]);
        await Expect(page.Locator("#breakdown thead")).ToContainTextAsync("ASA (≤ 0:20)");

        var north = rows.Nth(0);
        await Expect(north.Locator("[data-figure='offered'] .v")).ToHaveTextAsync("10");
        await Expect(north.Locator("[data-figure='asa'] .v")).ToHaveTextAsync("0:40");
        // Over the queue's 20 s on the minimum sample: a breach, marked by shape and said in words, not by colour alone.
        await Expect(north.Locator("[data-figure='asa']")).ToHaveAttributeAsync("data-state", "breach");
        await Expect(north.Locator("[data-figure='asa'] .cell-mark")).ToHaveTextAsync("▲");
        await Expect(north.Locator("[data-figure='asa']")).ToContainTextAsync("OVER target");
        var ural = rows.Nth(2);
        await Expect(ural.Locator("[data-figure='asa'] .v")).ToHaveTextAsync("0:25");
        // Over it on two answers, fewer than the minimum sample: near, not a breach.
        await Expect(ural.Locator("[data-figure='asa']")).ToHaveAttributeAsync("data-state", "warning");
        await Expect(ural.Locator("[data-figure='asa'] .cell-mark")).ToHaveTextAsync("◆");
        await Expect(ural.Locator("[data-figure='asa']")).ToContainTextAsync("near target");
        await Expect(rows.Nth(3).Locator("[data-figure='asa']")).ToHaveAttributeAsync("data-state", "ok");
        await Expect(rows.Nth(3).Locator("[data-figure='asa']")).ToContainTextAsync("on target");
        await Expect(rows.Nth(4).Locator("[data-figure='abandonmentRate'] .v")).ToHaveTextAsync("100%");
        await Expect(rows.Nth(4).Locator("[data-figure='asa'] .v")).ToHaveTextAsync("–");

        // The last 15 minutes leave out the call of half an hour ago.
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(page.Locator("#breakdown-note")).ToContainTextAsync("bd in the last 15 minutes");
        await Expect(rows.Locator("th")).ToHaveTextAsync(["north", "ural", "volga", "unknown"]);

        // Tab goes on to what a row is; the arrows choose it.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("by", new() { Exact = true })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(rows.Locator("th")).ToHaveTextAsync(["ru", "tt", "unknown"]);
        await Expect(rows.Nth(0).Locator("[data-figure='answered'] .v")).ToHaveTextAsync("12");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(rows.Locator("th")).ToHaveTextAsync(["b2b", "b2c", "unknown"]);
        await Expect(rows.Nth(2).Locator("[data-figure='offered'] .v")).ToHaveTextAsync("2");

        // The table on screen downloads as CSV: its rows, with the numbers the API gives.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download CSV: breakdown" }).ClickAsync());
        Assert.Matches(@"^figures-by-segment-bd-.+\.csv$", download.SuggestedFilename);
        var (header, csvRows) = CsvCheck.Read(await File.ReadAllTextAsync(await download.PathAsync()));
        Assert.Equal(["b2b", "b2c", ""], csvRows.Select(r => r[0]));
        Assert.Equal(["10", "2", "1"], csvRows.Select(r => r[header.IndexOf("answered")]));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Callers_to_call_back_leave_the_list_live_once_answered_anywhere_and_download_as_CSV()
    {
        await web.PostAsync(
            Ev.Queued(Id(), Now.AddMinutes(-9), "c-cbk-1", "cbk", caller: "+7 351 000-11-22"), Ev.Abandoned(Id(), Now.AddMinutes(-9).AddSeconds(40), "c-cbk-1"),
            Ev.Queued(Id(), Now.AddMinutes(-6), "c-cbk-2", "cbk", caller: "+7 351 000-33-44"), Ev.Abandoned(Id(), Now.AddMinutes(-6).AddSeconds(25), "c-cbk-2"),
            Ev.Queued(Id(), Now.AddMinutes(-5), "c-cbk-3", "cbk"), Ev.Answered(Id(), Now.AddMinutes(-5).AddSeconds(5), "c-cbk-3", "op-cbk"));
        var page = await OpenAsync("&queue=cbk");
        var rows = page.Locator("#callbacks tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Nth(0)).ToContainTextAsync("c-cbk-2");
        await Expect(rows.Nth(0).Locator("td").Nth(2)).ToHaveTextAsync("0:25");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download CSV: callers to call back" }).ClickAsync());
        var (header, csv) = CsvCheck.Read(await File.ReadAllTextAsync(await download.PathAsync()));
        Assert.Equal(["c-cbk-2", "c-cbk-1"], csv.Select(r => r[header.IndexOf("call_id")]));

        // The first caller rings again in another queue and is answered: gone from the list, with no reload.
        await web.PostAsync(Ev.Queued(Id(), Now.AddMinutes(-1), "c-cbk-4", "cbk-other", caller: "+73510001122"), Ev.Answered(Id(), Now, "c-cbk-4", "op-cbk"));
        await Expect(rows).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        await Expect(rows.Nth(0)).ToContainTextAsync("c-cbk-2");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_agent_going_on_break_shows_with_its_reason_without_reload_and_the_report_downloads_with_the_same_numbers()
    {
        var now = Now;
        var agent = "op-ag-" + Id();
        var call = "c-ag-" + Id();
        // The agent's day must fall in the center's today (the service runs in the default zone, Asia/Yekaterinburg,
        // whose midnight is 19:00 UTC): run just after that midnight, the same day is told faster, in steps of 3 s up
        // to a minute.
        var sinceMidnight = TimeZoneInfo.ConvertTime(now, new Queue.Events.CenterOptions().Zone()).TimeOfDay;
        if (sinceMidnight < TimeSpan.FromSeconds(65)) Assert.Skip("within a minute of the center's midnight");
        var step = TimeSpan.FromSeconds(Math.Min(60, Math.Floor((sinceMidnight.TotalSeconds - 2) / 21 / 3) * 3));
        var start = now - 20 * step;
        var talk = (int)Math.Round(14 * step.TotalSeconds / 3);
        await web.PostAsync(
            Ev.AgentStatus(Id(), start, agent, "available", "ag-q"),
            Ev.Queued(Id(), start + 5 * step, call, "ag-q"),
            Ev.Missed(Id(), start + 5 * step + step / 6, call, agent),
            Ev.AgentStatus(Id(), start + 5 * step + step / 3, agent, "busy"),
            Ev.Answered(Id(), start + 5 * step + step / 3, call, agent),
            Ev.Completed(Id(), start + 10 * step, call, "resolved"),
            Ev.AgentStatus(Id(), start + 10 * step, agent, "available"));
        var page = await OpenAsync();
        var row = page.Locator($"#agents-live tr[data-agent='{agent}']");
        await Expect(row).ToContainTextAsync("available");
        await Expect(row.Locator("td").Nth(5)).ToHaveTextAsync("1");
        await Expect(row.Locator("td").Nth(6)).ToHaveTextAsync("1");

        // The agent goes on a break: the list says so, with its reason, as it happens.
        await web.PostAsync(Ev.AgentStatus(Id(), Now, agent, "break").Because("lunch"));
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync("break", new() { Timeout = 5_000 });
        await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("lunch");

        // Sorted by a click on a heading, and back the other way on a second.
        var missed = page.GetByRole(AriaRole.Button, new() { Name = "Missed today" });
        await missed.ClickAsync();
        await Expect(page.Locator("#agents-live th").Nth(6)).ToHaveAttributeAsync("aria-sort", "ascending");
        await missed.ClickAsync();
        await Expect(page.Locator("#agents-live th").Nth(6)).ToHaveAttributeAsync("aria-sort", "descending");

        // The report of the last half hour, on screen and as a download with the same numbers.
        var form = page.Locator("#agents-form");
        var local = (DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        await form.GetByLabel("From", new() { Exact = true }).FillAsync(local(now.AddMinutes(-30)));
        // To the minute: two ahead, so that the break begun since falls in it however close to a minute's end this ran.
        await form.GetByLabel("To", new() { Exact = true }).FillAsync(local(now.AddMinutes(2)));
        await form.GetByLabel("Queue", new() { Exact = true }).FillAsync("ag-q");
        await page.GetByRole(AriaRole.Button, new() { Name = "Make report" }).ClickAsync();
        var shown = page.Locator($"#agents-report tr[data-agent='{agent}'] td");
        await Expect(shown.Nth(7)).ToHaveTextAsync("1");
        await Expect(shown.Nth(8)).ToHaveTextAsync("1");
        await Expect(shown.Nth(9)).ToHaveTextAsync($"{talk / 60}:{talk % 60:D2}");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download CSV: agents report" }).ClickAsync());
        Assert.Matches(@"^agents-ag-q-.+\.csv$", download.SuggestedFilename);
        var (header, rows) = CsvCheck.Read(await File.ReadAllTextAsync(await download.PathAsync()));
        var csv = rows.Single(r => r[header.IndexOf("agent_id")] == agent);
        Assert.Equal(("1", "1", talk.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            (csv[header.IndexOf("answered")], csv[header.IndexOf("missed")], csv[header.IndexOf("average_talk_seconds")]));
        Assert.Contains("break:lunch", header);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_history_filters_by_queue_and_state()
    {
        await web.SetWaitTargetAsync("hist-a", 1);
        await web.SetWaitTargetAsync("hist-b", 1);
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), "hist-a"), Ev.Queued(Id(), Now, "c-" + Id(), "hist-b"));
        await web.WaitForAlertAsync("queue.wait", "hist-a");
        await web.WaitForAlertAsync("queue.wait", "hist-b");

        var page = await OpenAsync();
        await page.Locator("#history-form").GetByLabel("Queue", new() { Exact = true }).FillAsync("hist-b");
        await page.Locator("#history-form").GetByLabel("State", new() { Exact = true }).SelectOptionAsync("open");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        var queues = page.Locator("#history-rows tr td:nth-child(4)");
        await Expect(queues).ToHaveTextAsync(["hist-b"]);

        // The same filters download as CSV.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download CSV: alert history" }).ClickAsync());
        var (header, rows) = CsvCheck.Read(await File.ReadAllTextAsync(await download.PathAsync()));
        Assert.Equal([("queue.wait", "hist-b", "open")], rows.Select(r => (r[header.IndexOf("kind")], r[header.IndexOf("queue")], r[header.IndexOf("state")])));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_kind_filter_offers_the_kinds_the_service_lists_and_filters_by_them()
    {
        await web.SetWaitTargetAsync("hist-k", 1);
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), "hist-k"));
        await web.WaitForAlertAsync("queue.wait", "hist-k");

        var page = await OpenAsync();
        var kind = page.Locator("#history-form").GetByLabel("Kind", new() { Exact = true });
        await Expect(kind.Locator("option")).ToHaveTextAsync(["any", .. Queue.Alerts.AlertKinds.Names]);
        await page.Locator("#history-form").GetByLabel("Queue", new() { Exact = true }).FillAsync("hist-k");
        await kind.SelectOptionAsync("queue.asa");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.Locator("#history-rows")).ToHaveTextAsync("No alerts match.");
        await kind.SelectOptionAsync("queue.wait");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Expect(page.Locator("#history-rows tr td:nth-child(3)")).ToHaveTextAsync(["queue.wait"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_the_kinds_an_alert_shows_by_its_name_and_the_filter_offers_any()
    {
        await web.SetWaitTargetAsync("no-kinds", 1);
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), "no-kinds"));
        var id = await web.WaitForAlertAsync("queue.wait", "no-kinds");

        var page = await web.NewPageAsync();
        await page.RouteAsync("**/api/alerts/kinds", route => route.AbortAsync());
        await page.GotoAsync($"/console#key={web.SupervisorKey}");
        var item = page.Locator($"li[data-alert='{id}']");
        await Expect(item.Locator(".kind")).ToHaveTextAsync("queue.wait");
        await Expect(item.Locator(".subject")).ToHaveTextAsync("no-kinds");
        await Expect(page.Locator("#history-form").GetByLabel("Kind", new() { Exact = true }).Locator("option")).ToHaveTextAsync(["any"]);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wallboard_key_is_told_it_may_not_use_the_console()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/console#key={web.WallboardKey}");
        await Expect(page.Locator("#signin-message")).ToContainTextAsync("(403)");
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }
}
