using System.ComponentModel.DataAnnotations;
using Hangfire;
using Microsoft.Extensions.Options;
using Queue.Events;
using Queue.Storage;

namespace Queue.EventLog;

/// <summary>The event log's monthly partitions made ahead, from <c>Queue:Partitions</c>.</summary>
public sealed class PartitionOptions
{
    public const string Section = "Queue:Partitions";

    /// <summary>Months after the current one that have their partition ready (made at start-up and by the daily job).</summary>
    [Range(1, 24)]
    public int MonthsAhead { get; set; } = 2;

    /// <summary>When the job that makes them runs (cron, in the center's time zone): daily at 03:00.</summary>
    [Required]
    public string Cron { get; set; } = "0 3 * * *";
}

/// <summary>How long raw events are kept, from <c>Queue:Retention</c>.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Queue:Retention";

    /// <summary>
    /// Raw events (bodies and idempotency keys) older than this are dropped, a month at a time, once the whole month is
    /// older. Calls, legs, visits, agents, alerts and reports are kept. At least a day more than the ingest lateness.
    /// </summary>
    public TimeSpan RawEvents { get; set; } = TimeSpan.FromDays(400);

    /// <summary>When the retention job runs (cron, in the center's time zone): daily at 03:30.</summary>
    [Required]
    public string Cron { get; set; } = "30 3 * * *";

    /// <summary>Idempotency keys deleted per transaction before a month is dropped.</summary>
    [Range(100, 1_000_000)]
    public int KeyBatch { get; set; } = 10_000;

    /// <summary>
    /// The margin over the lateness: an event whose raw row is gone must be one ingest refuses as too old, or its id,
    /// no longer known, would be stored again. A day also covers clocks that disagree.
    /// </summary>
    public static readonly TimeSpan MarginOverLateness = TimeSpan.FromDays(1);
}

/// <summary>
/// The event log's two recurring jobs (Hangfire): <see cref="PartitionsJobId"/> makes the months ahead,
/// <see cref="RetentionJobId"/> drops the months past retention. Both are safe to run again, and on several nodes.
/// </summary>
internal sealed partial class EventLogJobs(EventPartitions partitions, IOptions<RetentionOptions> retention, TimeProvider time, ILogger<EventLogJobs> logger)
{
    public const string PartitionsJobId = "event-partitions";
    public const string RetentionJobId = "event-retention";

    [AutomaticRetry(Attempts = 5)]
    [JobDisplayName("Event log: partitions for the months ahead")]
    public Task<int> MakePartitionsAheadAsync(CancellationToken ct) => partitions.EnsureAheadAsync(ct);

    [AutomaticRetry(Attempts = 5)]
    [JobDisplayName("Event log: raw events past retention dropped")]
    public async Task<int> DropPastRetentionAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - retention.Value.RawEvents;
        var dropped = await partitions.DropBeforeAsync(cutoff, retention.Value.KeyBatch, ct);
        if (dropped is null) LogBusy(logger);
        return dropped?.Count ?? 0;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log retention is running on another node or job; this run does nothing")]
    static partial void LogBusy(ILogger logger);
}

public static class EventLogSetup
{
    /// <summary>The event log's partitions and retention: options (validated at start), the store, the jobs.</summary>
    public static WebApplicationBuilder AddEventLog(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PartitionOptions>().BindConfiguration(PartitionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations()
            .Validate<IOptions<IngestOptions>>((r, ingest) => r.RawEvents >= ingest.Value.Lateness + RetentionOptions.MarginOverLateness,
                $"{RetentionOptions.Section}:RawEvents must be at least {IngestOptions.Section}:Lateness plus a day: an event whose raw row "
                + "was dropped must be one ingest refuses as too old, or its id would be stored again")
            .ValidateOnStart();
        builder.Services.AddSingleton<EventPartitions>();
        builder.Services.AddSingleton<CommitAnnouncer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CommitAnnouncer>());
        builder.Services.AddTransient<EventLogJobs>();
        // Ingest has its own pool whose statements time out with the ingest deadline: a database that stops
        // answering turns into a 503 within that time, not after the 30 s that reports may need.
        builder.Services.AddKeyedSingleton(IngestPool, (sp, _) => StorageExtensions.Build(sp,
            sp.GetRequiredService<IOptions<IngestOptions>>().Value.DatabaseTimeout));
        return builder;
    }

    /// <summary>The key of the ingest pool among the PostgreSQL data sources.</summary>
    public const string IngestPool = "ingest";

    /// <summary>Makes sure of the event log's partitions for the months ingest may write to by this node's clock.</summary>
    public static Task PrepareEventLogAsync(this IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<EventPartitions>().EnsureAheadAsync(ct);

    /// <summary>Registers (or updates) both recurring jobs, in the center's time zone; every node does, to the same effect.</summary>
    public static void ScheduleEventLogJobs(this IServiceProvider services)
    {
        var jobs = services.GetRequiredService<IRecurringJobManager>();
        var zone = new RecurringJobOptions { TimeZone = services.CenterZone() };
        jobs.AddOrUpdate<EventLogJobs>(EventLogJobs.PartitionsJobId, j => j.MakePartitionsAheadAsync(CancellationToken.None),
            services.GetRequiredService<IOptions<PartitionOptions>>().Value.Cron, zone);
        jobs.AddOrUpdate<EventLogJobs>(EventLogJobs.RetentionJobId, j => j.DropPastRetentionAsync(CancellationToken.None),
            services.GetRequiredService<IOptions<RetentionOptions>>().Value.Cron, zone);
    }
}
