using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Queue.Simulator.Bench;
using Queue.Tests.Infrastructure;
using Queue.Tests.Live;

namespace Queue.Tests.Simulator;

/// <summary>
/// The bench's lean screen (<see cref="ScreenSocket"/>) against the service as a process: it is answered its watch and
/// then reads every round, as a page does; a wrong key and a failing hub method are told, and the screen goes on.
/// </summary>
public sealed class ScreenSocketTests(OwnService service) : IClassFixture<OwnService>
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_lean_screen_is_answered_its_watch_then_reads_each_change_of_what_it_watches()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await service.Node.CreateKeyAsync("lean screen", "wallboard", ct);
        using var http = service.Client();
        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        await http.PostEventsRetryingAsync(Ev.Queued("lean-1", at, "lean-c1", "lean-a"));
        await Wake.FollowsAsync(http, "lean-a", 1, Stopwatch.StartNew(), "lean-1");
        var updates = Channel.CreateUnbounded<ScreenChanges>();
        var handlers = new Dictionary<string, ScreenSocket.Handler>(StringComparer.Ordinal)
        {
            ["Updated"] = ScreenSocket.On<ScreenChanges>(u => updates.Writer.TryWrite(u)),
        };
        await using var screen = await ScreenSocket.ConnectAsync(service.Node.Address, key, handlers, ScreenMessagePack.Options, ct);

        var watched = (await WatchedAsync(screen, ["lean-a", "lean-b"], ct)).Queues.ToDictionary(q => q.Queue);
        Assert.Equal(1, watched["lean-a"].CallsWaiting);

        // A change of a watched queue arrives, newer than what the watch answered (told against it, or whole the first
        // time the node sends the queue); an unwatched queue's does not.
        var read = new List<ScreenChanges>();
        await http.PostEventsRetryingAsync(Ev.Queued("lean-2", at.AddSeconds(1), "lean-c2", "lean-a"), Ev.Queued("lean-3", at.AddSeconds(1), "lean-c3", "lean-z"));
        var change = await ChangeAsync(updates, read, "lean-a", waiting: 2, ct);
        Assert.True(change.Base == 0 || change.Base == watched["lean-a"].Seq, $"a change told against {change.Base}");
        Assert.True(change.Seq > watched["lean-a"].Seq);

        await http.PostEventsRetryingAsync(Ev.Queued("lean-4", at.AddSeconds(2), "lean-c4", "lean-b"));
        await ChangeAsync(updates, read, "lean-b", waiting: 1, ct);
        Assert.DoesNotContain(read.SelectMany(u => u.Queues), q => q.Queue == "lean-z");
    }

    [Fact]
    public async Task An_answer_larger_than_the_screens_buffer_and_split_over_many_reads_is_read_whole()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await service.Node.CreateKeyAsync("lean screen 3", "wallboard", ct);
        await using var screen = await ScreenSocket.ConnectAsync(service.Node.Address, key, new Dictionary<string, ScreenSocket.Handler>(), ScreenMessagePack.Options, ct);
        // A hundred snapshots, the most a screen may watch: well over the 16 KB the screen starts reading into.
        string[] queues = [.. Enumerable.Range(0, 100).Select(i => $"lean-many-{i}")];

        var answer = await screen.InvokeAsync("Watch", [queues], ct).WaitAsync(Within, ct);

        // Twice the buffer in JSON; MessagePack spares the quotes, colons and commas, not half of it.
        Assert.True(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(answer).Length > 32 * 1024);
        Assert.Equal(queues, answer.Deserialize<ScreenWatched>(JsonSerializerOptions.Web)!.Queues.Select(q => q.Queue));
        // And the connection reads on after it.
        Assert.Single((await WatchedAsync(screen, ["lean-many-0"], ct)).Queues);
    }

    [Fact]
    public async Task A_wrong_key_is_told_and_a_failing_method_is_told_to_its_caller_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        var refused = await Assert.ThrowsAsync<BenchException>(() => ScreenSocket.ConnectAsync(service.Node.Address, "no-such-key", new Dictionary<string, ScreenSocket.Handler>(), ScreenMessagePack.Options, ct));
        Assert.Contains("401", refused.Message);

        var key = await service.Node.CreateKeyAsync("lean screen 2", "wallboard", ct);
        await using var screen = await ScreenSocket.ConnectAsync(service.Node.Address, key, new Dictionary<string, ScreenSocket.Handler>(), ScreenMessagePack.Options, ct);
        await Assert.ThrowsAsync<BenchException>(() => screen.InvokeAsync("NoSuchMethod", [], ct).WaitAsync(Within, ct));
        // The connection stays: the next call is answered.
        Assert.NotNull((await WatchedAsync(screen, ["lean-x"], ct)).Queues);
    }

    static async Task<ScreenWatched> WatchedAsync(ScreenSocket screen, string[] queues, CancellationToken ct) =>
        (await screen.InvokeAsync("Watch", [queues], ct).WaitAsync(Within, ct)).Deserialize<ScreenWatched>(JsonSerializerOptions.Web)!;

    // The first change of queue showing waiting calls; every update read on the way is kept in read.
    static async Task<ScreenChange> ChangeAsync(Channel<ScreenChanges> updates, List<ScreenChanges> read, string queue, long waiting, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Within);
        while (true)
        {
            var update = await updates.Reader.ReadAsync(timeout.Token);
            read.Add(update);
            if (update.Queues.FirstOrDefault(q => q.Queue == queue && q.Set.CallsWaiting == waiting) is { } change) return change;
        }
    }
}
