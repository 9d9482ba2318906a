using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Queue.EventLog;
using Queue.Events;

namespace Queue.Reports;

/// <summary>
/// Makes weekly reports, and keeps every version of those of weeks that are over. A week over is made once and served
/// as stored, until ingest marks it changed (<see cref="ReportWeeksChanged"/>): the next read makes it again and, if a
/// figure differs, keeps it as a new version that says what changed; the versions before stay on record, the one sent
/// among them. So a report is never silently different from /api/metrics over its week. A week not over yet is made
/// afresh each time, marked partial. Until the week's lateness has passed a report is provisional, and says so.
/// </summary>
internal sealed class WeeklyReports(NpgsqlDataSource db, ReportQuery query, Targets.QueueTargets targets, IOptions<CenterOptions> live,
    IOptions<IngestOptions> ingest, TimeProvider time)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public TimeZoneInfo Zone => live.Value.Zone();

    /// <summary>The latest version of the week's report (made now if it has none, or if late events may have changed it).</summary>
    public async Task<WeeklyReport> GetAsync(ReportWeek week, CancellationToken ct) => (await GetAsync(week, null, ct))!;

    /// <summary>A version of the week's report (null: the latest); null when there is no such version.</summary>
    public async Task<WeeklyReport?> GetAsync(ReportWeek week, int? version, CancellationToken ct)
    {
        var zone = Zone;
        var now = time.GetUtcNow();
        var (_, to) = week.Bounds(zone);
        using var span = Telemetry.QueueMetrics.Source.StartActivity("report.build")?.SetTag("queue.report.week", week.ToString());
        if (now < to)
        {
            var partial = await MakeAsync(week, zone, now, ct);
            span?.SetTag("queue.report.partial", true);
            return version is null or 1 ? Served(partial, now) : null;
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        if (version is { } asked) return await VersionAsync(connection, week, asked, ct) is { } kept ? Served(kept, now) : null;

        var latest = await VersionAsync(connection, week, null, ct);
        var mark = await ReportWeeksChanged.MarkAsync(connection, week, ct);
        span?.SetTag("queue.report.stored", latest is not null && mark is null);
        if (latest is not null && mark is null) return Served(latest, now);

        var made = await MakeAsync(week, zone, now, ct);
        if (latest is null) await StoreAsync(connection, made, ct);
        else if (ReportDiff.Changes(latest, made) is { Count: > 0 } changes)
        {
            var sent = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                "select max(version) from report_sends where week = @week and state = 'sent'", new { week = week.ToString() }, cancellationToken: ct));
            await StoreAsync(connection, made with
            {
                Version = latest.Version + 1,
                Revision = new ReportRevision(latest.Version, latest.MadeAt, sent, changes),
            }, ct);
            span?.SetTag("queue.report.revised", latest.Version + 1);
        }
        if (mark is { } read) await ReportWeeksChanged.ClearAsync(connection, week, read, ct);
        // Two nodes making the same version at once keep the first one stored: read back what was kept.
        return Served((await VersionAsync(connection, week, null, ct))!, now);
    }

    /// <summary>
    /// The week as a key scoped to a team sees it (SPEC §6): made now from PostgreSQL out of the team's queues alone, the
    /// center being their sum (visits with no queue are in no team), numbered as the latest version of the whole
    /// center's report it matches. Versions on record are of the whole center, and their revisions name every queue.
    /// </summary>
    public async Task<WeeklyReport> ForTeamAsync(ReportWeek week, IReadOnlySet<string> team, CancellationToken ct)
    {
        var latest = await GetAsync(week, ct);
        var zone = Zone;
        var now = time.GetUtcNow();
        var (from, to) = week.Bounds(zone);
        var (counts, breaches) = await query.GetAsync(from.AddDays(-7), to, from, zone, targets.Defaults, targets.Thresholds, now, ct);
        bool Ours(string? queue) => queue is not null && team.Contains(queue);
        var made = ReportBuilder.Build(week, zone, now, [.. counts.Where(c => Ours(c.Queue))], [.. breaches.Where(b => Ours(b.Queue))], targets.For);
        return Served(made with { Version = latest.Version }, now);
    }

    WeeklyReport Served(WeeklyReport report, DateTimeOffset now)
    {
        var final = report.To + ingest.Value.Lateness;
        return report with { Provisional = now < final, FinalFrom = final };
    }

    async Task<WeeklyReport> MakeAsync(ReportWeek week, TimeZoneInfo zone, DateTimeOffset now, CancellationToken ct)
    {
        var (from, to) = week.Bounds(zone);
        var (counts, breaches) = await query.GetAsync(from.AddDays(-7), to, from, zone, targets.Defaults, targets.Thresholds, now, ct);
        return ReportBuilder.Build(week, zone, now, counts, breaches, targets.For);
    }

    static async Task StoreAsync(NpgsqlConnection connection, WeeklyReport report, CancellationToken ct)
    {
        // A version is stored once; the latest pointer only moves forward.
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into weekly_report_versions (week, version, made_at, report) values (@week, @version, @at, @report::jsonb)
            on conflict (week, version) do nothing;
            insert into weekly_reports (week, made_at, report, version) values (@week, @at, @report::jsonb, @version)
            on conflict (week) do update set made_at = excluded.made_at, report = excluded.report, version = excluded.version
            where weekly_reports.version < excluded.version;
            """,
            new { week = report.Week, version = report.Version, at = report.MadeAt.UtcDateTime, report = JsonSerializer.Serialize(report, Json) },
            cancellationToken: ct));
    }

    static async Task<WeeklyReport?> VersionAsync(NpgsqlConnection connection, ReportWeek week, int? version, CancellationToken ct)
    {
        var text = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(version is null
                ? "select report::text from weekly_reports where week = @week"
                : "select report::text from weekly_report_versions where week = @week and version = @version",
            new { week = week.ToString(), version }, cancellationToken: ct));
        return text is null ? null : JsonSerializer.Deserialize<WeeklyReport>(text, Json);
    }
}
