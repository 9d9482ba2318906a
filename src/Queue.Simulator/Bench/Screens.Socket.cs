using System.Text.Json;

namespace Queue.Simulator.Bench;

internal sealed partial class Screens
{
    // A screen by the lean client: it reads what a screen of the official client reads (ConnectAsync), in MessagePack.
    async Task<IAsyncDisposable> ConnectLeanAsync(int slot, Uri service, string key, CancellationToken ct)
    {
        var i = first + slot;
        var updated = mix.KindOf(i) == ScreenKind.Center && Interlocked.CompareExchange(ref measured, slot, -1) == -1
            ? ScreenSocket.On<JsonElement>(u => CenterUpdated(slot, u))
            : ScreenSocket.On<ScreenChanges>(u => Updated(slot, u));
        // What a screen receives besides, read as a page would (as the official client's screens read it), and counted.
        var handlers = new Dictionary<string, ScreenSocket.Handler>(StringComparer.Ordinal)
        {
            ["Updated"] = updated,
            ["AlertChanged"] = ScreenSocket.On<JsonElement>(_ => { }),
            ["DetailUpdated"] = ScreenSocket.On<JsonElement>(_ => Interlocked.Increment(ref details)),
        };
        var screen = await ScreenSocket.ConnectAsync(service, key, handlers, ScreenMessagePack.Options, ct);
        try
        {
            await WatchAsync(slot, queues => screen.InvokeAsync("Watch", [queues], ct), mix.KindOf(i) == ScreenKind.Wallboard ? Shown(i) : null);
            if (mix.KindOf(i) == ScreenKind.Console) await screen.InvokeAsync("JoinDetail", [SteadyLoad.QueueName(i % queues)], ct);
            return screen;
        }
        catch
        {
            await screen.DisposeAsync();
            throw;
        }
    }
}
