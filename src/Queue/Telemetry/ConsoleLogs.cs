using Microsoft.Extensions.Logging.Console;

namespace Queue.Telemetry;

/// <summary>
/// The console log's form: readable single lines for a person at a terminal, JSON lines for whatever reads the output
/// otherwise (a container's log driver, CI, a file). <c>Logging:Console:FormatterName</c> decides when it is set.
/// </summary>
public static class ConsoleLogs
{
    const string Section = "Logging:Console";

    /// <summary>
    /// Pure: the formatter named in configuration if any; otherwise <c>json</c> when the output is redirected, and
    /// <c>simple</c> (single lines) when it is a terminal.
    /// </summary>
    public static string FormatterFor(string? configuredName, bool outputRedirected) =>
        !string.IsNullOrWhiteSpace(configuredName) ? configuredName
        : outputRedirected ? ConsoleFormatterNames.Json
        : ConsoleFormatterNames.Simple;

    /// <summary>Chooses the console formatter (see <see cref="FormatterFor"/>) and gives both forms their defaults.</summary>
    public static WebApplicationBuilder AddConsoleLogs(this WebApplicationBuilder builder) =>
        builder.AddConsoleLogs(Console.IsOutputRedirected);

    internal static WebApplicationBuilder AddConsoleLogs(this WebApplicationBuilder builder, bool outputRedirected)
    {
        var configured = builder.Configuration[$"{Section}:FormatterName"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            var formatter = FormatterFor(configured, outputRedirected);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = formatter);
        }

        // Defaults first, then Logging:Console:FormatterOptions on top: a setting given there still wins.
        var settings = builder.Configuration.GetSection($"{Section}:FormatterOptions");
        builder.Services.AddOptions<JsonConsoleFormatterOptions>().Configure(o =>
        {
            // Scopes carry each request's trace id.
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        }).Bind(settings);
        builder.Services.AddOptions<SimpleConsoleFormatterOptions>().Configure(o =>
        {
            // A request's scopes would make every line several screens wide.
            o.SingleLine = true;
            o.IncludeScopes = false;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff'Z' ";
        }).Bind(settings);
        return builder;
    }
}
