using System.Net;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Queue.EventLog;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Storage;

/// <summary>
/// The event log's monthly partitions (docs/adr/0007): made at start-up for the months ingest may write to, ahead by a
/// daily job, and on the spot should an event find none, so that ingest never fails for lack of one.
/// </summary>
public sealed class EventPartitionsTests(QueueApp app) : IClassFixture<QueueApp>
{
    EventPartitions Partitions => app.Factory.Services.GetRequiredService<EventPartitions>();

    async Task<List<string>> MonthsAsync() => [.. (await Partitions.ListAsync(CancellationToken.None)).Select(p => p.Name)];

    [Fact]
    public async Task At_start_up_the_service_makes_this_month_and_the_next_two_by_its_clock()
    {
        // The service's clock says 2026-11-23.
        var months = await MonthsAsync();
        Assert.Contains("events_2026_11", months);
        Assert.Contains("events_2026_12", months);
        Assert.Contains("events_2027_01", months);
        var december = Assert.Single(await Partitions.ListAsync(CancellationToken.None), p => p.Name == "events_2026_12");
        Assert.Equal((new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)), (december.From, december.To));
    }

    [Fact]
    public async Task The_daily_job_makes_this_month_and_the_next_two_by_its_clock_once()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 3, 10, 12, 0, 0, TimeSpan.FromHours(5)));
        var ingest = Options.Create(new IngestOptions { CallerHashSecret = QueueApp.CallerSecret });
        var partitions = new EventPartitions(app.Db, ingest, Options.Create(new PartitionOptions()), time, NullLogger<EventPartitions>.Instance);
        var jobs = new EventLogJobs(partitions, Options.Create(new RetentionOptions()), time, NullLogger<EventLogJobs>.Instance);

        Assert.Equal(3, await jobs.MakePartitionsAheadAsync(CancellationToken.None));
        Assert.Equal(0, await jobs.MakePartitionsAheadAsync(CancellationToken.None));
        var months = await MonthsAsync();
        Assert.Contains("events_2031_03", months);
        Assert.Contains("events_2031_04", months);
        Assert.Contains("events_2031_05", months);
        Assert.DoesNotContain("events_2031_06", months);

        // In the first week of a month, the month before still takes events as late as the lateness allows.
        time.SetUtcNow(new DateTimeOffset(2031, 8, 3, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(4, await jobs.MakePartitionsAheadAsync(CancellationToken.None));
        Assert.Contains("events_2031_07", await MonthsAsync());
        Assert.Contains("events_2031_10", await MonthsAsync());
    }

    [Fact]
    public async Task An_event_finding_no_partition_for_its_month_makes_it_and_is_stored()
    {
        // Its month's partition is missing (say the jobs have not run for months, or a clock is ahead of the others').
        await using (var drop = app.Db.CreateCommand("alter table events detach partition events_2026_11; drop table events_2026_11"))
            await drop.ExecuteNonQueryAsync();
        Assert.DoesNotContain("events_2026_11", await MonthsAsync());

        using var http = app.Client();
        var now = app.Time.GetUtcNow();
        var response = await http.PostEventsAsync(Ev.Queued("ep-1", now.AddSeconds(-20), "ep-c1", "ep"), Ev.Answered("ep-2", now, "ep-c1", "ag-ep"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.JsonAsync()).GetProperty("new").GetInt32());
        Assert.Contains("events_2026_11", await MonthsAsync());
        Assert.Equal(2L, await app.CountAsync("events_2026_11 where id like 'ep-%'"));
        Assert.Equal(1L, await app.CountAsync("legs where call_id = 'ep-c1' and outcome = 'answered'"));
        Assert.Contains(app.Logs, l => l.Contains("had no partition", StringComparison.Ordinal));
    }

    [Fact]
    public void Both_jobs_are_registered_daily_in_the_center_time_zone()
    {
        using var connection = app.Factory.Services.GetRequiredService<JobStorage>().GetConnection();
        var jobs = Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection);
        var partitions = Assert.Single(jobs, j => j.Id == EventLogJobs.PartitionsJobId);
        Assert.Equal(("0 3 * * *", "Asia/Yekaterinburg", typeof(EventLogJobs)), (partitions.Cron, partitions.TimeZoneId, partitions.Job.Type));
        var retention = Assert.Single(jobs, j => j.Id == EventLogJobs.RetentionJobId);
        Assert.Equal(("30 3 * * *", "Asia/Yekaterinburg", typeof(EventLogJobs)), (retention.Cron, retention.TimeZoneId, retention.Job.Type));
    }
}
