using Queue.Tests.Infrastructure;

namespace Queue.Tests.Web;

/// <summary>SPEC §5: the wallboard in Firefox (Debian's firefox-esr), as in Chromium: what a person sees on the TV.</summary>
[Collection(AloneCollection.Name)]
public sealed class WallboardFirefoxTests(FirefoxService web) : IClassFixture<FirefoxService>
{
    static DateTimeOffset Now => DateTimeOffset.UtcNow;
    static string Id() => Guid.NewGuid().ToString("N")[..12];

    async Task<FirefoxPage> OpenAsync(string queues, string? key = null)
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/wallboard?queues={queues}#key={key ?? web.WallboardKey}");
        return page;
    }

    static string Value(string queue, string figure) => $"[data-queue='{queue}'] [data-fig='{figure}'] .fig-value";

    [Fact]
    public async Task Shows_the_snapshot_within_two_seconds_of_load_and_a_posted_event_changes_it_without_a_reload()
    {
        var call = "c-" + Id();
        await web.PostAsync(Ev.Queued(Id(), Now.AddSeconds(-5), call, "ff-live"), Ev.AgentStatus(Id(), Now.AddSeconds(-60), "op-" + Id(), "available"));
        // A TV connects to a service that has been running: a first screen takes the service's first requests (compiled
        // as they come), then the one timed is a screen switched on.
        await using (var first = await OpenAsync("ff-warm"))
            await first.ExpectTextAsync(Value("ff-warm", "waiting"), "0");
        await using var page = await OpenAsync("ff-live");
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
        await using var page = await OpenAsync("ff-late");
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
        await using var page = await OpenAsync("any", "not_a_key_anyone_was_given_0000");
        await page.ExpectContainsTextAsync("#fatal", "This screen's key was refused (401). Ask an admin for a new wallboard link.");
        await page.ScreenshotAsync("wallboard-refused");
    }

    [Fact]
    public async Task The_sound_switch_is_reached_with_tab_shows_its_focus_and_works_with_the_keyboard()
    {
        await using var page = await OpenAsync("ff-keys");
        await page.ExpectTextAsync(Value("ff-keys", "waiting"), "0");
        // The only control on the TV is the first stop of the tab order.
        await page.PressAsync(Key.Tab);
        await page.ExpectFocusedAsync("#sound");
        Assert.True(await page.EvaluateAsync<bool>(FocusRing), "the focused sound switch shows no focus ring");
        await page.PressAsync(Key.Enter);
        await page.ExpectAttributeAsync("#sound", "aria-pressed", "true");
        await page.PressAsync(Key.Space);
        await page.ExpectAttributeAsync("#sound", "aria-pressed", "false");
        await page.ExpectTextAsync("#sound", "Sound off");
        Assert.Empty(page.Errors);
    }

    /// <summary>The focused element is drawn with an outline a person can see (at least 2 px, not transparent).</summary>
    internal const string FocusRing =
        "(s => document.activeElement.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && s.outlineColor !== 'transparent')(getComputedStyle(document.activeElement))";

    internal const string Outline =
        "(s => `:focus-visible ${document.activeElement.matches(':focus-visible')}, document focused ${document.hasFocus()}, outline ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`)(getComputedStyle(document.activeElement))";
}
