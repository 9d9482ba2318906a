using Microsoft.Extensions.Logging;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;
using Queue.Connect.Reading;

namespace Queue.Connect.Pumping;

/// <summary>
/// Between a source and the service: parsed lines go through the mapping into an outbox; the outbox goes out in
/// batches of at most <see cref="MaxBatch"/>, one at a time, and nothing more is read while a batch is unacknowledged
/// (memory stays bounded however long the service is away). After a flush, <paramref name="save"/> is given the
/// mapping's state and the position it belongs to, so that a following run can keep it durably.
/// </summary>
internal sealed partial class Pump(QueueLogMapper mapper, EventPoster poster, ILogger log, Action<MapperState>? save = null)
{
    public const int MaxBatch = 5000;

    readonly List<WireEvent> outbox = [];

    public RunSummary Summary { get; } = new();

    public QueueLogMapper Mapper => mapper;

    /// <summary>Events mapped and not yet posted.</summary>
    public int Waiting => outbox.Count;

    /// <summary>Enough waits to make a full batch: flush before reading on.</summary>
    public bool Full => outbox.Count >= MaxBatch;

    /// <summary>Takes one line read from the source, counting it whatever becomes of it.</summary>
    public void Take(ParsedLine parsed)
    {
        Summary.Lines++;
        if (parsed.AfterNulRun) Summary.Skip(SkipCause.Nul);
        if (parsed.Line is null)
        {
            Summary.Skip(parsed.Skipped ?? SkipCause.Fields);
            return;
        }
        if (mapper.Map(parsed.Line, outbox) is { } cause) Summary.Skip(cause);
    }

    /// <summary>Counts a line the reader found cut short (no newline where the file ends).</summary>
    public void Cut() => Summary.Skip(SkipCause.Truncated);

    public void CaughtUp(DateTimeOffset now) => mapper.CaughtUp(now, outbox);

    public void End() => mapper.End(outbox);

    /// <summary>Posts everything waiting, in batches, each until acknowledged; then saves the state that goes with it.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        // The state belongs to the lines taken so far; it is saved only once all their events are acknowledged.
        var state = save is null ? null : StateFile.Snapshot(mapper.State);
        for (var i = 0; i < outbox.Count; i += MaxBatch)
        {
            var batch = outbox.GetRange(i, Math.Min(MaxBatch, outbox.Count - i));
            Summary.Posted += await poster.PostAsync(batch, ct);
            Summary.Events += batch.Count;
            Posted(log, batch.Count, Summary.Events);
        }
        outbox.Clear();
        if (state is not null) save!(state);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Posted {Count} events ({Total} in all)")]
    static partial void Posted(ILogger logger, int count, long total);
}
