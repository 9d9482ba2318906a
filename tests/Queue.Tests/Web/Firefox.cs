using System.Collections.Concurrent;
using System.Diagnostics;
using WebDriverBiDi;
using WebDriverBiDi.BrowsingContext;
using WebDriverBiDi.Log;
using WebDriverBiDi.Session;

namespace Queue.Tests.Web;

/// <summary>
/// Debian's firefox-esr, headless, in a profile of its own, driven over WebDriver BiDi on a loopback port it picks
/// itself. Nothing is downloaded. Disposing it closes the browser, and kills it if it does not go.
/// </summary>
public sealed class Firefox : IAsyncDisposable
{
    public const string Executable = "/usr/bin/firefox-esr";

    // On top of the prefs Firefox's remote agent sets for automation: no first-run pages, no traffic but to loopback.
    const string Prefs = """
        user_pref("browser.shell.checkDefaultBrowser", false);
        user_pref("browser.startup.page", 0);
        user_pref("browser.startup.homepage", "about:blank");
        user_pref("browser.newtabpage.enabled", false);
        user_pref("browser.aboutwelcome.enabled", false);
        user_pref("datareporting.policy.dataSubmissionEnabled", false);
        user_pref("datareporting.healthreport.uploadEnabled", false);
        user_pref("toolkit.telemetry.enabled", false);
        user_pref("app.update.auto", false);
        user_pref("app.normandy.enabled", false);
        user_pref("extensions.update.enabled", false);
        user_pref("services.settings.server", "http://127.0.0.1:9/v1");
        user_pref("network.dns.disablePrefetch", true);
        user_pref("network.prefetch-next", false);
        user_pref("network.http.speculative-parallel-limit", 0);
        user_pref("network.captive-portal-service.enabled", false);
        user_pref("network.connectivity-service.enabled", false);
        """;

    const string Watchdog = """
        "$0" "$@" & firefox=$!
        cat > /dev/null
        kill "$firefox" 2>/dev/null
        wait "$firefox"
        """;

    readonly Process process;
    readonly string profile;
    readonly ConcurrentDictionary<string, ConcurrentQueue<string>> errors = new();
    string? active;

    Firefox(Process process, string profile, BiDiDriver driver)
    {
        this.process = process;
        this.profile = profile;
        Driver = driver;
    }

    internal BiDiDriver Driver { get; }

    public static async Task<Firefox> LaunchAsync()
    {
        if (!File.Exists(Executable)) throw new FileNotFoundException($"{Executable} is not installed (ops/test installs firefox-esr)", Executable);
        var profile = Directory.CreateTempSubdirectory("queue-firefox-").FullName;
        await File.WriteAllTextAsync(Path.Combine(profile, "user.js"), Prefs);
        // Started by a shell that holds our end of a pipe: when this process goes, however it goes (a test host killed
        // by a timeout too), the pipe closes and the shell stops Firefox.
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { "-c", Watchdog, Executable, "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0", "about:blank" })
            start.ArgumentList.Add(arg);
        start.Environment["MOZ_CRASHREPORTER_DISABLE"] = "1";
        start.Environment["MOZ_HEADLESS_WIDTH"] = "1920";
        start.Environment["MOZ_HEADLESS_HEIGHT"] = "1080";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start");
        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Line(string? line)
        {
            if (line is null) return;
            output.Enqueue(line);
            while (output.Count > 200) output.TryDequeue(out _);
            // "WebDriver BiDi listening on ws://127.0.0.1:40123"
            var at = line.IndexOf("WebDriver BiDi listening on ws://", StringComparison.Ordinal);
            if (at >= 0) listening.TrySetResult(line[(at + "WebDriver BiDi listening on ".Length)..].Trim());
        }
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        BiDiDriver? driver = null;
        try
        {
            var endpoint = await listening.Task.WaitAsync(TimeSpan.FromSeconds(90));
            driver = new BiDiDriver(TimeSpan.FromSeconds(30));
            await driver.StartAsync(endpoint + "/session");
            // Firefox answers once its first window is up: seconds, or a minute on a machine busy with other work.
            await driver.Session.NewSessionAsync(new NewCommandParameters(), TimeSpan.FromSeconds(90));
            var firefox = new Firefox(process, profile, driver);
            driver.Log.OnEntryAdded.AddObserver(firefox.Logged);
            await driver.Session.SubscribeAsync(new SubscribeCommandParameters(["log.entryAdded"]));
            return firefox;
        }
        catch (Exception e) when (e is TimeoutException or WebDriverBiDiException)
        {
            if (driver is not null) await driver.DisposeAsync();
            Kill(process);
            process.Dispose();
            Directory.Delete(profile, recursive: true);
            throw new InvalidOperationException($"Firefox did not start for automation: {e.Message}\n{string.Join('\n', output)}", e);
        }
    }

    void Logged(EntryAddedEventArgs entry)
    {
        if (entry.Level != LogLevel.Error || entry.Source.BrowsingContextId is not { } context) return;
        errors.GetOrAdd(context, _ => new()).Enqueue(entry.Text ?? "(no text)");
    }

    /// <summary>Errors the page's scripts wrote to the console, or threw and nobody caught.</summary>
    internal IReadOnlyCollection<string> ErrorsOf(string context) => errors.TryGetValue(context, out var list) ? list : [];

    /// <summary>
    /// Brings a tab to the front, as a person clicks on it before typing: keys go to the page in front, and a tab left
    /// behind shows no focus ring.
    /// </summary>
    internal async Task ActivateAsync(string context)
    {
        if (active == context) return;
        await Driver.BrowsingContext.ActivateAsync(new ActivateCommandParameters(context));
        active = context;
    }

    /// <summary>A fresh profile (its own localStorage) in a tab showing a 1920×1080 screen of the service at <paramref name="address"/>.</summary>
    public async Task<FirefoxPage> NewPageAsync(Uri address)
    {
        var user = await Driver.Browser.CreateUserContextAsync(new());
        var tab = await Driver.BrowsingContext.CreateAsync(new CreateCommandParameters(CreateType.Tab) { UserContextId = user.UserContextId });
        await Driver.BrowsingContext.SetViewportAsync(new SetViewportCommandParameters
        {
            BrowsingContextId = tab.BrowsingContextId,
            Viewport = new Viewport { Width = 1920, Height = 1080 },
        });
        active = tab.BrowsingContextId; // a new tab opens in front
        return new FirefoxPage(this, user.UserContextId, tab.BrowsingContextId, address);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await Driver.Browser.CloseAsync(new(), TimeSpan.FromSeconds(10), closing.Token);
        }
        catch (Exception e) when (e is WebDriverBiDiException or OperationCanceledException)
        {
            // killed below
        }
        await Driver.DisposeAsync();
        process.StandardInput.Close();
        using (var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await process.WaitForExitAsync(exited.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
            }
        }
        process.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by a child going away; the temp directory is cleaned up elsewhere
        }
    }

    static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // gone already
        }
    }
}
