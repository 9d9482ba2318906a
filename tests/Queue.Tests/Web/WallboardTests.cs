using System.Net.Http.Json;
using Microsoft.Playwright;
using Queue.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Queue.Tests.Web;

/// <summary>SPEC §5: the wallboard in a real Chromium, against the service as a process: what a person sees on the TV.</summary>
[Collection(AloneCollection.Name)]
public sealed class WallboardTests(BrowserService web) : IClassFixture<BrowserService>
{
    static DateTimeOffset Now => DateTimeOffset.UtcNow;
    static string Id() => Guid.NewGuid().ToString("N")[..12];

    Task<IPage> OpenAsync(string queues, string? key = null) => OpenAsync(web, queues, key ?? web.WallboardKey);

    internal static async Task<IPage> OpenAsync(BrowserService web, string queues, string key)
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/wallboard?queues={queues}#key={key}");
        return page;
    }

    static ILocator Figure(IPage page, string queue, string figure) =>
        page.Locator($"[data-queue='{queue}'] [data-fig='{figure}']");

    [Fact]
    public async Task Shows_the_snapshot_within_two_seconds_of_load_and_keeps_the_key_out_of_the_address_bar()
    {
        await web.PostAsync(Ev.Queued(Id(), Now.AddSeconds(-5), "c-" + Id(), "load"), Ev.AgentStatus(Id(), Now.AddSeconds(-60), "op-" + Id(), "available"));
        var page = await OpenAsync("load");
        var waiting = Figure(page, "load", "waiting").Locator(".fig-value");
        await Expect(waiting).ToHaveTextAsync("1", new() { Timeout = 2_000 });
        Assert.DoesNotContain(web.WallboardKey, page.Url, StringComparison.Ordinal);
        Assert.Equal(web.WallboardKey, await page.EvaluateAsync<string>("localStorage.getItem('queue.wallboard.key')"));
        await Expect(page.Locator("#clock")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d\d:\d\d:\d\d$"));

        // Signed in across reloads, with nothing in the address bar.
        await page.GotoAsync("/wallboard?queues=load");
        await Expect(waiting).ToHaveTextAsync("1", new() { Timeout = 2_000 });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Shows_the_agents_the_queue_needs_against_those_it_has()
    {
        string a = "op-" + Id(), b = "op-" + Id(), call = "c-" + Id();
        await web.PostAsync(
            Ev.AgentStatus(Id(), Now.AddMinutes(-10), a, "available", "staff"),
            Ev.AgentStatus(Id(), Now.AddMinutes(-10), b, "busy", "staff"),
            Ev.Queued(Id(), Now.AddMinutes(-5), call, "staff"),
            Ev.Answered(Id(), Now.AddMinutes(-5).AddSeconds(20), call, b),
            Ev.Completed(Id(), Now.AddMinutes(-1), call, "resolved"));
        var page = await OpenAsync("staff");
        // In the agents box (no box of its own: a busy board must still fit the TV).
        var agents = Figure(page, "staff", "agents");
        var staffing = agents.Locator("[data-fig='staffing']");
        await Expect(staffing).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^needs [12], has 2 ✓ OK$"), new() { Timeout = 5_000 });
        await Expect(agents).ToHaveAttributeAsync("data-state", "ok");

        // A burst of long calls: the model asks for more agents than the two, said by a mark and a word, not by colour alone.
        var burst = Enumerable.Range(0, 20).SelectMany(i =>
        {
            var c = "c-" + Id();
            var at = Now.AddMinutes(-14.5 + 0.45 * i);
            return new[] { Ev.Queued(Id(), at, c, "staff"), Ev.Answered(Id(), at.AddSeconds(10), c, b), Ev.Completed(Id(), at.AddMinutes(5), c, "resolved") };
        });
        await web.PostAsync([.. burst]);
        await Expect(staffing).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^needs ([3-9]|\d\d), has 2 [▲◆] SHORT$"), new() { Timeout = 5_000 });
        await Expect(agents).ToHaveAttributeAsync("data-state", new System.Text.RegularExpressions.Regex("^(warning|breach)$"));
        await Expect(staffing.Locator(".mark")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_posted_event_changes_the_figure_without_a_reload()
    {
        var page = await OpenAsync("change");
        var waiting = Figure(page, "change", "waiting").Locator(".fig-value");
        await Expect(waiting).ToHaveTextAsync("0");
        await page.EvaluateAsync("window.notReloaded = true");

        var call = "c-" + Id();
        await web.PostAsync(Ev.Queued(Id(), Now, call, "change"));
        await Expect(waiting).ToHaveTextAsync("1", new() { Timeout = 2_000 });
        await Expect(Figure(page, "change", "longest").Locator(".fig-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^0:0\d$"));

        await web.PostAsync(Ev.Answered(Id(), Now, call, "op-" + Id()));
        await Expect(waiting).ToHaveTextAsync("0", new() { Timeout = 2_000 });
        var asa = Figure(page, "change", "asa").Locator(".fig-value");
        var asaShown = await asa.TextContentAsync();
        Assert.Matches(@"\d", asaShown);

        // Each push after the first carries what changed only: what did not change (the ASA) stays as it was.
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), "change"));
        await Expect(waiting).ToHaveTextAsync("1", new() { Timeout = 2_000 });
        await Expect(asa).ToHaveTextAsync(asaShown!);
        Assert.True(await page.EvaluateAsync<bool>("window.notReloaded === true"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_queue_past_its_target_turns_red_with_a_mark_and_shows_the_alert()
    {
        await web.SetWaitTargetAsync("late", 2);
        var page = await OpenAsync("late");
        await Expect(Figure(page, "late", "waiting").Locator(".fig-value")).ToHaveTextAsync("0");
        await web.PostAsync(Ev.Queued(Id(), Now, "c-" + Id(), "late"));

        var longest = Figure(page, "late", "longest");
        await Expect(longest).ToHaveAttributeAsync("data-state", "breach", new() { Timeout = 5_000 });
        await Expect(longest.Locator(".mark")).ToHaveTextAsync("▲ OVER");
        await Expect(page.Locator("[data-queue='late']")).ToHaveAttributeAsync("data-state", "breach");
        // Red is not the only sign: the mark says it, and the alert is listed in words.
        var alert = page.Locator(".alert").Filter(new() { HasText = "Longest wait over target" });
        await Expect(alert).ToBeVisibleAsync(new() { Timeout = 5_000 });
        // A new alert draws the eye: its tile flashes for a few seconds.
        await Expect(page.Locator("[data-queue='late']")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bflash\b"));
        await Expect(alert).ToContainTextAsync("late");
        await Expect(page.Locator("[data-queue='late'] .tile-alerts")).ToHaveTextAsync("▲ 1 alert");
        Assert.Equal("rgb(255, 77, 77)", await longest.Locator(".fig-value").EvaluateAsync<string>("e => getComputedStyle(e).color"));
        await BrowserService.ScreenshotAsync(page, "wallboard-breach");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_refused_key_shows_a_clear_message_not_a_blank_page()
    {
        var page = await OpenAsync("any", "not_a_key_anyone_was_given_0000");
        await Expect(page.Locator("#fatal")).ToContainTextAsync("This screen's key was refused (401). Ask an admin for a new wallboard link.");
        await BrowserService.ScreenshotAsync(page, "wallboard-refused");
        await page.Context.CloseAsync();

        page = await OpenAsync("any", web.IngestKey);
        await Expect(page.Locator("#fatal")).ToContainTextAsync("(403)");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_link_naming_something_that_is_not_a_queue_says_so()
    {
        var page = await OpenAsync("b2c,not%20a%20queue!");
        await Expect(page.Locator("#fatal")).ToContainTextAsync("'not a queue!' is not a queue name");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_pages_are_served_with_their_assets_and_no_outside_address()
    {
        var page = await web.NewPageAsync();
        var outside = new List<string>();
        page.Request += (_, r) => { if (!r.Url.StartsWith(web.Address.ToString(), StringComparison.Ordinal) && !r.Url.StartsWith("ws://" + web.Address.Authority, StringComparison.Ordinal)) outside.Add(r.Url); };
        var response = await page.GotoAsync($"/wallboard?queues=assets#key={web.WallboardKey}");
        Assert.Equal(200, response!.Status);
        Assert.Contains("default-src 'self'", (await response.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        await Expect(Figure(page, "assets", "waiting").Locator(".fig-value")).ToHaveTextAsync("0");
        Assert.Empty(outside);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_team_key_shows_its_queues_alone_and_says_plainly_when_a_link_names_another()
    {
        string a = "team-a-" + Id(), b = "team-b-" + Id(), other = "other-" + Id();
        using var admin = web.Admin();
        using var created = await admin.PostAsJsonAsync("/api/keys", new { name = "team tv", role = "wallboard", queues = new[] { a, b } });
        created.EnsureSuccessStatusCode();
        var key = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("key").GetString()!;
        await web.PostAsync(Ev.Queued(Id(), Now.AddSeconds(-5), "c-" + Id(), a), Ev.Queued(Id(), Now.AddSeconds(-5), "c-" + Id(), b),
            Ev.Queued(Id(), Now.AddSeconds(-5), "c-" + Id(), other));

        // No queues named: the board shows the team's queues, and no tile of another.
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/wallboard#key={key}");
        await Expect(Figure(page, a, "waiting").Locator(".fig-value")).ToHaveTextAsync("1", new() { Timeout = 5_000 });
        await Expect(Figure(page, b, "waiting").Locator(".fig-value")).ToHaveTextAsync("1");
        Assert.Equal(0, await page.Locator("[data-queue]").Filter(new() { HasNotText = "team-" }).CountAsync());
        Assert.DoesNotContain(other, await page.ContentAsync(), StringComparison.Ordinal);

        // A link naming a queue outside the team: said on screen, not an empty board.
        await page.GotoAsync($"/wallboard?queues={a},{other}");
        await Expect(page.Locator("#fatal")).ToContainTextAsync($"no queue '{other}'", new() { Timeout = 5_000 });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task With_agents_1_a_tile_says_who_is_on_break_why_and_for_how_long_live_and_keeps_its_size()
    {
        string q = "breaks-" + Id(), a = "op-" + Id();
        var others = Enumerable.Range(0, 4).Select(i => $"agent-with-a-long-name-{i}-{Id()}").ToList();
        await web.PostAsync([Ev.AgentStatus(Id(), Now.AddMinutes(-10), a, "available", q),
            .. others.Select(o => Ev.AgentStatus(Id(), Now.AddMinutes(-10), o, "available", q))]);
        var page = await web.NewPageAsync();
        await page.GotoAsync($"/wallboard?queues={q}&agents=1#key={web.WallboardKey}");
        var breaks = page.Locator($"[data-queue='{q}'] [data-fig='breaks']");
        await Expect(breaks).ToHaveTextAsync("no one on break", new() { Timeout = 5_000 });
        await page.EvaluateAsync("window.notReloaded = true");

        // Gone to lunch three minutes ago: named with the reason and the time, ticking.
        await web.PostAsync(Ev.AgentStatus(Id(), Now.AddMinutes(-3), a, "break", q).Because("lunch"));
        var onBreak = breaks.Locator($"[data-agent='{a}']");
        await Expect(onBreak).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($@"^{a} lunch 3:0\d$"), new() { Timeout = 5_000 });

        // Many on break, with long names and reasons: two named, the rest counted, nothing cut off.
        await web.PostAsync([.. others.Select(o => Ev.AgentStatus(Id(), Now.AddMinutes(-1), o, "break", q).Because("a-very-long-pause-reason-code"))]);
        await Expect(breaks).ToContainTextAsync("+3 more", new() { Timeout = 5_000 });
        Assert.True(await breaks.EvaluateAsync<bool>("b => b.scrollHeight <= b.clientHeight + 1 && b.scrollWidth <= b.clientWidth + 1"),
            "the break line overflows its box");

        // Back from lunch: no longer named, without a reload.
        await web.PostAsync(Ev.AgentStatus(Id(), Now, a, "available", q));
        await Expect(onBreak).ToHaveCountAsync(0, new() { Timeout = 5_000 });
        Assert.True(await page.EvaluateAsync<bool>("window.notReloaded === true"));

        // Not asked for: no break line.
        await page.GotoAsync($"/wallboard?queues={q}");
        await Expect(Figure(page, q, "waiting")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("[data-fig='breaks']").CountAsync());
        await page.Context.CloseAsync();
    }
}
