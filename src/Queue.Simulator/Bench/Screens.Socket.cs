using System.Text.Json;
using MessagePack;

namespace Queue.Simulator.Bench;

internal sealed partial class Screens
{
    // A screen by the lean client: it reads what a screen of the official client reads (ConnectAsync), in MessagePack.
    async Task<IAsyncDisposable> ConnectLeanAsync(int slot, Uri service, string key, CancellationToken ct)
    {
        var i = first + slot;
        ScreenSocket.Handler updated = mix.KindOf(i) == ScreenKind.Center && Interlocked.CompareExchange(ref measured, slot, -1) == -1
            ? (ref a) => CenterUpdated(slot, Argument<JsonElement>(ref a))
            : (ref a) => Updated(slot, Argument<ScreenChanges>(ref a));
        // What a screen receives besides, read as a page would (as the official client's screens read it), and counted.
        var handlers = new Dictionary<string, ScreenSocket.Handler>(StringComparer.Ordinal)
        {
            ["Updated"] = updated,
            ["AlertChanged"] = (ref a) => Argument<JsonElement>(ref a),
            ["DetailUpdated"] = (ref a) =>
            {
                Argument<JsonElement>(ref a);
                Interlocked.Increment(ref details);
            },
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

    // An invocation's one argument.
    static T Argument<T>(ref MessagePackReader arguments)
    {
        arguments.ReadArrayHeader();
        return MessagePackSerializer.Deserialize<T>(ref arguments, ScreenMessagePack.Options);
    }
}
