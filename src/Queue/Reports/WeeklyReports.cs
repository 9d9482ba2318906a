using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Queue.Live;

namespace Queue.Reports;

/// <summary>
/// Makes weekly reports, and keeps those of weeks that are over: the first made is the one every later download (and
/// send) gives, whatever arrives late. A week not over yet is made afresh each time, marked partial.
/// </summary>
internal sealed class WeeklyReports(NpgsqlDataSource db, ReportQuery query, Targets.QueueTargets targets, IOptions<LiveOptions> live, TimeProvider time)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public TimeZoneInfo Zone => live.Value.Zone();

    public async Task<WeeklyReport> GetAsync(ReportWeek week, CancellationToken ct)
    {
        var zone = Zone;
        var now = time.GetUtcNow();
        var (_, to) = week.Bounds(zone);
        using var span = Telemetry.QueueMetrics.Source.StartActivity("report.build")?.SetTag("queue.report.week", week.ToString());
        await using var connection = await db.OpenConnectionAsync(ct);
        if (now >= to && await StoredAsync(connection, week, ct) is { } stored)
        {
            span?.SetTag("queue.report.stored", true);
            return stored;
        }

        var report = await MakeAsync(week, zone, now, ct);
        span?.SetTag("queue.report.partial", report.Partial);
        if (report.Partial) return report;
        // Two nodes making the same week at once keep the first one stored.
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into weekly_reports (week, made_at, report) values (@week, @at, @report::jsonb) on conflict (week) do nothing",
            new { week = report.Week, at = now.UtcDateTime, report = JsonSerializer.Serialize(report, Json) }, cancellationToken: ct));
        return (await StoredAsync(connection, week, ct))!;
    }

    async Task<WeeklyReport> MakeAsync(ReportWeek week, TimeZoneInfo zone, DateTimeOffset now, CancellationToken ct)
    {
        var (from, to) = week.Bounds(zone);
        var (counts, breaches) = await query.GetAsync(from.AddDays(-7), to, from, zone, targets.Defaults, targets.Thresholds, now, ct);
        return ReportBuilder.Build(week, zone, now, counts, breaches, targets.For);
    }

    static async Task<WeeklyReport?> StoredAsync(NpgsqlConnection connection, ReportWeek week, CancellationToken ct)
    {
        var text = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "select report::text from weekly_reports where week = @week", new { week = week.ToString() }, cancellationToken: ct));
        return text is null ? null : JsonSerializer.Deserialize<WeeklyReport>(text, Json);
    }
}
