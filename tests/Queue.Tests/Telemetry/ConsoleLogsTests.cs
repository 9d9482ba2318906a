using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Queue.Telemetry;
using Queue.Tests.Ops;

namespace Queue.Tests.Telemetry;

/// <summary>
/// The console log: single readable lines at a terminal, JSON lines into anything else, the formatter named in
/// configuration when there is one. Each case writes a line through the formatter the service would use.
/// </summary>
public sealed partial class ConsoleLogsTests
{
    const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Theory]
    [InlineData(null, false, "simple")]
    [InlineData(null, true, "json")]
    [InlineData("", false, "simple")]
    [InlineData(" ", true, "json")]
    [InlineData("json", false, "json")]
    [InlineData("simple", true, "simple")]
    [InlineData("systemd", true, "systemd")]
    public void The_formatter_is_the_configured_one_else_simple_at_a_terminal_and_json_otherwise(
        string? configured, bool outputRedirected, string expected) =>
        Assert.Equal(expected, ConsoleLogs.FormatterFor(configured, outputRedirected));

    [Fact]
    public async Task At_a_terminal_an_entry_is_one_line_with_a_UTC_timestamp_and_no_scopes()
    {
        var (formatter, output) = await WriteAsync(outputRedirected: false, []);

        Assert.Equal("simple", formatter);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var match = SimpleLine().Match(line);
        Assert.True(match.Success, line);
        var at = DateTime.ParseExact(match.Groups[1].Value, "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        Assert.InRange(DateTime.UtcNow - at, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(TraceId, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Into_a_pipe_or_a_file_an_entry_is_a_JSON_line_with_its_scopes_and_a_UTC_timestamp()
    {
        var (formatter, output) = await WriteAsync(outputRedirected: true, []);

        Assert.Equal("json", formatter);
        var line = JsonDocument.Parse(Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", line.GetProperty("Timestamp").GetString());
        Assert.Equal("Queue.Ingest", line.GetProperty("Category").GetString());
        Assert.Contains(line.GetProperty("Scopes").EnumerateArray(),
            s => s.TryGetProperty("TraceId", out var id) && id.GetString() == TraceId);
    }

    [Fact]
    public async Task A_formatter_named_in_configuration_is_used_with_the_settings_given_for_it()
    {
        var (json, _) = await WriteAsync(outputRedirected: false, new() { ["Logging:Console:FormatterName"] = "json" });
        var (simple, output) = await WriteAsync(outputRedirected: true, new()
        {
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss ",
        });

        Assert.Equal("json", json);
        Assert.Equal("simple", simple);
        Assert.Matches(@"^\d\d:\d\d:\d\d info: Queue\.Ingest\[7\] 3 events stored\r?\n$", output);
    }

    [Fact]
    public void The_service_leaves_the_choice_to_its_output_and_containers_ask_for_json()
    {
        using var settings = JsonDocument.Parse(OpsFiles.Read("src", "Queue", "appsettings.json"));
        Assert.False(settings.RootElement.GetProperty("Logging").TryGetProperty("Console", out _),
            "appsettings.json names a console formatter: a terminal would get JSON");

        Assert.Contains("Logging__Console__FormatterName=json", OpsFiles.Read("deploy", "Dockerfile"), StringComparison.Ordinal);
        Assert.Contains("Logging__Console__FormatterName: json", OpsFiles.Read("deploy", "compose.yaml"), StringComparison.Ordinal);
        Assert.Contains("Logging__Console__FormatterName: json", OpsFiles.Read("deploy", "k8s", "configmap.yaml"), StringComparison.Ordinal);
    }

    // One entry, inside a request's scope, through the formatter the service's configuration picks; colours removed.
    static async Task<(string Formatter, string Output)> WriteAsync(bool outputRedirected, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddConsoleLogs(outputRedirected);
        await using var app = builder.Build();

        var name = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName!;
        var formatter = app.Services.GetServices<ConsoleFormatter>().Single(f => f.Name == name);
        var scopes = new LoggerExternalScopeProvider();
        using var writer = new StringWriter();
        using (scopes.Push(new Dictionary<string, object> { ["TraceId"] = TraceId }))
            formatter.Write(new LogEntry<string>(LogLevel.Information, "Queue.Ingest", new EventId(7), "3 events stored", null, (s, _) => s),
                scopes, writer);
        return (name, Colours().Replace(writer.ToString(), ""));
    }

    [GeneratedRegex(@"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})Z info: Queue\.Ingest\[7\] 3 events stored\r?$")]
    private static partial Regex SimpleLine();

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex Colours();
}
