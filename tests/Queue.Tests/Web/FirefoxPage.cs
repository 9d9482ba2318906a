using System.Text.Json;
using WebDriverBiDi.BrowsingContext;
using WebDriverBiDi.Input;
using WebDriverBiDi.Script;

namespace Queue.Tests.Web;

/// <summary>
/// A tab of <see cref="Firefox"/> in a profile of its own. What a test reads from it, it reads as a person would see it
/// (the text of an element, the element that has the focus), and waits for, as a screen changes by itself.
/// </summary>
public sealed class FirefoxPage : IAsyncDisposable
{
    readonly Firefox firefox;
    readonly string user;
    readonly Uri address;

    internal FirefoxPage(Firefox firefox, string user, string context, Uri address)
    {
        this.firefox = firefox;
        this.user = user;
        this.address = address;
        Context = context;
    }

    public string Context { get; }

    /// <summary>Errors the page's scripts wrote to the console, or threw and nobody caught.</summary>
    public IReadOnlyCollection<string> Errors => firefox.ErrorsOf(Context);

    /// <summary>Opens a path of the service and returns once the page has loaded (its scripts run).</summary>
    public async Task GotoAsync(string path)
    {
        await firefox.Driver.BrowsingContext.NavigateAsync(new NavigateCommandParameters(Context, new Uri(address, path).ToString()) { Wait = ReadinessState.Complete });
    }

    /// <summary>A script expression's value, through JSON.</summary>
    public async Task<T?> EvaluateAsync<T>(string expression)
    {
        var result = await firefox.Driver.Script.EvaluateAsync(new EvaluateCommandParameters($"JSON.stringify({expression})", new ContextTarget(Context), true));
        return result switch
        {
            EvaluateResultSuccess { Result: StringRemoteValue json } => JsonSerializer.Deserialize<T>(json.Value),
            EvaluateResultSuccess => default,
            EvaluateResultException e => throw new InvalidOperationException($"{expression} threw in Firefox: {e.ExceptionDetails.Text}"),
            _ => throw new InvalidOperationException($"{expression}: {result.ResultType}"),
        };
    }

    /// <summary>Waits until <paramref name="condition"/> (a script expression) is true; fails saying what was expected and what <paramref name="seen"/> shows.</summary>
    public async Task WaitForAsync(string condition, string what, string seen = "document.body.innerText", int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            if (await EvaluateAsync<bool>($"!!({condition})")) return;
            if (DateTime.UtcNow > until) break;
            await Task.Delay(50);
        }
        Assert.Fail($"Firefox: {what} did not happen within {timeoutMs} ms; the page shows: {await EvaluateAsync<JsonElement>(seen)}");
    }

    /// <summary>The trimmed text of the first element matching a CSS selector, or null when there is none.</summary>
    public Task<string?> TextAsync(string selector) =>
        EvaluateAsync<string>($"document.querySelector({Js(selector)})?.textContent.trim() ?? null");

    public Task ExpectTextAsync(string selector, string text, int timeoutMs = 10_000) =>
        WaitForAsync($"document.querySelector({Js(selector)})?.textContent.trim() === {Js(text)}",
            $"'{selector}' showing '{text}'", $"document.querySelector({Js(selector)})?.textContent.trim() ?? '(no such element)'", timeoutMs);

    public Task ExpectContainsTextAsync(string selector, string text, int timeoutMs = 10_000) =>
        WaitForAsync($"document.querySelector({Js(selector)})?.textContent.includes({Js(text)})",
            $"'{selector}' containing '{text}'", $"document.querySelector({Js(selector)})?.textContent.trim() ?? '(no such element)'", timeoutMs);

    public Task ExpectAttributeAsync(string selector, string attribute, string value, int timeoutMs = 10_000) =>
        WaitForAsync($"document.querySelector({Js(selector)})?.getAttribute({Js(attribute)}) === {Js(value)}",
            $"'{selector}' with {attribute}='{value}'", $"document.querySelector({Js(selector)})?.outerHTML.slice(0, 300) ?? '(no such element)'", timeoutMs);

    /// <summary>Waits until the element matching <paramref name="selector"/> has the keyboard focus.</summary>
    public Task ExpectFocusedAsync(string selector, int timeoutMs = 5_000) =>
        WaitForAsync($"document.activeElement?.matches({Js(selector)})", $"the focus on '{selector}'", Focused, timeoutMs);

    /// <summary>The focused element as a person would name it: its tag, its text or label, its id.</summary>
    public const string Focused =
        "(e => e ? `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} '${(e.getAttribute('aria-label') ?? e.textContent ?? '').trim().slice(0, 60)}'` : 'nothing')(document.activeElement)";

    /// <summary>Whether the focused element is drawn with a ring a person can see (at least 2 px, not transparent), and how.</summary>
    public async Task<(bool Shown, string How)> FocusRingAsync()
    {
        var ring = await EvaluateAsync<JsonElement>("""
            (e => (s => [e.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && s.outlineColor !== 'transparent',
                `:focus-visible ${e.matches(':focus-visible')}, outline ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`])(getComputedStyle(e)))(document.activeElement)
            """);
        return (ring[0].GetBoolean(), ring[1].GetString() ?? "");
    }

    /// <summary>Presses keys one after another, as on a keyboard (see <see cref="Key"/> for Tab, Enter, Escape).</summary>
    public Task PressAsync(params string[] keys) => PerformAsync(keys.SelectMany(k => new IKeySourceAction[] { new KeyDownAction(k), new KeyUpAction(k) }));

    /// <summary>Shift+Tab and the like.</summary>
    public Task PressWithShiftAsync(string key) =>
        PerformAsync([new KeyDownAction(Key.Shift), new KeyDownAction(key), new KeyUpAction(key), new KeyUpAction(Key.Shift)]);

    /// <summary>Types text into whatever has the focus, a key at a time.</summary>
    public Task TypeAsync(string text) =>
        PerformAsync(text.EnumerateRunes().SelectMany(r => new IKeySourceAction[] { new KeyDownAction(r.ToString()), new KeyUpAction(r.ToString()) }));

    async Task PerformAsync(IEnumerable<IKeySourceAction> actions)
    {
        await firefox.ActivateAsync(Context);
        var keyboard = new KeySourceActions("keyboard");
        foreach (var action in actions) keyboard.Actions.Add(action);
        var command = new PerformActionsCommandParameters(Context);
        command.Actions.Add(keyboard);
        await firefox.Driver.Input.PerformActionsAsync(command);
    }

    /// <summary>Keeps a 1920×1080 picture of the page under artifacts/screenshots as firefox-{name}.png.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var shot = await firefox.Driver.BrowsingContext.CaptureScreenshotAsync(new CaptureScreenshotCommandParameters(Context));
        var path = WebService.ScreenshotPath("firefox-" + name);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(shot.Data));
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await firefox.Driver.BrowsingContext.CloseAsync(new CloseCommandParameters(Context));
        await firefox.Driver.Browser.RemoveUserContextAsync(new(user));
    }

    static string Js(string value) => JsonSerializer.Serialize(value);
}

/// <summary>WebDriver's names for the keys that are not characters.</summary>
public static class Key
{
    public const string Tab = "\uE004";
    public const string Enter = "\uE007";
    public const string Shift = "\uE008";
    public const string Escape = "\uE00C";
    public const string Space = " ";
}
