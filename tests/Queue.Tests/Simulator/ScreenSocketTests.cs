using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using MessagePack;
using Queue.Simulator.Bench;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Simulator;

/// <summary>
/// The bench's lean screen (<see cref="ScreenSocket"/>) against the service as a process: it is answered its watch and
/// then reads every round, as a page does; a wrong key and a failing hub method are told, and the screen goes on.
/// </summary>
public sealed class ScreenSocketTests(OwnService service) : IClassFixture<OwnService>
{
    [Fact]
    public async Task A_lean_screen_is_answered_its_watch_then_reads_each_change_of_what_it_watches()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = await service.Node.CreateKeyAsync("lean screen", "wallboard", ct);
        using var http = service.Client();
        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        await http.PostEventsRetryingAsync(Ev.Queued("lean-1", at, "lean-c1", "lean-a"));
        await LiveAsync(http, "lean-a", waiting: 1, ct);
        var updates = Channel.CreateUnbounded<ScreenChanges>();
        var handlers = new Dictionary<string, ScreenSocket.Handler>(StringComparer.Ordinal)
        {
            ["Updated"] = (ref a) =>
            {
                a.ReadArrayHeader();
                updates.Writer.TryWrite(MessagePackSerializer.Deserialize<ScreenChanges>(ref a, ScreenMessagePack.Options));
            },
        };
        await using var screen = await ScreenSocket.ConnectAsync(service.Node.Address, key, handlers, ScreenMessagePack.Options, ct);

        var watched = (await WatchedAsync(screen, ["lean-a", "lean-b"], ct)).Queues.ToDictionary(q => q.Queue);
        Assert.Equal(1, watched["lean-a"].CallsWaiting);

        // A change of a watched queue arrives, newer than what the watch answered (told against it, or whole the first
        // time the node sends the queue); an unwatched queue's does not.
        await http.PostEventsRetryingAsync(Ev.Queued("lean-2", at.AddSeconds(1), "lean-c2", "lean-a"), Ev.Queued("lean-3", at.AddSeconds(1), "lean-c3", "lean-z"));
        var change = await NextChangeAsync(updates, "lean-a", ct);
        Assert.Equal(2, change.Set.CallsWaiting);
        Assert.True(change.Base == 0 || change.Base == watched["lean-a"].Seq, $"a change told against {change.Base}");
        Assert.True(change.Seq > watched["lean-a"].Seq);

        await http.PostEventsRetryingAsync(Ev.Queued("lean-4", at.AddSeconds(2), "lean-c4", "lean-b"));
        Assert.Equal(1, (await NextChangeAsync(updates, "lean-b", ct)).Set.CallsWaiting);
        while (updates.Reader.TryRead(out var more)) Assert.DoesNotContain(more.Queues, q => q.Queue == "lean-z");
    }

    [Fact]
    public async Task A_wrong_key_is_told_and_a_failing_method_is_told_to_its_caller_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        var refused = await Assert.ThrowsAsync<BenchException>(() => ScreenSocket.ConnectAsync(service.Node.Address, "no-such-key", new Dictionary<string, ScreenSocket.Handler>(), ScreenMessagePack.Options, ct));
        Assert.Contains("401", refused.Message);

        var key = await service.Node.CreateKeyAsync("lean screen 2", "wallboard", ct);
        await using var screen = await ScreenSocket.ConnectAsync(service.Node.Address, key, new Dictionary<string, ScreenSocket.Handler>(), ScreenMessagePack.Options, ct);
        await Assert.ThrowsAsync<BenchException>(() => screen.InvokeAsync("NoSuchMethod", [], ct));
        // The connection stays: the next call is answered.
        Assert.NotNull((await WatchedAsync(screen, ["lean-x"], ct)).Queues);
    }

    // Until the queue's live state shows the calls posted.
    static async Task LiveAsync(HttpClient http, string queue, int waiting, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await http.GetFromJsonAsync<JsonElement>($"/api/queues/{queue}", ct)).GetProperty("snapshot").GetProperty("callsWaiting").GetInt32() != waiting)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{queue} never showed {waiting} waiting");
            await Task.Delay(50, ct);
        }
    }

    static async Task<ScreenWatched> WatchedAsync(ScreenSocket screen, string[] queues, CancellationToken ct) =>
        (await screen.InvokeAsync("Watch", [queues], ct)).Deserialize<ScreenWatched>(JsonSerializerOptions.Web)!;

    static async Task<ScreenChange> NextChangeAsync(Channel<ScreenChanges> updates, string queue, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        while (true)
        {
            var update = await updates.Reader.ReadAsync(timeout.Token);
            if (update.Queues.FirstOrDefault(q => q.Queue == queue) is { } change) return change;
        }
    }
}
