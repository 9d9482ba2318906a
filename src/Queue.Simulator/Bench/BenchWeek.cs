using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace Queue.Simulator.Bench;

/// <summary>A generated week of a large center, written straight to the derived tables.</summary>
internal static class BenchWeek
{
    /// <summary>
    /// The derived rows of a week ending at <paramref name="end"/>, made by PostgreSQL itself (generate_series): calls spread evenly
    /// over 80 regions, one leg each (95 % answered within 0–60 s, the rest abandoned), 10 % completed with a field visit, agents
    /// and their status events of the last two hours.
    /// Migrations first, through the service's own --migrate-only.
    /// </summary>
    public static async Task WriteAsync(string connectionString, string serviceDll, int operators, DateTimeOffset end, CancellationToken ct)
    {
        var migrate = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.GetFullPath(serviceDll), "--migrate-only" },
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(serviceDll))!,
            Environment =
            {
                ["ConnectionStrings__Queue"] = connectionString,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Queue__Ingest__CallerHashSecret"] = RandomNumberGenerator.GetHexString(48, lowercase: true),
                ["Logging__LogLevel__Default"] = "Warning",
            },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new BenchException("could not run the migrations");
        await migrate.StandardOutput.ReadToEndAsync(ct);
        await migrate.WaitForExitAsync(ct);
        if (migrate.ExitCode != 0) throw new BenchException($"migrations failed with exit code {migrate.ExitCode}");

        long calls = 7L * operators * 100;
        var at = "'" + end.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00'::timestamptz";
        var spacing = TimeSpan.FromDays(7).TotalMilliseconds / calls;
        string[] statements =
        [
            $"""
            insert into calls (call_id, region, last_queue, legs, completed_at, resolution, visit_id, queues_seen)
            select 'w' || g, 'r' || (g % 80), 'q' || (g % 20), 1,
                   {at} - interval '7 days' + g * interval '{spacing.ToString(CultureInfo.InvariantCulture)} ms' + interval '5 minutes',
                   case when g % 10 = 0 then 'field_visit' else 'resolved' end,
                   case when g % 10 = 0 then 'wv' || g end,
                   array['q' || (g % 20)]
            from generate_series(1, {calls}) g
            """,
            $"""
            insert into legs (call_id, leg, queue, started_at, ended_at, outcome, agent_id, region)
            select 'w' || g, 0, 'q' || (g % 20), t, t + (g % 61) * interval '1 s',
                   case when g % 20 = 7 then 'abandoned' else 'answered' end,
                   case when g % 20 = 7 then null else 'a' || (g % {operators}) end,
                   'r' || (g % 80)
            from generate_series(1, {calls}) g,
                 lateral (select {at} - interval '7 days' + g * interval '{spacing.ToString(CultureInfo.InvariantCulture)} ms' as t) s
            """,
            $"""
            insert into visits (visit_id, call_id, region, created_at, due24, due48, resolved_at)
            select 'wv' || g, 'w' || g, 'r' || (g % 80), c, c + interval '24 h', c + interval '48 h',
                   case when g % 7 = 0 then null else c + (g % 50) * interval '1 h' end
            from generate_series(10, {calls}, 10) g,
                 lateral (select {at} - interval '7 days' + g * interval '{spacing.ToString(CultureInfo.InvariantCulture)} ms' + interval '5 minutes' as c) s
            """,
            // The calls of the last minute are still waiting.
            $"update legs set ended_at = null, outcome = null, agent_id = null where started_at > {at} - interval '1 minute'",
            $"update calls set completed_at = null, resolution = null, visit_id = null where completed_at > {at}",
            $"""
            insert into agents (agent_id, status, status_at, status_event, queues, queues_at, queues_event, queues_seen)
            select 'a' || g, (array['available', 'busy', 'wrap_up', 'break', 'offline'])[1 + g % 5], {at} - (g % 600) * interval '1 s', 'e' || g,
                   jsonb_build_array('q' || (g % 20)), {at} - interval '1 day', 'e' || g, array['q' || (g % 20)]
            from generate_series(0, {operators - 1}) g
            """,
            // Each operator's status events of the last two hours, one every 90 s: projecting an agent reads its hour's
            // (at most the latest 61) to time its wrap-up, and a rebuild reads every agent's.
            $"""
            insert into events (id, type, at, entity, body)
            select 'ws' || g || '-' || k, 'agent.status', t, 'a:a' || g,
                   jsonb_build_object('agentId', 'a' || g, 'status', (array['busy', 'wrap_up', 'available'])[1 + (g + k) % 3])
            from generate_series(0, {operators - 1}) g, generate_series(0, 79) k,
                 lateral (select {at} - (g % 90) * interval '1 s' - k * interval '90 s' as t) s
            """,
            "vacuum analyze calls, legs, visits, agents, events",
            // The rebuild is timed on a settled database, as a running center's is, not while gigabytes are flushed.
            "checkpoint",
        ];
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// The week in database <paramref name="name"/>: the one kept there by an earlier run when <paramref name="keep"/>
    /// and it exists, else written now (the database made anew).
    /// </summary>
    public static async Task PrepareAsync(BenchDatabases databases, string name, bool keep, string serviceDll, int operators, DateTimeOffset end,
        string say, CancellationToken ct)
    {
        if (keep && await databases.ExistsAsync(name, ct))
        {
            BenchRun.Say($"{say}: the week kept in {name} from an earlier run");
            return;
        }
        await databases.RecreateAsync(name, ct);
        BenchRun.Say($"{say}: a week of a {operators:N0}-operator center, {7L * operators * 100:N0} calls written straight to the derived tables");
        var generated = Stopwatch.StartNew();
        await WriteAsync(databases.ConnectionStringOf(name), serviceDll, operators, end, ct);
        Console.Error.WriteLine($"    written in {generated.Elapsed.TotalSeconds:F0} s");
    }
}
