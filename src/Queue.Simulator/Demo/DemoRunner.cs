using System.Globalization;
using Queue.Ingest;
using Queue.Simulator.Traffic;

namespace Queue.Simulator.Demo;

/// <summary>What the demo has sent.</summary>
internal sealed record DemoTotals(long Events, long New, long Duplicates, long Calls, long Answered, long Abandoned, long Visits);

/// <summary>
/// Feeds the demo center to the service: first the backfill (every event from <c>now − backfill</c> up to now, in
/// batches of up to 5,000, as fast as the service takes them), then live: every ~0.5 s, the events whose time has
/// come. An event is never sent before its <c>at</c>, so a call in progress now has its answer or its end sent
/// only when they happen.
/// </summary>
internal sealed class DemoRunner
{
    public const int MaxBatch = 5_000;

    readonly DemoPoster poster;
    readonly TimeProvider time;
    readonly TextWriter log;
    readonly IEnumerator<EventDocs.Event> events;
    readonly Counts total = new();
    Counts minute = new();
    DateTimeOffset minuteStart;
    bool hasPending;

    public DemoRunner(HttpClient http, TrafficOptions center, TimeSpan backfill, TimeProvider time, TextWriter log)
        : this(http, from => DemoTraffic.Run(center, from), backfill, time, log)
    {
    }

    /// <summary>Sends what <paramref name="events"/> gives from a start on (in order of <c>at</c>, for ever): a feed other
    /// than the whole center, such as the part of it that only a CRM knows.</summary>
    public DemoRunner(HttpClient http, Func<DateTimeOffset, IEnumerable<EventDocs.Event>> events, TimeSpan backfill, TimeProvider time, TextWriter log)
    {
        poster = new DemoPoster(http, time, log);
        this.time = time;
        this.log = log;
        var now = time.GetUtcNow();
        // The oldest events are a few minutes inside the service's lateness, so that they are still taken when sent.
        From = backfill >= poster.Lateness ? now - poster.Lateness + TimeSpan.FromMinutes(4) : now - backfill;
        this.events = events(From).GetEnumerator();
        hasPending = this.events.MoveNext();
        minuteStart = now;
    }

    /// <summary>The time of the oldest event sent.</summary>
    public DateTimeOffset From { get; }

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(500);

    public DemoTotals Totals => total.ToTotals();

    public async Task RunAsync(CancellationToken ct)
    {
        await BackfillAsync(ct);
        while (true)
        {
            await PumpAsync(ct);
            await Task.Delay(Interval, time, ct);
        }
    }

    /// <summary>Sends every event up to now, then says how much history was sent.</summary>
    public async Task BackfillAsync(CancellationToken ct)
    {
        var started = time.GetUtcNow();
        log.WriteLine($"{DemoPoster.Stamp(time)} demo: backfilling from {From:u} (center time {From.ToOffset(TimeSpan.FromHours(5)):yyyy-MM-dd HH:mm})");
        await PumpAsync(ct, logMinutes: false);
        // The per-minute lines are about live traffic: they start counting now.
        minute = new Counts();
        minuteStart = time.GetUtcNow();
        var seconds = Math.Max(0.001, (minuteStart - started).TotalSeconds);
        var t = total.ToTotals();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{DemoPoster.Stamp(time)} demo: backfill done: {t.Events:N0} events ({t.New:N0} new, {t.Duplicates:N0} duplicates) in {seconds:0.0} s, {t.Events / seconds:N0} events/s; {t.Calls:N0} calls, {t.Answered:N0} answered; live from now on"));
    }

    /// <summary>Sends every event whose time has come, in batches of up to 5,000; answers how many.</summary>
    public async Task<long> PumpAsync(CancellationToken ct, bool logMinutes = true)
    {
        long sent = 0;
        var batch = new List<EventDocs.Event>(MaxBatch);
        while (true)
        {
            var now = time.GetUtcNow();
            while (hasPending && batch.Count < MaxBatch && events.Current.At <= now)
            {
                batch.Add(events.Current);
                hasPending = events.MoveNext();
            }
            if (batch.Count == 0) break;
            var answer = await poster.PostAsync(batch, ct);
            foreach (var c in new[] { total, minute }) c.Add(batch, answer);
            sent += batch.Count;
            batch.Clear();
            if (logMinutes) LogMinute();
        }
        if (logMinutes) LogMinute();
        return sent;
    }

    void LogMinute()
    {
        var now = time.GetUtcNow();
        if (now - minuteStart < TimeSpan.FromMinutes(1)) return;
        var seconds = (now - minuteStart).TotalSeconds;
        var m = minute.ToTotals();
        var t = total.ToTotals();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{DemoPoster.Stamp(time)} demo: last {seconds:0} s: {m.Events:N0} events ({m.Events / seconds:0.0}/s; {m.New:N0} new, {m.Duplicates:N0} duplicates), {m.Calls:N0} calls, {m.Answered:N0} answered, {m.Abandoned:N0} abandoned, {m.Visits:N0} visits; total {t.Events:N0} events, {poster.Retries:N0} retries, {poster.Expired:N0} too old to send"));
        minute = new Counts();
        minuteStart = now;
    }

    sealed class Counts
    {
        long events, fresh, duplicates, calls, answered, abandoned, visits;

        public void Add(IReadOnlyList<EventDocs.Event> batch, IngestResult answer)
        {
            events += answer.Received;
            fresh += answer.New;
            duplicates += answer.Duplicates;
            foreach (var e in batch)
            {
                switch (e)
                {
                    case EventDocs.CallQueued: calls++; break;
                    case EventDocs.CallAnswered: answered++; break;
                    case EventDocs.CallAbandoned: abandoned++; break;
                    case EventDocs.VisitCreated: visits++; break;
                }
            }
        }

        public DemoTotals ToTotals() => new(events, fresh, duplicates, calls, answered, abandoned, visits);
    }
}
