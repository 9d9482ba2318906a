using Microsoft.Extensions.Logging;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;
using Queue.Connect.Reading;

namespace Queue.Connect.Pumping;

/// <summary><c>asterisk --queue-log-table</c>: the table read by id, once through or followed, with the same mapping and state file as the file form.</summary>
internal sealed class TableFollower
{
    readonly QueueLogTable table;
    readonly Pump<QueueLogLine> pump;
    readonly string statePath;
    readonly TimeProvider time;
    readonly TimeSpan flushDelay;
    long fed;
    long saved;
    DateTimeOffset? waitingSince;

    public TableFollower(QueueLogTable table, string statePath, MappingOptions mapping, EventPoster poster, TimeProvider time, TimeSpan flushDelay, ILogger log)
    {
        this.table = table;
        this.statePath = statePath;
        this.time = time;
        this.flushDelay = flushDelay;
        var state = StateFile.Load(statePath);
        Mapper = new QueueLogMapper(mapping, state?.Mapper);
        pump = AsteriskPump.Create(Mapper, poster, log, Save);
        fed = saved = state?.TableId ?? 0;
    }

    public Pump<QueueLogLine> Pump => pump;

    public QueueLogMapper Mapper { get; }

    public async Task<bool> StepAsync(CancellationToken ct)
    {
        var rows = await table.ReadAsync(fed, 1000, ct);
        foreach (var (id, line) in rows)
        {
            pump.Take(line);
            fed = id;
            if (pump.Full) await FlushAsync(ct);
        }
        if (rows.Count > 0)
        {
            if (pump.Waiting > 0) waitingSince ??= time.GetUtcNow();
            return false;
        }
        var now = time.GetUtcNow();
        pump.CaughtUp(now);
        if (pump.Waiting > 0) waitingSince ??= now;
        if ((pump.Waiting > 0 && now - waitingSince >= flushDelay) || (pump.Waiting == 0 && fed != saved)) await FlushAsync(ct);
        return true;
    }

    /// <summary>Reads to the end of the table, decides what waits, posts it all.</summary>
    public async Task ImportAsync(CancellationToken ct)
    {
        while (!await StepAsync(ct)) { }
        pump.End();
        await FlushAsync(ct);
    }

    public async Task RunAsync(TimeSpan poll, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await StepAsync(ct)) await Task.Delay(poll, time, ct);
        }
    }

    async Task FlushAsync(CancellationToken ct)
    {
        await pump.FlushAsync(ct);
        waitingSince = null;
    }

    void Save(MapperState state)
    {
        StateFile.Save(statePath, new SavedState(null, fed, state));
        saved = fed;
    }
}
