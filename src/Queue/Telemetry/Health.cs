using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;
using Queue.Storage;

namespace Queue.Telemetry;

/// <summary>Readiness, from <c>Queue:Health</c>.</summary>
public sealed class HealthOptions
{
    public const string Section = "Queue:Health";

    /// <summary>A node whose live state is further behind PostgreSQL than this is not ready.</summary>
    public TimeSpan MaxLiveLag { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A dependency that does not answer a check within this is unhealthy.</summary>
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Every embedded migration is in DbUp's journal: this node's code and the database's schema agree.</summary>
internal sealed class MigrationsCheck(NpgsqlDataSource db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = db.CreateCommand(Migrator.JournalSql))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) applied.Add(reader.GetString(0));
        }
        var missing = Migrator.Scripts.Where(s => !applied.Contains(s)).ToList();
        return missing.Count == 0
            ? HealthCheckResult.Healthy($"{Migrator.Scripts.Count} migrations applied")
            : HealthCheckResult.Unhealthy($"{missing.Count} of {Migrator.Scripts.Count} migrations not applied: {string.Join(", ", missing.Select(Short))}");
    }

    static string Short(string script) => script[(script.LastIndexOf(".Migrations.", StringComparison.Ordinal) + 12)..];
}

/// <summary>The health endpoints' JSON: the overall status and each check by name, without exception details.</summary>
internal static class HealthJson
{
    public static async Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(http.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteNumber("milliseconds", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
        json.WriteStartArray("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("status", entry.Status.ToString());
            // An exception's message may name hosts and ports; the endpoints are anonymous, so only its type is shown.
            var description = entry.Exception switch
            {
                null => entry.Description,
                OperationCanceledException => "no answer in time",
                var e => e.GetType().Name,
            };
            if (description is not null) json.WriteString("description", description);
            json.WriteNumber("milliseconds", Math.Round(entry.Duration.TotalMilliseconds, 1));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(http.RequestAborted);
    }
}
