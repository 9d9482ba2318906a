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
    readonly FollowPace<QueueLogLine> pace;
    readonly ILogger log;
    readonly List<RawLine> lines = [];
    FilePosition? fed;
    FilePosition? saved;

    public FileFollower(string path, string statePath, MappingOptions mapping, EventPoster poster, TimeProvider time, TimeSpan flushDelay, ILogger log)
    {
        this.statePath = statePath;
        this.log = log;
        var state = StateFile.Load(statePath);
        Mapper = new QueueLogMapper(mapping, state?.Mapper);
        pump = AsteriskPump.Create(Mapper, poster, log, Save);
        pace = new FollowPace<QueueLogLine>(pump, time, flushDelay);
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
        return await pace.RoundAsync(lines, line =>
        {
            pump.Take(QueueLogParser.Parse(line.Bytes));
            fed = line.After;
        }, () => fed != saved, ct);
    }

    public Task RunAsync(TimeSpan poll, CancellationToken ct) => pace.RunAsync(StepAsync, poll, ct);

    Task FlushAsync(CancellationToken ct) => pace.FlushAsync(ct);

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
