using System.Globalization;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Web;

/// <summary>
/// SPEC §5: the wallboard and the supervisor console in Firefox (Debian's firefox-esr), as in Chromium: what a person
/// sees on the TV, and the console used with the keyboard alone.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class FirefoxTests(FirefoxService web) : IClassFixture<FirefoxService>
{
    static DateTimeOffset Now => DateTimeOffset.UtcNow;
    static string Id() => Guid.NewGuid().ToString("N")[..12];

    async Task<FirefoxPage> OpenAsync(string path)
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync(path);
        return page;
    }

    Task<FirefoxPage> WallboardAsync(string queues, string? key = null) => OpenAsync($"/wallboard?queues={queues}#key={key ?? web.WallboardKey}");

    Task<FirefoxPage> ConsoleAsync(string? key = null) => OpenAsync($"/console#key={key ?? web.SupervisorKey}");

    static string Value(string queue, string figure) => $"[data-queue='{queue}'] [data-fig='{figure}'] .fig-value";

    async Task<long> AlertAsync(string queue)
    {
        await web.SetWaitTargetAsync(queue, 1);
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), queue));
        return await web.WaitForAlertAsync("queue.wait", queue);
    }

    // ---- wallboard ----

    [Fact]
    public async Task Shows_the_snapshot_within_two_seconds_of_load_and_a_posted_event_changes_it_without_a_reload()
    {
        var call = "c-" + Id();
        await web.PostAsync(Ev.Queued(Id(), Now.AddSeconds(-5), call, "ff-live"), Ev.AgentStatus(Id(), Now.AddSeconds(-60), "op-" + Id(), "available"));
        // A TV connects to a service that has been running: a first screen takes the service's first requests (compiled
        // as they come), then the one timed is a screen switched on.
        await using (var first = await WallboardAsync("ff-warm"))
            await first.ExpectTextAsync(Value("ff-warm", "waiting"), "0");
        await using var page = await WallboardAsync("ff-live");
        await page.ExpectTextAsync(Value("ff-live", "waiting"), "1", timeoutMs: 2_000);
        Assert.DoesNotContain(web.WallboardKey, await page.EvaluateAsync<string>("location.href"), StringComparison.Ordinal);
        await page.WaitForAsync(@"/^\d\d:\d\d:\d\d$/.test(document.getElementById('clock').textContent)", "the clock ticking");
        await page.EvaluateAsync<bool>("window.notReloaded = true");

        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), "ff-live"));
        await page.ExpectTextAsync(Value("ff-live", "waiting"), "2", timeoutMs: 2_000);
        await web.PostAsync(Ev.Answered(Id(), Now, call, "op-" + Id()));
        await page.ExpectTextAsync(Value("ff-live", "waiting"), "1", timeoutMs: 2_000);
        Assert.True(await page.EvaluateAsync<bool>("window.notReloaded === true"), "the wallboard reloaded");
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_queue_past_its_target_turns_red_and_shows_the_alert_on_a_1080p_screen()
    {
        await web.SetWaitTargetAsync("ff-late", 2);
        await using var page = await WallboardAsync("ff-late");
        await page.ExpectTextAsync(Value("ff-late", "waiting"), "0");
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), "ff-late"));

        var longest = "[data-queue='ff-late'] [data-fig='longest']";
        await page.ExpectAttributeAsync(longest, "data-state", "breach");
        await page.ExpectTextAsync(longest + " .mark", "▲ OVER");
        await page.ExpectAttributeAsync("[data-queue='ff-late']", "data-state", "breach");
        Assert.Equal("rgb(255, 77, 77)", await page.EvaluateAsync<string>($"getComputedStyle(document.querySelector(\"{longest} .fig-value\")).color"));
        await page.ExpectContainsTextAsync(".alert", "Longest wait over target");
        await page.ExpectContainsTextAsync(".alert", "ff-late");
        await page.ExpectTextAsync("[data-queue='ff-late'] .tile-alerts", "▲ 1 alert");

        // Everything on the TV, nothing scrolled or cut off.
        Assert.True(await page.EvaluateAsync<bool>("innerWidth === 1920 && innerHeight === 1080"), "the screen is not 1920×1080");
        Assert.True(await page.EvaluateAsync<bool>(
            "document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth"), "the wallboard scrolls in Firefox");
        Assert.Empty(await page.EvaluateAsync<string[]>(
            "[...document.querySelectorAll('.tile, .fig, .counts')].filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1).map(e => e.className)") ?? []);
        await page.WaitForAsync("document.getAnimations().length === 0", "the flash of the new alert ending");
        await page.ScreenshotAsync("wallboard-breach");
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_refused_key_shows_a_clear_message()
    {
        await using var page = await WallboardAsync("any", "not_a_key_anyone_was_given_0000");
        await page.ExpectContainsTextAsync("#fatal", "This screen's key was refused (401). Ask an admin for a new wallboard link.");
        await page.ScreenshotAsync("wallboard-refused");
    }

    [Fact]
    public async Task The_sound_switch_is_reached_with_tab_shows_its_focus_and_works_with_the_keyboard()
    {
        await using var page = await WallboardAsync("ff-keys");
        await page.ExpectTextAsync(Value("ff-keys", "waiting"), "0");
        // The only control on the TV is the first stop of the tab order.
        await page.PressAsync(Key.Tab);
        await page.ExpectFocusedAsync("#sound");
        var ring = await page.FocusRingAsync();
        Assert.True(ring.Shown, $"the focused sound switch shows no focus ring: {ring.How}");
        await page.PressAsync(Key.Enter);
        await page.ExpectAttributeAsync("#sound", "aria-pressed", "true");
        await page.PressAsync(Key.Space);
        await page.ExpectAttributeAsync("#sound", "aria-pressed", "false");
        await page.ExpectTextAsync("#sound", "Sound off");
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task Thirty_queues_page_through_with_every_waiting_longest_wait_and_asa_on_screen_and_breaches_first()
    {
        await Floor.SeedAsync(web);
        await using var page = await WallboardAsync($"{Floor.Names(30)}&page-seconds=1");
        await page.WaitForAsync("/^\\d+$/.test(document.querySelector(\"#tiles [data-fig='waiting'] .fig-value\")?.textContent)", "the first page of queues");
        var pages = await Floor.EveryPageAsync(async script => await page.EvaluateAsync<System.Text.Json.JsonElement>(script));
        Assert.True(pages.Length > 1, "thirty queues on one 1080p page");
        Assert.Equal(Enumerable.Range(1, 30).Select(Floor.Name).Order(), pages.SelectMany(p => p.Seen).Order());
        Assert.Equal(30, pages.Sum(p => p.Queues.Length));
        foreach (var q in Enumerable.Range(1, 30).Where(Floor.InBreach).Select(Floor.Name)) Assert.Contains(q, pages[0].Queues);

        // The table: one row per queue, nothing cut off.
        await page.GotoAsync($"/wallboard?queues={Floor.Names(30)}&layout=table&page-seconds=1");
        await page.WaitForAsync("/^\\d+$/.test(document.querySelector(\"#tiles tr [data-fig='waiting'] .fig-value\")?.textContent)", "the table's rows");
        var table = await Floor.EveryPageAsync(async script => await page.EvaluateAsync<System.Text.Json.JsonElement>(script));
        Assert.Equal(Enumerable.Range(1, 30).Select(Floor.Name).Order(), table.SelectMany(p => p.Seen).Order());
        Assert.Equal(30, table.Sum(p => p.Queues.Length));
        Assert.Empty(page.Errors);
    }

    // ---- console ----

    // Which part of the console the focus is in, in the order they are read: the header, the open alerts, the drill-down
    // and the history.
    const string Region =
        "(e => e.closest('header') ? 0 : e.closest('.open-alerts') ? 1 : e.closest('.drill') ? 2 : e.closest('.history') ? 3 : 9)(document.activeElement)";

    /// <summary>
    /// The first Tab reaches the link past the queues (the header holds one link per queue, 60 on a whole floor), it
    /// shows its focus, and Enter gives the focus to the open alerts.
    /// </summary>
    static async Task SkipToAlertsAsync(FirefoxPage page)
    {
        await page.PressAsync(Key.Tab);
        await page.ExpectFocusedAsync("#skip");
        Assert.Equal("Skip to the open alerts", await page.TextAsync("#skip"));
        var ring = await page.FocusRingAsync();
        Assert.True(ring.Shown, $"the link past the queues shows no focus ring: {ring.How}");
        await page.PressAsync(Key.Enter);
        await page.ExpectFocusedAsync("#open-alerts");
    }

    const string Tabbable =
        "document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]:not([tabindex=\"-1\"])').length";

    /// <summary>
    /// Presses Tab until <paramref name="selector"/> has the focus, at most once per element that can take it; every stop
    /// on the way shows its focus, in reading order.
    /// </summary>
    static async Task TabToAsync(FirefoxPage page, string selector)
    {
        var most = await page.EvaluateAsync<int>(Tabbable) + 1;
        var stops = new List<string>();
        var region = 0;
        for (var i = 0; i < most; i++)
        {
            await page.PressAsync(Key.Tab);
            var focused = await page.EvaluateAsync<string>(FirefoxPage.Focused) ?? "";
            stops.Add(focused);
            if (focused.StartsWith("body", StringComparison.Ordinal)) continue;
            var ring = await page.FocusRingAsync();
            Assert.True(ring.Shown, $"{focused} has the focus but shows no focus ring ({ring.How}); stops: {string.Join(" → ", stops)}");
            var now = await page.EvaluateAsync<int>(Region);
            Assert.True(now >= region && now != 9, $"the tab order goes back up the page at {focused}: {string.Join(" → ", stops)}");
            region = now;
            if (await page.EvaluateAsync<bool>($"document.activeElement.matches(\"{selector}\")")) return;
        }
        Assert.Fail($"{most} presses of Tab did not reach {selector}: {string.Join(" → ", stops)}");
    }

    [Fact]
    public async Task An_alert_is_acknowledged_with_the_keyboard_alone_and_another_console_sees_it()
    {
        var id = await AlertAsync("ff-ack");
        await using var first = await ConsoleAsync();
        await using var second = await ConsoleAsync();
        var item = $"li[data-alert='{id}']";
        await first.ExpectContainsTextAsync(item, "Longest wait over target");
        await second.ExpectAttributeAsync(item, "data-state", "open");
        var openBefore = int.Parse((await first.TextAsync("#open-count"))!, CultureInfo.InvariantCulture);

        // Past the header to the alert's button, Enter opens the note, typing fills it, Tab and Enter send it.
        await SkipToAlertsAsync(first);
        await TabToAsync(first, $"{item} button.ack-open");
        await first.PressAsync(Key.Enter);
        await first.ExpectFocusedAsync($"{item} textarea");
        await first.TypeAsync("Two agents moved from b2c");
        await first.PressAsync(Key.Tab);
        await first.ExpectFocusedAsync($"{item} button[type=submit]");
        await first.PressAsync(Key.Enter);

        await first.ExpectAttributeAsync(item, "data-state", "acknowledged");
        await first.ExpectTextAsync($"{item} .note", "Two agents moved from b2c");
        Assert.Equal(0, await first.EvaluateAsync<int>($"document.querySelectorAll(\"li[data-state='open'][data-alert='{id}']\").length"));
        await first.ExpectTextAsync("#open-count", (openBefore - 1).ToString(CultureInfo.InvariantCulture));
        // The focus stays where the person was: on the alert just acknowledged.
        await first.ExpectFocusedAsync(item);
        var ring = await first.FocusRingAsync();
        Assert.True(ring.Shown, $"the acknowledged alert shows no focus ring: {ring.How}");

        // The other console, open all along, sees it without a reload.
        await second.ExpectAttributeAsync(item, "data-state", "acknowledged", timeoutMs: 3_000);
        await second.ExpectContainsTextAsync(item, "Acknowledged by anna-supervisor");
        await second.ExpectTextAsync($"{item} .note", "Two agents moved from b2c");
        await first.ScreenshotAsync("console-acknowledged");
        Assert.Empty(first.Errors);
        Assert.Empty(second.Errors);
    }

    [Fact]
    public async Task Escape_closes_the_note_and_gives_the_focus_back_to_its_button()
    {
        var id = await AlertAsync("ff-esc");
        await using var page = await ConsoleAsync();
        var item = $"li[data-alert='{id}']";
        await page.ExpectAttributeAsync(item, "data-state", "open");
        await SkipToAlertsAsync(page);
        await TabToAsync(page, $"{item} button.ack-open");
        await page.PressAsync(Key.Enter);
        await page.ExpectFocusedAsync($"{item} textarea");
        await page.ExpectAttributeAsync($"{item} button.ack-open", "aria-expanded", "true");
        await page.TypeAsync("not sent");
        await page.PressAsync(Key.Escape);
        await page.ExpectFocusedAsync($"{item} button.ack-open");
        Assert.Equal(0, await page.EvaluateAsync<int>($"document.querySelectorAll(\"{item} textarea\").length"));
        await page.ExpectAttributeAsync($"{item} button.ack-open", "aria-expanded", "false");
        await page.ExpectAttributeAsync(item, "data-state", "open");

        // An empty note is refused in words, and the focus goes back to the note.
        await page.PressAsync(Key.Enter);
        await page.ExpectFocusedAsync($"{item} textarea");
        await page.PressAsync(Key.Tab, Key.Enter);
        await page.ExpectTextAsync($"{item} .error", "Write a note: what is being done about it.");
        await page.ExpectFocusedAsync($"{item} textarea");
        // Cancel, reached with Tab, closes it as Escape does.
        await page.PressAsync(Key.Tab, Key.Tab, Key.Enter);
        await page.ExpectFocusedAsync($"{item} button.ack-open");

        // On from there: the history's filters, in reading order, each stop ringed; Enter on Show lists what they say.
        await TabToAsync(page, "#f-state");
        await page.TypeAsync("open");
        Assert.Equal("open", await page.EvaluateAsync<string>("document.getElementById('f-state').value"));
        await TabToAsync(page, "#history-form button[type=submit]");
        await page.EvaluateAsync<int>("document.querySelectorAll('#history-rows tr').forEach(r => r.dataset.before = 'yes')");
        await page.PressAsync(Key.Enter);
        await page.WaitForAsync($"!document.querySelector('#history-rows tr[data-before]') && document.querySelector(\"#history-rows tr[data-alert='{id}']\")",
            "the history listed again", "document.getElementById('history-rows').innerText");
        Assert.Equal(0, await page.EvaluateAsync<int>("[...document.querySelectorAll('#history-rows tr td:nth-child(6)')].filter(td => td.textContent !== 'open').length"));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_refused_key_says_so_and_a_good_one_is_typed_in_its_place()
    {
        await using var page = await ConsoleAsync("not_a_key_anyone_was_given_0000");
        await page.ExpectContainsTextAsync("#signin-message", "This key was refused (401): it is wrong or was revoked. Ask an admin for a new one.");
        await page.ExpectFocusedAsync("#signin-key");
        Assert.True(await page.EvaluateAsync<bool>("document.getElementById('signout').hidden"), "signed out, yet offered to sign out");
        await page.ScreenshotAsync("console-refused");

        await page.TypeAsync(web.SupervisorKey);
        await page.PressAsync(Key.Enter);
        await page.ExpectTextAsync("#who", "anna-supervisor (supervisor)");
        Assert.True(await page.EvaluateAsync<bool>(
            "document.getElementById('signin').hidden && !document.getElementById('main').hidden && !document.getElementById('signout').hidden"), "still on the sign-in form");
    }
}
