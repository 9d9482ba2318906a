namespace Queue.Tests.Web;

/// <summary>The service as a process, and Debian's firefox-esr, headless, driven over WebDriver BiDi.</summary>
public sealed class FirefoxService : WebService
{
    Firefox? firefox;

    protected override async Task LaunchBrowserAsync() => firefox = await Firefox.LaunchAsync();

    /// <summary>A fresh browser profile (its own localStorage) showing a 1080p screen.</summary>
    public Task<FirefoxPage> NewPageAsync() => firefox!.NewPageAsync(Address);

    protected override async ValueTask CloseBrowserAsync()
    {
        if (firefox is not null) await firefox.DisposeAsync();
    }
}
