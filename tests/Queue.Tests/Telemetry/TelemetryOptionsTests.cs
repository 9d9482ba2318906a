using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Telemetry;

public sealed class TelemetryOptionsTests
{
    [Theory]
    [InlineData("Queue:Telemetry:OtlpEndpoint", "collector:4317", "OtlpEndpoint must be an http or https URL")]
    [InlineData("Queue:Health:MaxLiveLag", "00:00:00", "Queue:Health times must be positive")]
    public async Task The_service_refuses_to_start_on_a_bad_telemetry_or_health_setting(string key, string value, string said)
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Queue"] = TestDatabase.BaseConnectionString,
                ["Queue:Ingest:CallerHashSecret"] = QueueApp.CallerSecret,
                [key] = value,
            }));
        });

        var error = Record.Exception(() => factory.Server);

        Assert.NotNull(error);
        Assert.Contains(said, error.ToString(), StringComparison.Ordinal);
    }
}
