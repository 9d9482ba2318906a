using Microsoft.Extensions.Logging;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;
using Queue.Connect.Reading;

namespace Queue.Connect.Pumping;

/// <summary>
/// <c>asterisk --queue-log PATH --follow</c>: reads the log as the PBX writes it, through rotations, and keeps its
/// place in a state file. Each <see cref="StepAsync"/> reads what there is; once caught up it lets the mapping decide
/// what time alone decides, and posts what waits after <paramref name="flushDelay"/> (a few lines arriving together go
/// in one batch). The state file moves only past lines whose events were all acknowledged.
/// </summary>
internal sealed partial class FileFollower : IDisposable
{
    const int ReadAhead = 1000;

    readonly LogReader reader;
    readonly Pump<QueueLogLine> pump;
    readonly string statePath;
    readonly TimeProvider time;
    readonly TimeSpan flushDelay;
    readonly ILogger log;
    readonly List<RawLine> lines = [];
    FilePosition? fed;
    FilePosition? saved;
    DateTimeOffset? waitingSince;

    public FileFollower(string path, string statePath, MappingOptions mapping, EventPoster poster, TimeProvider time, TimeSpan flushDelay, ILogger log)
    {
        this.statePath = statePath;
        this.time = time;
        this.flushDelay = flushDelay;
        this.log = log;
        var state = StateFile.Load(statePath);
        Mapper = new QueueLogMapper(mapping, state?.Mapper);
        pump = AsteriskPump.Create(Mapper, poster, log, Save);
        reader = new LogReader(path);
        reader.Open(state?.File);
        fed = saved = state?.File;
        Resumed(log, path, reader.Position.Offset);
    }

    public Pump<QueueLogLine> Pump => pump;

    public QueueLogMapper Mapper { get; }

    public LogReader Reader => reader;

    /// <summary>One round: read, map, and post when due. True when it found nothing new to read (caught up).</summary>
    public async Task<bool> StepAsync(CancellationToken ct)
    {
        lines.Clear();
        reader.Read(lines, ReadAhead);
        foreach (var line in lines)
        {
            pump.Take(QueueLogParser.Parse(line.Bytes));
            fed = line.After;
            if (pump.Full) await FlushAsync(ct);
        }
        if (lines.Count > 0)
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
        if (fed is null) return;
        StateFile.Save(statePath, new SavedState(fed, null, state));
        saved = fed;
    }

    public void Dispose() => reader.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Following {Path} from offset {Offset}")]
    static partial void Resumed(ILogger logger, string path, long offset);
}
