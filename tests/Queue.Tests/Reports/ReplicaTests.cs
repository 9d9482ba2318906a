using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Queue.Storage;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Reports;

/// <summary>
/// A service with a read replica (<c>ConnectionStrings:QueueReplica</c>): here a second database with the same schema and
/// other rows, which shows which of the two a query read.
/// </summary>
public sealed class ReplicaApp : QueueApp
{
    public string ReplicaDatabase { get; } = $"queue_t_{Guid.NewGuid():N}";

    public NpgsqlDataSource Replica { get; private set; } = null!;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:QueueReplica"] = new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = ReplicaDatabase }.ConnectionString,
    };

    public override async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(ReplicaDatabase);
        Replica = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = ReplicaDatabase }.ConnectionString);
        await new Migrator(Replica, NullLogger<Migrator>.Instance, TimeProvider.System).MigrateAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Replica.DisposeAsync();
        await TestDatabase.DropAsync(ReplicaDatabase);
    }
}

/// <summary>docs/adr/0007: reports and figures of windows over read the replica; recent windows and every write, the primary.</summary>
public sealed class ReplicaTests(ReplicaApp app) : IClassFixture<ReplicaApp>
{
    static readonly TimeSpan Center = TimeSpan.FromHours(5);
    static DateTimeOffset Local(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, Center);

    [Fact]
    public async Task A_past_week_report_and_past_windows_read_the_replica_while_recent_windows_read_the_primary()
    {
        using var http = app.Client();
        // The primary: one answered call in week 47, and one a minute ago.
        var now = app.Time.GetUtcNow();
        await http.PostEventsRetryingAsync(
            Ev.Queued("rp-1-q", Local(18, 10), "rp-1", "rp"), Ev.Answered("rp-1-a", Local(18, 10, 1), "rp-1", "ag-rp"),
            Ev.Queued("rp-2-q", now.AddMinutes(-2), "rp-2", "rp"), Ev.Answered("rp-2-a", now.AddMinutes(-1), "rp-2", "ag-rp"));
        // The replica: three other calls in week 47, in the same queue, and none lately.
        await using (var replica = await app.Replica.OpenConnectionAsync())
        {
            for (var i = 0; i < 3; i++)
            {
                await replica.ExecuteAsync("insert into calls (call_id, last_queue, legs) values (@id, 'rp', 1)", new { id = $"replica-{i}" });
                await replica.ExecuteAsync("""
                    insert into legs (call_id, leg, queue, started_at, ended_at, outcome, agent_id)
                    values (@id, 0, 'rp', @start, @end, 'answered', 'ag-replica')
                    """, new { id = $"replica-{i}", start = Local(19 + i, 9).UtcDateTime, end = Local(19 + i, 9).AddSeconds(10 * (i + 1)).UtcDateTime });
            }
        }
        Assert.True(app.Factory.Services.GetRequiredService<HistoryReads>().HasReplica);

        // The week is over: its report reads the replica (and is kept on the primary, where every write goes).
        var report = await http.GetFromJsonAsync<JsonElement>("/api/reports/weekly/2026-W47.json");
        var week = report.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "rp").GetProperty("week");
        Assert.Equal(3, week.GetProperty("answered").GetInt64());
        Assert.Equal(20.0, week.GetProperty("asaSeconds").GetDouble(), 6);
        Assert.Equal(1L, await app.CountAsync("weekly_reports where week = '2026-W47'"));
        await using (var replica = await app.Replica.OpenConnectionAsync())
            Assert.Equal(0L, await replica.ExecuteScalarAsync<long>("select count(*) from weekly_reports"));

        // Figures of a window over read the replica; of one that reaches the last minutes, the primary.
        Assert.Equal(3, (await MetricsAsync(http, Local(16, 0), Local(23, 0))).GetProperty("answered").GetInt64());
        Assert.Equal(1, (await MetricsAsync(http, now.AddMinutes(-5), now)).GetProperty("answered").GetInt64());
        // The current week's report, partial, is made from the primary.
        var current = await http.GetFromJsonAsync<JsonElement>("/api/reports/weekly/2026-W48.json");
        Assert.True(current.GetProperty("partial").GetBoolean());
        Assert.Equal(1, current.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "rp")
            .GetProperty("week").GetProperty("answered").GetInt64());
        // A past day's trend reads the replica.
        var trend = await http.GetFromJsonAsync<JsonElement>("/api/queues/rp/trend?day=2026-11-19");
        Assert.Equal(1, trend.GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("answered").GetInt64()));
    }

    [Fact]
    public async Task Without_a_replica_everything_reads_the_primary()
    {
        await using var primary = NpgsqlDataSource.Create(app.ConnectionString);
        var reads = new HistoryReads(primary, null, TimeSpan.FromMinutes(10));
        Assert.False(reads.HasReplica);
        Assert.Same(primary, reads.For(app.Time.GetUtcNow().AddDays(-30), app.Time.GetUtcNow()));

        await using var replica = NpgsqlDataSource.Create(app.ConnectionString);
        var both = new HistoryReads(primary, replica, TimeSpan.FromMinutes(10));
        Assert.Same(replica, both.For(app.Time.GetUtcNow().AddMinutes(-10), app.Time.GetUtcNow()));
        Assert.Same(primary, both.For(app.Time.GetUtcNow().AddMinutes(-9), app.Time.GetUtcNow()));
    }

    static async Task<JsonElement> MetricsAsync(HttpClient http, DateTimeOffset from, DateTimeOffset to)
    {
        using var response = await http.GetAsync($"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}&queue=rp");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }
}
