namespace Queue.Connect.Asterisk;

/// <summary>
/// One line of Asterisk's queue_log, in either of its forms: the file's <c>epoch|callid|queue|agent|EVENT|data…</c>
/// or a row of the realtime table (<c>time, callid, queuename, agent, event, data1…data5</c>). <see cref="Key"/> is
/// the hash of the line's own content, from which its events' ids are made.
/// </summary>
internal sealed record QueueLogLine(DateTimeOffset Time, string CallId, string Queue, string Agent, string Event, IReadOnlyList<string> Data, string Key)
{
    public string DataAt(int index) => index < Data.Count ? Data[index] : "";
}

/// <summary>Why a line gave no event. Skipped lines are counted by cause, never fatal.</summary>
internal enum SkipCause
{
    /// <summary>A run of NUL bytes, as a crash leaves where a write had reserved space.</summary>
    Nul,
    /// <summary>The last line of a file with no newline: a write cut short.</summary>
    Truncated,
    /// <summary>Fewer than the five fields every line has.</summary>
    Fields,
    /// <summary>The time is not a number of seconds (or a timestamp, in the table).</summary>
    Time,
    /// <summary>A field the event needs is missing or not what it should be (an agent, a number, a name).</summary>
    Data,
}
