using System.Net.Http.Json;
using System.Text.Json;
using Queue.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Queue.Tests.Web;

/// <summary>SPEC §5: the wallboard says plainly when its connection is lost and when it is back, with fresh figures.</summary>
[Collection(AloneCollection.Name)]
public sealed class ReconnectTests(BrowserService web) : IClassFixture<BrowserService>
{
    [Fact]
    public async Task Stopping_the_service_shows_the_lost_banner_and_starting_it_again_shows_it_back_with_fresh_figures()
    {
        var page = await WallboardTests.OpenAsync(web, "back", web.WallboardKey);
        var waiting = page.Locator("[data-queue='back'] [data-fig='waiting'] .fig-value");
        await Expect(waiting).ToHaveTextAsync("0");

        await web.StopAsync();
        var banner = page.Locator("#banner");
        await Expect(banner).ToContainTextAsync("Reconnecting… last update", new() { Timeout = 20_000 });
        await Expect(banner).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"last update \d+ s ago"));
        await BrowserService.ScreenshotAsync(page, "wallboard-reconnecting");

        // What happened while it was away is shown once it is back: the re-joined snapshots, not a push.
        await web.StartAgainAsync();
        var at = DateTimeOffset.UtcNow;
        await web.PostAsync(Ev.Queued("back-" + Guid.NewGuid().ToString("N"), at, "c-back-1", "back"), Ev.Queued("back-" + Guid.NewGuid().ToString("N"), at, "c-back-2", "back"));
        await Expect(banner).ToHaveTextAsync("Connection restored", new() { Timeout = 20_000 });
        await Expect(waiting).ToHaveTextAsync("2", new() { Timeout = 5_000 });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_key_revoked_while_the_screen_was_away_is_said_to_be_refused_not_reconnected_for_ever()
    {
        var key = await web.Service.CreateKeyAsync("tv-revoked", "wallboard", CancellationToken.None);
        var page = await WallboardTests.OpenAsync(web, "revoked", key);
        await Expect(page.Locator("[data-queue='revoked'] [data-fig='waiting'] .fig-value")).ToHaveTextAsync("0");

        using (var admin = web.Admin())
        {
            var keys = await admin.GetFromJsonAsync<JsonElement>("/api/keys");
            var id = keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "tv-revoked").GetProperty("id").GetString();
            using var revoked = await admin.DeleteAsync($"/api/keys/{id}");
            Assert.True(revoked.IsSuccessStatusCode);
        }
        // The open connection outlives the revocation; a restart ends it, and the key is refused on the way back.
        await web.StopAsync();
        await web.StartAgainAsync();
        await Expect(page.Locator("#fatal")).ToContainTextAsync("This screen's key was refused (401)", new() { Timeout = 30_000 });
        await page.Context.CloseAsync();
    }
}
