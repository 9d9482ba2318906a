using Microsoft.Extensions.Logging;
using Queue.Connect.Posting;

namespace Queue.Connect.Pumping;

/// <summary>
/// Between a source and the service: items read go through the source's mapping into an outbox; the outbox goes out in
/// batches of at most <see cref="PumpLimits.MaxBatch"/>, one at a time, and nothing more is read while a batch is
/// unacknowledged (memory stays bounded however long the service is away). Before a flush, <paramref name="checkpoint"/>
/// captures what belongs to the items taken so far (a mapping's state, a position) and returns how to keep it; that is
/// run only once every event of the flush was acknowledged, so a following run can keep it durably.
/// </summary>
internal sealed class Pump<TItem>(IEventMapper<TItem> mapper, EventPoster poster, ILogger log, Func<Action>? checkpoint = null)
{
    readonly List<WireEvent> outbox = [];

    public RunSummary Summary { get; } = new();

    public IEventMapper<TItem> Mapper => mapper;

    /// <summary>Events mapped and not yet posted.</summary>
    public int Waiting => outbox.Count;

    /// <summary>Enough waits to make a full batch: flush before reading on.</summary>
    public bool Full => outbox.Count >= PumpLimits.MaxBatch;

    /// <summary>Takes one item read from the source, counting it whatever becomes of it.</summary>
    public void Take(TItem item)
    {
        Summary.Lines++;
        if (mapper.Map(item, outbox) is { } cause) Summary.Skip(cause);
    }

    /// <summary>Counts an item the source could not even read into one (a broken line, a malformed row).</summary>
    public void Skip(Enum cause)
    {
        Summary.Lines++;
        Summary.Skip(cause);
    }

    public void CaughtUp(DateTimeOffset now) => mapper.CaughtUp(now, outbox);

    public void End() => mapper.End(outbox);

    /// <summary>Posts everything waiting, in batches, each until acknowledged; then keeps the checkpoint that goes with it.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        // The checkpoint belongs to the items taken so far; it is kept only once all their events are acknowledged.
        var keep = checkpoint?.Invoke();
        for (var i = 0; i < outbox.Count; i += PumpLimits.MaxBatch)
        {
            var batch = outbox.GetRange(i, Math.Min(PumpLimits.MaxBatch, outbox.Count - i));
            Summary.Posted += await poster.PostAsync(batch, ct);
            Summary.Events += batch.Count;
            PumpLog.Posted(log, batch.Count, Summary.Events);
        }
        outbox.Clear();
        keep?.Invoke();
    }
}

internal static partial class PumpLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Posted {Count} events ({Total} in all)")]
    public static partial void Posted(ILogger logger, int count, long total);
}

internal static class PumpLimits
{
    /// <summary>The contract's largest batch (SPEC §2).</summary>
    public const int MaxBatch = 5000;
}
