using System.Diagnostics;
using System.Net;
using Npgsql;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Api;

/// <summary>A caller's number is personal data: only its keyed hash may be kept, anywhere.</summary>
public sealed class PrivacyTests(QueueApp app) : IClassFixture<QueueApp>
{
    const string Number = "+7 (912) 345-67-89";
    static readonly string[] Traces = ["79123456789", "9123456789", "345-67-89", "3456789"];

    [Fact]
    public async Task The_callers_number_is_in_no_table_and_in_no_log_line_only_its_keyed_hash()
    {
        using var client = app.Client();
        var now = app.Time.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await client.PostEventsAsync(
            Ev.Queued("pii-1", now.AddSeconds(-5), "pii-call", "b2c", caller: Number),
            Ev.Queued("pii-2", now, "pii-call-2", "b2c", caller: "+79123456789"))).StatusCode);

        var dump = await PgDumpAsync();
        Assert.Contains("pii-call", dump, StringComparison.Ordinal); // the dump did see the data
        foreach (var trace in Traces) Assert.DoesNotContain(trace, dump, StringComparison.Ordinal);
        foreach (var line in app.Logs)
            foreach (var trace in Traces) Assert.DoesNotContain(trace, line, StringComparison.Ordinal);

        // The same number, however written, gives the same hash: repeat callers can be counted.
        await using var command = app.Db.CreateCommand("select count(distinct caller_hash) from calls where call_id in ('pii-call', 'pii-call-2')");
        Assert.Equal(1L, await command.ExecuteScalarAsync());
        await using var hash = app.Db.CreateCommand("select caller_hash from calls where call_id = 'pii-call'");
        Assert.Matches("^[0-9a-f]{64}$", (string)(await hash.ExecuteScalarAsync())!);
    }

    async Task<string> PgDumpAsync()
    {
        var cs = new NpgsqlConnectionStringBuilder(app.ConnectionString);
        var start = new ProcessStartInfo("pg_dump", ["-h", cs.Host!, "-p", cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", cs.Username!, "--data-only", cs.Database!])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = cs.Password;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, "pg_dump failed: " + errors);
        return output;
    }
}
