using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Queue.Connect;
using Queue.Connect.FreeSwitch;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;

namespace Queue.Tests.Connect;

/// <summary>
/// The freeswitch connector against an event socket written here (the documented protocol on loopback) and a stand-in
/// for the service: a day replayed over a connection that dies in the middle of an event, then again from a little
/// before; and a wrong password, corrected while the connector keeps trying.
/// </summary>
public sealed class EslFollowTests : IDisposable
{
    const string Password = "esl-s3cret";
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    static readonly EslOptions Quick = new(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
    static readonly PosterOptions QuickPost = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));

    readonly string dir = Directory.CreateTempSubdirectory("queue-esl-").FullName;
    readonly CapturedLog log = new();

    string PasswordFile => Path.Combine(dir, "esl.password");

    [Fact]
    public async Task A_day_replayed_over_a_connection_that_drops_mid_event_arrives_whole_with_only_duplicates_resent()
    {
        const int drop = 20;
        var day = CallCenterFiles.Day;
        await using var peer = new EslPeer(Password, async (n, c, ct) =>
        {
            if (n == 1)
            {
                foreach (var body in day.Take(drop)) await c.SendEventAsync(body, ct);
                await c.SendHalfAnEventAsync(day[drop], ct);
                return;
            }
            // The switch again: from a little before where the first connection died (those two are sent twice).
            foreach (var body in day.Skip(drop - 2)) await c.SendEventAsync(body, ct);
            await Task.Delay(Timeout.Infinite, ct);
        }).Start();
        await using var service = await new LoopbackService((_, _) => (200, "", null)).StartAsync();
        File.WriteAllText(PasswordFile, Password + "\n");
        var expected = CallCenterFiles.Map(day).Events.ToDictionary(e => e.Id, e => JsonNode.Parse(WireJson.Serialize(e))!.ToJsonString());

        var (follower, pump, running, stop) = Follow(peer, service);
        // Until the connector has its answer for the last batch too: the service takes a batch before it answers, and
        // a batch stopped between the two is taken but not counted.
        await Until(() => Ids(service).Count >= expected.Count && pump.Summary.Posted.New >= expected.Count);
        await stop.CancelAsync();
        await Stopped(running);

        Assert.Empty(peer.Problems);
        Assert.Equal(2, follower.Connections);
        Assert.Equal(expected.Keys.Order(), Ids(service).Order());
        foreach (var e in service.Taken) Assert.Equal(expected[(string)e["id"]!], e.ToJsonString());
        Assert.Equal(expected.Count, pump.Summary.Posted.New);
        Assert.True(pump.Summary.Posted.Duplicates <= 2, $"{pump.Summary.Posted.Duplicates} duplicates");
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("closed the connection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_is_said_plainly_and_tried_again_with_back_off_until_it_is_corrected()
    {
        var day = CallCenterFiles.Day;
        await using var peer = new EslPeer(Password, async (_, c, ct) =>
        {
            foreach (var body in day.Take(6)) await c.SendEventAsync(body, ct);
            await Task.Delay(Timeout.Infinite, ct);
        }).Start();
        await using var service = await new LoopbackService((_, _) => (200, "", null)).StartAsync();
        File.WriteAllText(PasswordFile, "not-the-password");

        var (follower, _, running, stop) = Follow(peer, service);
        await Until(() => peer.AuthAttempts >= 3);
        Assert.False(running.IsCompleted);
        Assert.Equal(0, follower.Connections);
        File.WriteAllText(PasswordFile, Password);
        await Until(() => Ids(service).Count >= 6);
        await stop.CancelAsync();
        await Stopped(running);

        Assert.Equal(1, follower.Connections);
        var refused = log.Entries.Where(e => e.Level == LogLevel.Error).ToList();
        Assert.True(refused.Count >= 3);
        Assert.All(refused, e => Assert.Contains("refused the password", e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains(Password, StringComparison.Ordinal) || e.Message.Contains("not-the-password", StringComparison.Ordinal));
    }

    (EslFollower Follower, Pump<EslEvent> Pump, Task Running, CancellationTokenSource Stop) Follow(EslPeer peer, LoopbackService service)
    {
        var http = service.Client();
        var poster = new EventPoster(http, "key", new RejectFile(Path.Combine(dir, "rejects.jsonl"), TimeProvider.System), log, TimeProvider.System, QuickPost);
        var pump = new Pump<EslEvent>(new CallCenterMapper("fs"), poster, log);
        var follower = new EslFollower("127.0.0.1", peer.Port, () => File.ReadAllText(PasswordFile).Trim(), pump, TimeProvider.System, Quick, log);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(Deadline * 2);
        var running = Task.Run(async () =>
        {
            try
            {
                await follower.RunAsync(stop.Token);
            }
            finally
            {
                http.Dispose();
            }
        });
        return (follower, pump, running, stop);
    }

    static List<string> Ids(LoopbackService service)
    {
        lock (service.Taken) return [.. service.Taken.Select(e => (string)e["id"]!).Distinct()];
    }

    // Polls with a bounded deadline: the test ends by itself whatever happens.
    static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not reached within the deadline");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    static async Task Stopped(Task running)
    {
        try
        {
            await running.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}

/// <summary>A logger that keeps what it is told, to assert on what an operator would read.</summary>
internal sealed class CapturedLog : ILogger
{
    public List<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (entries) return [.. entries];
        }
    }

    readonly List<(LogLevel, string)> entries = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (entries) entries.Add((logLevel, formatter(state, exception)));
    }
}
