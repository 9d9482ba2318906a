using Queue.Tests.Infrastructure;

namespace Queue.Tests.Web;

/// <summary>SPEC §5: the supervisor console in Firefox (Debian's firefox-esr), used with the keyboard alone.</summary>
[Collection(AloneCollection.Name)]
public sealed class ConsoleFirefoxTests(FirefoxService web) : IClassFixture<FirefoxService>
{
    static DateTimeOffset Now => DateTimeOffset.UtcNow;
    static string Id() => Guid.NewGuid().ToString("N")[..12];

    async Task<FirefoxPage> OpenAsync(string? key = null)
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/console#key={key ?? web.SupervisorKey}");
        return page;
    }

    async Task<long> AlertAsync(string queue)
    {
        await web.SetWaitTargetAsync(queue, 1);
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), queue));
        return await web.WaitForAlertAsync("queue.wait", queue);
    }

    // Which part of the console the focus is in, in the order they are read: the header, the open alerts, the drill-down
    // and the history.
    const string Region =
        "(e => e.closest('header') ? 0 : e.closest('.open-alerts') ? 1 : e.closest('.drill') ? 2 : e.closest('.history') ? 3 : 9)(document.activeElement)";

    /// <summary>Presses Tab until <paramref name="selector"/> has the focus; every stop on the way shows its focus, in reading order.</summary>
    static async Task<List<string>> TabToAsync(FirefoxPage page, string selector, int most = 60)
    {
        var stops = new List<string>();
        var region = 0;
        for (var i = 0; i < most; i++)
        {
            await page.PressAsync(Key.Tab);
            var focused = await page.EvaluateAsync<string>(FirefoxPage.Focused) ?? "";
            stops.Add(focused);
            if (focused.StartsWith("body", StringComparison.Ordinal)) continue;
            if (!await page.EvaluateAsync<bool>(WallboardFirefoxTests.FocusRing))
                Assert.Fail($"{focused} has the focus but shows no focus ring ({await page.EvaluateAsync<string>(WallboardFirefoxTests.Outline)}); stops: {string.Join(" → ", stops)}");
            var now = await page.EvaluateAsync<int>(Region);
            Assert.True(now >= region && now != 9, $"the tab order goes back up the page at {focused}: {string.Join(" → ", stops)}");
            region = now;
            if (await page.EvaluateAsync<bool>($"document.activeElement.matches(\"{selector}\")")) return stops;
        }
        Assert.Fail($"{most} presses of Tab did not reach {selector}: {string.Join(" → ", stops)}");
        return stops;
    }

    [Fact]
    public async Task An_alert_is_acknowledged_with_the_keyboard_alone_and_another_console_sees_it()
    {
        var id = await AlertAsync("ff-ack");
        await using var first = await OpenAsync();
        await using var second = await OpenAsync();
        var item = $"li[data-alert='{id}']";
        await first.ExpectContainsTextAsync(item, "Longest wait over target");
        await second.ExpectAttributeAsync(item, "data-state", "open");
        var openBefore = int.Parse((await first.TextAsync("#open-count"))!, System.Globalization.CultureInfo.InvariantCulture);

        // Tab through the header to the alert's button, Enter opens the note, typing fills it, Tab and Enter send it.
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
        await first.ExpectTextAsync("#open-count", (openBefore - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The focus stays where the person was: on the alert just acknowledged.
        await first.ExpectFocusedAsync(item);
        Assert.True(await first.EvaluateAsync<bool>(WallboardFirefoxTests.FocusRing), $"the acknowledged alert shows no focus ring: {await first.EvaluateAsync<string>(WallboardFirefoxTests.Outline)}");

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
        await using var page = await OpenAsync();
        var item = $"li[data-alert='{id}']";
        await page.ExpectAttributeAsync(item, "data-state", "open");
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
        await TabToAsync(page, "#history-form button[type=submit]");
        await page.PressAsync(Key.Enter);
        await page.ExpectAttributeAsync($"#history-rows tr[data-alert='{id}']", "data-alert", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, await page.EvaluateAsync<int>("[...document.querySelectorAll('#history-rows tr td:nth-child(6)')].filter(td => td.textContent !== 'open').length"));
        Assert.Empty(page.Errors);
    }

    [Fact]
    public async Task A_refused_key_says_so_and_a_good_one_is_typed_in_its_place()
    {
        await using var page = await OpenAsync("not_a_key_anyone_was_given_0000");
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
