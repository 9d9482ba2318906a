using Microsoft.Extensions.Time.Testing;
using Queue.Simulator.QueueLog;
using Queue.Simulator.Traffic;

namespace Queue.Tests.Simulator;

/// <summary>The queue_log written live: history at once, then each line once its time has come, readable as soon as written.</summary>
public sealed class QueueLogFollowTests : IDisposable
{
    static readonly DateTimeOffset Now = new(2026, 3, 4, 11, 20, 0, TimeSpan.FromHours(5));

    readonly string dir = Directory.CreateTempSubdirectory("queue-log-follow-").FullName;

    [Fact]
    public async Task History_is_written_at_once_and_each_later_line_when_its_time_comes_never_before()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new FakeTimeProvider(Now);
        var center = QueueLogCommand.Center(operators: 20);
        string[] queues = [.. center.Queues.Select(q => q.Name)];
        IEnumerable<QueueLogEntry> Lines() => AsteriskQueueLog.Write(DemoTraffic.Run(center, Now.AddHours(-2)), queues);
        var expected = Lines().TakeWhile(l => l.At <= Now.AddMinutes(5)).ToList();
        var path = Path.Combine(dir, "queue_log");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var file = new QueueLogFile(path);
        var following = Task.Run(() => file.FollowAsync(Lines(), time, TextWriter.Null, cancel.Token), ct);

        var history = await Written(path, expected.Count(l => l.At <= Now), ct);
        Assert.True(history.Count > 200, $"{history.Count} lines");
        Assert.Equal(expected.Take(history.Count).Select(l => l.Text), history);

        for (var minute = 1; minute <= 5; minute++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            // Each line is whole and flushed as it is written: a reader has it at once, and nothing from the future.
            var written = await Written(path, expected.Count(l => l.At <= Now.AddMinutes(minute)), ct);
            Assert.Equal(expected.Take(written.Count).Select(l => l.Text), written);
        }
        Assert.True(expected.Count > history.Count);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => following);
    }

    /// <summary>The file's lines once it holds <paramref name="count"/> (waiting a few seconds at most), checked to hold no more a moment later.</summary>
    static async Task<List<string>> Written(string path, int count, CancellationToken ct)
    {
        for (var i = 0; i < 100 && Read(path).Count < count; i++) await Task.Delay(50, ct);
        await Task.Delay(100, ct);
        var lines = Read(path);
        Assert.Equal(count, lines.Count);
        return lines;
    }

    static List<string> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var text = new StreamReader(stream).ReadToEnd();
        Assert.True(text.Length == 0 || text[^1] == '\n', "a line was left half-written");
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
