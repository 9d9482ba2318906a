using Microsoft.Extensions.Logging;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;
using Queue.Connect.Reading;

namespace Queue.Connect.Asterisk;

/// <summary>queue_log lines into a <see cref="Pump{TItem}"/>: what the parser found broken is counted before the mapping sees anything.</summary>
internal static class AsteriskPump
{
    /// <summary>A pump for <paramref name="mapper"/>; <paramref name="save"/>, when given, gets the mapping's state once the events before it are acknowledged.</summary>
    public static Pump<QueueLogLine> Create(QueueLogMapper mapper, EventPoster poster, ILogger log, Action<MapperState>? save = null) =>
        new(mapper, poster, log, save is null ? null : () =>
        {
            var state = StateFile.Snapshot(mapper.State);
            return () => save(state);
        });

    /// <summary>Takes one parsed line, counting it whatever becomes of it.</summary>
    public static void Take(this Pump<QueueLogLine> pump, ParsedLine parsed)
    {
        if (parsed.AfterNulRun) pump.Summary.Skip(SkipCause.Nul);
        if (parsed.Line is null) pump.Skip(parsed.Skipped ?? SkipCause.Fields);
        else pump.Take(parsed.Line);
    }

    /// <summary>Counts a line the reader found cut short (no newline where the file ends).</summary>
    public static void Cut(this Pump<QueueLogLine> pump) => pump.Summary.Skip(SkipCause.Truncated);
}
