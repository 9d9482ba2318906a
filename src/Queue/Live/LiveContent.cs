using System.Text.Json;
using Queue.Redis;

namespace Queue.Live;

/// <summary>
/// What makes two snapshots different, as the publisher compares them (ADR 0009): every figure and state, not the
/// instant they were read, the window bounds that move with it, nor the longest wait that grows with it (screens tick
/// it from <c>oldestWaitingSince</c>).
/// </summary>
internal static class LiveContent
{
    public static string Of(QueueSnapshot s) => JsonSerializer.Serialize(
        s with
        {
            AsOf = default,
            LongestWaitSeconds = null,
            Windows = new LiveWindows3(Bounds(s.Windows.M15), Bounds(s.Windows.M60), Bounds(s.Windows.Today)),
            Visits = s.Visits with { From = default, To = default },
        }, RedisJson.Options);

    /// <summary>A queue in full: its snapshot's content (not its number), its waiting calls and agents, not the waits and times in status that grow.</summary>
    public static string Of(QueueDetail d) => Of(d.Snapshot with { Seq = 0 }) + JsonSerializer.Serialize(
        new { waiting = d.Waiting.Select(w => w with { WaitSeconds = 0 }), agents = d.AgentList.Select(a => a with { StatusSeconds = 0 }) }, RedisJson.Options);

    static LiveWindow Bounds(LiveWindow w) => w with { From = default, To = default };
}
