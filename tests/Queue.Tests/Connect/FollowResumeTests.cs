using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Queue.Connect;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;
using static Queue.Tests.Connect.ConnectFiles;

namespace Queue.Tests.Connect;

/// <summary>
/// Following a log with a state file, stopped half-way and started again: the service gets exactly the events an
/// import of the whole file gives — none lost, none sent twice — and a stale state file sends only duplicates.
/// </summary>
public sealed class FollowResumeTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("queue-connect-").FullName;
    string Log => Path.Combine(dir, "queue_log");
    string State => Path.Combine(dir, "queue_log.state");

    static readonly PosterOptions Quick = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_follower_stopped_and_started_again_sends_every_event_once()
    {
        await using var service = await new LoopbackService((_, _) => (200, "", null)).StartAsync();
        var (first, rest) = Split();
        File.WriteAllBytes(Log, first);

        await FollowToEndAsync(service, At(205));
        File.AppendAllBytes(Log, rest);
        await FollowToEndAsync(service, At(5300));

        var expected = Map("day.queue_log").Events.Select(e => JsonNode.Parse(WireJson.Serialize(e))!.ToJsonString()).Order().ToList();
        var posted = service.Taken.Select(e => e.ToJsonString()).Order().ToList();
        Assert.Equal(expected, posted);
    }

    [Fact]
    public async Task A_stale_state_file_sends_again_only_what_the_service_already_has()
    {
        await using var service = await new LoopbackService((_, _) => (200, "", null)).StartAsync();
        var (first, rest) = Split();
        File.WriteAllBytes(Log, first);
        await FollowToEndAsync(service, At(205));
        File.Copy(State, State + ".old");
        File.AppendAllBytes(Log, rest);
        await FollowToEndAsync(service, At(5300));
        var taken = service.Taken.Count;

        File.Copy(State + ".old", State, overwrite: true);
        var again = await FollowToEndAsync(service, At(5300));

        Assert.True(again.Posted.Received > 0);
        Assert.Equal(0, again.Posted.New);
        Assert.Equal(again.Posted.Received, again.Posted.Duplicates);
        Assert.Equal(taken, service.Taken.Select(e => (string)e["id"]!).Distinct().Count());
    }

    // The day's first 14 lines (to the end of the first call), and the rest.
    static (byte[] Head, byte[] Tail) Split()
    {
        var all = File.ReadAllBytes(PathOf("day.queue_log"));
        var cut = 0;
        for (var n = 0; n < 14; n++) cut = Array.IndexOf(all, (byte)'\n', cut) + 1;
        return (all[..cut], all[cut..]);
    }

    async Task<RunSummary> FollowToEndAsync(LoopbackService service, DateTimeOffset now)
    {
        using var http = service.Client();
        var poster = new EventPoster(http, "key", new RejectFile(Path.Combine(dir, "rejects.jsonl"), TimeProvider.System), NullLogger.Instance, TimeProvider.System, Quick);
        var clock = new FakeTimeProvider(now);
        using var follower = new FileFollower(Log, State, MappingOptions.For("pbx"), poster, clock, TimeSpan.Zero, NullLogger.Instance);
        for (var step = 0; step < 1000 && !await follower.StepAsync(TestContext.Current.CancellationToken); step++) { }
        Assert.Equal(0, follower.Pump.Waiting);
        return follower.Pump.Summary;
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
