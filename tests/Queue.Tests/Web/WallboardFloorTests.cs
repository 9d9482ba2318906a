using System.Text.Json;
using Microsoft.Playwright;
using Queue.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Queue.Tests.Web;

/// <summary>
/// SPEC §10, a floor of any size: the wallboard in Chromium with 1 to 60 queues, at 1920×1080 and 3840×2160. No
/// figure is cut off; what does not fit at a readable size is shown a page at a time, saying which page; breaches come
/// first; the alert strip stays. One floor of sixty queues serves every test (<see cref="Floor"/>).
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class WallboardFloorTests(BrowserService web) : IClassFixture<BrowserService>
{
    async Task<IPage> OpenAsync(string query, int width = 1920, int height = 1080)
    {
        await Floor.SeedAsync(web);
        var page = await web.NewPageAsync(width, height);
        await page.GotoAsync($"/wallboard?{query}#key={web.WallboardKey}");
        // The snapshots in: a figure drawn, not the dash of a queue not heard of yet.
        await Expect(page.Locator("#tiles [data-fig='waiting'] .fig-value").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+$"));
        return page;
    }

    static Func<string, Task<JsonElement>> On(IPage page) => script => page.EvaluateAsync<JsonElement>(script);

    // A page's scripts may not evaluate strings (its CSP): poll from here instead of WaitForFunction.
    static async Task UntilAsync(IPage page, string condition, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await page.EvaluateAsync<bool>(condition))
        {
            Assert.True(DateTime.UtcNow < until, $"not within {timeoutMs} ms: {condition}");
            await Task.Delay(100);
        }
    }

    static int[] Breaching(int count) => [.. Enumerable.Range(1, count).Where(Floor.InBreach)];

    [Theory]
    [InlineData(1920, 1080, 1)]
    [InlineData(1920, 1080, 4)]
    [InlineData(1920, 1080, 20)]
    [InlineData(1920, 1080, 60)]
    [InlineData(3840, 2160, 1)]
    [InlineData(3840, 2160, 4)]
    [InlineData(3840, 2160, 20)]
    [InlineData(3840, 2160, 60)]
    public async Task No_figure_is_cut_off_and_every_queue_is_on_some_page_at_a_readable_size(int width, int height, int count)
    {
        var page = await OpenAsync($"queues={Floor.Names(count)}&page-seconds=1", width, height);
        var pages = await Floor.EveryPageAsync(On(page));
        Assert.Equal(Enumerable.Range(1, count).Select(Floor.Name).Order(), pages.SelectMany(p => p.Seen).Order());
        Assert.Equal(count, pages.Sum(p => p.Queues.Length));
        foreach (var p in pages) Assert.True(p.Unit >= p.Readable - 0.1, $"page {p.Page}: text at {p.Unit} px, under the readable {p.Readable:0.0} px");
        if (count <= 4) Assert.Single(pages);
        // Those in breach first: page 1 is theirs when they fill it, else they are all on it. The thirty-queue test below
        // puts a caller past the target in floor-30 on the same service, so floor-30 may be in breach too by now.
        var first = pages[0].Queues;
        var breaching = Breaching(count).Select(Floor.Name).ToList();
        if (breaching.Count >= first.Length)
            Assert.All(first, q => Assert.Contains(q, count >= 30 ? [.. breaching, Floor.Name(30)] : breaching));
        else
            foreach (var q in breaching) Assert.Contains(q, first);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Thirty_queues_page_by_the_timer_breaches_first_and_a_queue_moving_into_breach_comes_to_the_front_live()
    {
        var page = await OpenAsync($"queues={Floor.Names(30)}&page-seconds=1");
        await page.EvaluateAsync("window.notReloaded = true");
        var pages = await Floor.EveryPageAsync(On(page));
        Assert.True(pages.Length > 1, "thirty queues on one 1080p page");
        Assert.Equal(Enumerable.Range(1, 30).Select(Floor.Name).Order(), pages.SelectMany(p => p.Seen).Order());
        Assert.Equal([.. Breaching(30).Select(Floor.Name)], pages[0].Queues[..Breaching(30).Length]);
        await Expect(page.Locator("#page")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex($@"^page [1-{pages.Length}] of {pages.Length}$"));

        // floor-30, on the last page, gets a caller waiting past the target: it comes to page 1, with no reload.
        await web.PostAsync(Ev.Queued("floor-late-30", DateTimeOffset.UtcNow.AddMinutes(-2), "floor-30-late", Floor.Name(30)));
        await Expect(page.Locator("#tiles[data-page='1'] [data-queue='floor-30']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        Assert.True(await page.EvaluateAsync<bool>("window.notReloaded === true"), "the wallboard reloaded");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(30)]
    [InlineData(60)]
    public async Task The_table_shows_one_row_per_queue_with_nothing_cut_off(int count)
    {
        var page = await OpenAsync($"queues={Floor.Names(count)}&layout=table&page-seconds=1");
        var pages = await Floor.EveryPageAsync(On(page));
        var rows = pages.SelectMany(p => p.Queues).ToArray();
        Assert.Equal(Enumerable.Range(1, count).Select(Floor.Name).Order(), rows.Order());
        Assert.Equal(Enumerable.Range(1, count).Select(Floor.Name).Order(), pages.SelectMany(p => p.Seen).Order());
        foreach (var p in pages) Assert.True(p.Unit >= p.Readable - 0.1, $"page {p.Page}: text at {p.Unit} px, under the readable {p.Readable:0.0} px");
        Assert.Equal(1, await page.Locator("#tiles table").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_link_with_options_the_board_cannot_take_says_so_and_shows_the_board()
    {
        var page = await OpenAsync($"queues={Floor.Names(2)}&page-seconds=soon&layout=grid&agents=yes");
        await Expect(page.Locator("#notice")).ToHaveTextAsync(
            "page-seconds=soon is not a whole number of seconds from 1 to 3600: pages turn every 15 s · layout=grid is not tiles or table: showing tiles · agents=yes is not 1 or 0: not showing who is on break");
        await Expect(page.Locator("#tiles .tile")).ToHaveCountAsync(2);
        Assert.Empty((await Floor.EveryPageAsync(On(page))).SelectMany(p => p.Problems));
        await page.Context.CloseAsync();

        page = await OpenAsync($"queues={Floor.Names(2)}&page-seconds=0");
        await Expect(page.Locator("#notice")).ToContainTextAsync("page-seconds=0 is not a whole number of seconds from 1 to 3600");
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("tiles")]
    [InlineData("table")]
    public async Task A_long_queue_name_gives_way_and_cuts_no_figure_off(string layout)
    {
        var name = "a-queue-with-a-name-as-long-as-a-queue-name-may-be." + new string('x', 49);
        var page = await OpenAsync($"queues={name},{Floor.Names(5)}&layout={layout}");
        var look = (await Floor.EveryPageAsync(On(page))).Single();
        Assert.Empty(look.Problems);
        Assert.Contains(name, look.Seen);
        Assert.True(look.Unit >= look.Readable - 0.1, $"text at {look.Unit} px for {look.Natural}");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Sixty_queues_in_pictures_a_page_of_tiles_and_the_table()
    {
        foreach (var (query, name) in new[] { ("page-seconds=3600", "wallboard-60"), ("layout=table&page-seconds=3600", "wallboard-60-table") })
        {
            var page = await OpenAsync($"queues={Floor.Names(60)}&{query}");
            await Expect(page.Locator(".alert").First).ToBeVisibleAsync();
            await UntilAsync(page, "document.getAnimations().length === 0");
            var look = (await On(page)(Floor.Check)).Deserialize<Floor.Look>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            Assert.Empty(look.Problems);
            Assert.True(look.Pages > 1);
            await ScreenshotTests.Keep(await BrowserService.ScreenshotAsync(page, name), name + ".png");
            await page.Context.CloseAsync();
        }
    }
}
