using Microsoft.Playwright;

namespace Queue.Tests.Web;

/// <summary>The service as a process, and Debian's Chromium, headless, driven by Playwright.</summary>
public sealed class BrowserService : WebService
{
    public const string Chromium = "/usr/bin/chromium";
    IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    protected override async Task LaunchBrowserAsync()
    {
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    /// <summary>A fresh browser profile (its own localStorage) showing a 1080p screen, or a screen of the size given.</summary>
    public async Task<IPage> NewPageAsync(int width = 1920, int height = 1080)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, BaseURL = Address.ToString() });
        context.SetDefaultTimeout(10_000);
        return await context.NewPageAsync();
    }

    /// <summary>Keeps a picture of the page (at its screen's size) under artifacts/screenshots.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = ScreenshotPath(name);
        await page.ScreenshotAsync(new() { Path = path });
        return path;
    }

    protected override async ValueTask CloseBrowserAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
    }
}
