using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using static Queue.Simulator.Bench.BenchRun;

namespace Queue.Simulator.Bench;

/// <summary>
/// SPEC §7: the weekly report of a generated week of a large center (about a million calls a day) made in at most 30 s,
/// and the service's memory peak meanwhile. The week is the ISO week that ended at the last Monday 00:00 in the center.
/// </summary>
internal static class ReportBench
{
    const string Usage = """
        usage: ops/bench report [options]
          --operators N      operators of the generated center (10000; ~100 calls a day each)
          --keep-week        keep the generated week in database queue_report_week_N and use it again next time
          --output DIR       where figures go (artifacts/bench)
        """;

    static readonly TimeSpan Center = TimeSpan.FromHours(5);

    internal sealed record Options(string ServiceDll, int Operators, bool KeepWeek, string Output);

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }
        var options = new Options(args.String("--service", ServiceProcess.DefaultDll), args.Int("--operators", 10_000),
            args.Flag("--keep-week"), args.String("--output", "artifacts/bench"));
        args.EnsureAllUsed();
        return await BenchRun.RunAsync("report", async ct =>
        {
            var stamp = BenchRun.Stamp(DateTimeOffset.UtcNow);
            var result = await MeasureAsync(options, stamp, ct);
            await BenchRun.ReportAsync(options.Output, $"report-{stamp}.json", JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }),
                result.Table(), ct);
            return 0;
        });
    }

    static async Task<ReportResult> MeasureAsync(Options options, string stamp, CancellationToken ct)
    {
        var databases = BenchDatabases.FromEnvironment();
        var name = options.KeepWeek ? $"queue_report_week_{options.Operators}" : databases.Service;
        var prefix = $"bench{System.Environment.ProcessId}r:";
        // The week generated ends at this Monday 00:00 in the center: the ISO week before it is whole.
        var local = DateTimeOffset.UtcNow.ToOffset(Center);
        var monday = new DateTimeOffset(local.Date.AddDays(-(((int)local.DayOfWeek + 6) % 7)), Center);
        var week = ISOWeek.GetYear(monday.AddDays(-7).DateTime).ToString(CultureInfo.InvariantCulture) + "-W"
            + ISOWeek.GetWeekOfYear(monday.AddDays(-7).DateTime).ToString("D2", CultureInfo.InvariantCulture);
        var calls = 7L * options.Operators * 100;
        try
        {
            await BenchWeek.PrepareAsync(databases, name, options.KeepWeek, options.ServiceDll, options.Operators, monday, $"week {week}", ct);
            // A report kept from an earlier run would be read, not made.
            await using (var connection = new Npgsql.NpgsqlConnection(databases.ConnectionStringOf(name)))
            {
                await connection.OpenAsync(ct);
                await using var delete = new Npgsql.NpgsqlCommand("delete from weekly_reports", connection);
                await delete.ExecuteNonQueryAsync(ct);
            }

            var logPath = Path.Combine(options.Output, $"report-{stamp}-service.log");
            Say($"starting the service; once its live state is rebuilt, the report is asked for; its log: {logPath}");
            await using var service = await ServiceProcess.StartAsync(options.ServiceDll, databases.ConnectionStringOf(name),
                RandomNumberGenerator.GetHexString(48, lowercase: true), logPath, ct, BenchRedis.ServiceEnvironment(prefix));
            await BenchRedis.WaitForLiveStateAsync(prefix, Stopwatch.StartNew(), ct);
            await Task.Delay(TimeSpan.FromSeconds(3), ct); // let the service settle after its rebuild
            using var http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Add("X-Api-Key", service.AdminKey);
            var peakBefore = service.PeakMemoryBytes;
            var made = Stopwatch.StartNew();
            var report = await http.GetFromJsonAsync<JsonElement>($"/api/reports/weekly/{week}.json", ct);
            var makeSeconds = made.Elapsed.TotalSeconds;
            var again = Stopwatch.StartNew();
            var html = await http.GetStringAsync($"/api/reports/weekly/{week}.html", ct);
            var csv = await http.GetStringAsync($"/api/reports/weekly/{week}.csv", ct);
            var storedSeconds = again.Elapsed.TotalSeconds / 2;
            var offered = report.GetProperty("center").GetProperty("week").GetProperty("offered").GetInt64();
            if (offered == 0) throw new BenchException($"the report of {week} counted no calls: the generated week does not match it");
            var result = new ReportResult(options.Operators, week, calls, offered, report.GetProperty("queues").GetArrayLength(),
                makeSeconds, storedSeconds, peakBefore / 1024.0 / 1024.0, service.PeakMemoryBytes / 1024.0 / 1024.0, html.Length, csv.Length);
            Console.Error.WriteLine($"    {result}");
            return result;
        }
        finally
        {
            if (!options.KeepWeek) await databases.DropAsync(name, CancellationToken.None);
            await BenchRedis.DeleteKeysAsync(prefix);
        }
    }
}

internal sealed record ReportResult(int Operators, string Week, long CallsGenerated, long CallsInReport, int Queues, double MakeSeconds,
    double StoredSeconds, double PeakMiBBefore, double PeakMiB, int HtmlBytes, int CsvBytes)
{
    public override string ToString() =>
        $"{Week}: {CallsInReport:N0} calls in {Queues} queues, made in {MakeSeconds:F1} s (kept: {StoredSeconds * 1000:F0} ms per later download); service peak {PeakMiB:F0} MiB ({PeakMiBBefore:F0} before)";

    public string Table() => string.Join('\n',
        "| figure | measured | SPEC |",
        "|---|---|---|",
        string.Create(CultureInfo.InvariantCulture, $"| weekly report {Week}, {Operators:N0} operators ({CallsInReport:N0} calls, {Queues} queues): made | {MakeSeconds:F1} s | ≤ 30 s |"),
        string.Create(CultureInfo.InvariantCulture, $"| the same report, kept: a later download | {StoredSeconds * 1000:F0} ms | |"),
        string.Create(CultureInfo.InvariantCulture, $"| service memory peak (before the report: {PeakMiBBefore:F0} MiB) | {PeakMiB:F0} MiB | |"));
}
