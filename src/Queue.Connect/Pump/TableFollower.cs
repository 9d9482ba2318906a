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
    readonly FollowPace<QueueLogLine> pace;
    long fed;
    long saved;

    public TableFollower(QueueLogTable table, string statePath, MappingOptions mapping, EventPoster poster, TimeProvider time, TimeSpan flushDelay, ILogger log)
    {
        this.table = table;
        this.statePath = statePath;
        var state = StateFile.Load(statePath);
        Mapper = new QueueLogMapper(mapping, state?.Mapper);
        pump = AsteriskPump.Create(Mapper, poster, log, Save);
        pace = new FollowPace<QueueLogLine>(pump, time, flushDelay);
        fed = saved = state?.TableId ?? 0;
    }

    public Pump<QueueLogLine> Pump => pump;

    public QueueLogMapper Mapper { get; }

    public async Task<bool> StepAsync(CancellationToken ct)
    {
        var rows = await table.ReadAsync(fed, 1000, ct);
        return await pace.RoundAsync(rows, row =>
        {
            pump.Take(row.Line);
            fed = row.Id;
        }, () => fed != saved, ct);
    }

    /// <summary>Reads to the end of the table, decides what waits, posts it all.</summary>
    public async Task ImportAsync(CancellationToken ct)
    {
        while (!await StepAsync(ct)) { }
        pump.End();
        await FlushAsync(ct);
    }

    public Task RunAsync(TimeSpan poll, CancellationToken ct) => pace.RunAsync(StepAsync, poll, ct);

    Task FlushAsync(CancellationToken ct) => pace.FlushAsync(ct);

    void Save(MapperState state)
    {
        StateFile.Save(statePath, new SavedState(null, fed, state));
        saved = fed;
    }
}
