using System.Text.Json;
using MessagePack;

namespace Queue.Simulator.Bench;

internal sealed partial class Screens
{
    // A screen by the lean client: what it reads and says is the official client's (ConnectAsync), in MessagePack.
    async Task<IAsyncDisposable> ConnectLeanAsync(int slot, Uri service, string key, CancellationToken ct)
    {
        var i = first + slot;
        ScreenSocket.Handler updated = mix.KindOf(i) == ScreenKind.Center && Interlocked.CompareExchange(ref measured, slot, -1) == -1
            ? (ref a) =>
            {
                a.ReadArrayHeader();
                var u = MessagePackSerializer.Deserialize<JsonElement>(ref a, ScreenMessagePack.Options);
                Interlocked.Add(ref centerBytes, System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(u).Length);
                Updated(slot, u.Deserialize<ScreenChanges>(JsonSerializerOptions.Web)!);
            }
            : (ref a) =>
            {
                a.ReadArrayHeader();
                Updated(slot, MessagePackSerializer.Deserialize<ScreenChanges>(ref a, ScreenMessagePack.Options));
            };
        var handlers = new Dictionary<string, ScreenSocket.Handler>(StringComparer.Ordinal)
        {
            ["Updated"] = updated,
            ["DetailUpdated"] = (ref _) => Interlocked.Increment(ref details),
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
