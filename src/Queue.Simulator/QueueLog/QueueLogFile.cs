using System.Buffers;
using System.Globalization;
using System.Text;

namespace Queue.Simulator.QueueLog;

/// <summary>
/// A queue_log file as Asterisk keeps one: written anew when opened, shared with readers (a connector follows it while
/// it grows), one line per <c>\n</c>. History goes out as fast as it is made; live lines each when their time comes,
/// each flushed on its own as Asterisk flushes every line, so that a reader never waits on a buffer. Only whole lines
/// reach the file: they gather in a buffer of their own and go out together, never cut at a buffer's edge.
/// </summary>
internal sealed class QueueLogFile : IDisposable
{
    const int Buffer = 1 << 16;

    static readonly UTF8Encoding Utf8 = new(false);
    readonly FileStream file;
    readonly ArrayBufferWriter<byte> pending = new(Buffer);

    public QueueLogFile(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
    }

    public long Lines { get; private set; }

    /// <summary>The time of the last line written.</summary>
    public DateTimeOffset? Last { get; private set; }

    public void Write(in QueueLogEntry line)
    {
        Utf8.GetBytes(line.Text, pending);
        pending.Write("\n"u8);
        Lines++;
        Last = line.At;
        if (pending.WrittenCount >= Buffer) Flush();
    }

    public void Flush()
    {
        if (pending.WrittenCount == 0) return;
        file.Write(pending.WrittenSpan);
        pending.ResetWrittenCount();
    }

    /// <summary>Writes every line up to <paramref name="until"/>, flushed once at the end; true while lines remain.</summary>
    public bool WriteUntil(IEnumerator<QueueLogEntry> lines, bool hasLine, DateTimeOffset until)
    {
        while (hasLine && lines.Current.At <= until)
        {
            Write(lines.Current);
            hasLine = lines.MoveNext();
        }
        Flush();
        return hasLine;
    }

    /// <summary>
    /// Writes the history up to now at once, then each line when its time has come, for ever (until cancelled),
    /// saying a minute's count on <paramref name="log"/>.
    /// </summary>
    public async Task FollowAsync(IEnumerable<QueueLogEntry> source, TimeProvider time, TextWriter log, CancellationToken ct)
    {
        using var lines = source.GetEnumerator();
        var started = time.GetUtcNow();
        var hasLine = WriteUntil(lines, lines.MoveNext(), started);
        var took = (time.GetUtcNow() - started).TotalSeconds;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Stamp(time)} queue-log: history written: {Lines:N0} lines in {took:0.0} s; from now on each line when it happens"));
        var minuteStart = time.GetUtcNow();
        var minuteLines = Lines;
        while (hasLine)
        {
            await WaitUntil(lines.Current.At, time, ct);
            Write(lines.Current);
            Flush();
            hasLine = lines.MoveNext();
            var now = time.GetUtcNow();
            if (now - minuteStart >= TimeSpan.FromMinutes(1))
            {
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Stamp(time)} queue-log: last {(now - minuteStart).TotalSeconds:0} s: {Lines - minuteLines:N0} lines; total {Lines:N0}"));
                minuteStart = now;
                minuteLines = Lines;
            }
        }
    }

    static async Task WaitUntil(DateTimeOffset at, TimeProvider time, CancellationToken ct)
    {
        var wait = at - time.GetUtcNow();
        if (wait <= TimeSpan.Zero) return;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(wait, time, stop.Token);
        // A timer runs from the clock's now when it is set: had the clock moved past the time meanwhile, it would
        // wait that much longer.
        if (time.GetUtcNow() >= at)
        {
            await stop.CancelAsync();
            return;
        }
        await delay;
    }

    static string Stamp(TimeProvider time) => Demo.DemoPoster.Stamp(time);

    public void Dispose()
    {
        Flush();
        file.Dispose();
    }
}
