using System.Text.Json;
using MessagePack;
using Queue.Live;
using Queue.Simulator.Bench;

namespace Queue.Tests.Simulator;

/// <summary>The bench's screens read an <c>Updated</c> in MessagePack into the same figures as they read it in JSON.</summary>
public sealed class ScreenMessagePackTests
{
    [Fact]
    public void An_update_read_in_MessagePack_gives_the_figures_the_JSON_one_gives()
    {
        var whole = JsonDocument.Parse("""
            {"queue":"b2c","callsWaiting":4,"asOf":"2026-12-06T10:00:00.123+00:00","longestWaitSince":null,"agents":{"busy":3,"idle":[1,2]},
             "windows":{"lastHour":{"answered":7,"from":"x"},"today":{"offered":30,"answered":29,"averageWait":12.5},"week":null}}
            """).RootElement;
        var change = JsonDocument.Parse("""{"callsWaiting":null,"windows":{"today":{"answered":31}},"asOf":"2026-12-06T10:00:01+00:00"}""").RootElement;
        var waitingOnly = JsonDocument.Parse("""{"callsWaiting":0,"windows":{"today":null}}""").RootElement;
        var update = new LiveChanges(
            new SnapshotChange(null, 40, 39, JsonDocument.Parse("""{"callsWaiting":9,"queues":["b2c"]}""").RootElement),
            [new SnapshotChange("b2c", 12, 0, whole), new SnapshotChange("b2b", 8, 7, change), new SnapshotChange("probe", 3, 2, waitingOnly)]);

        var lean = MessagePackSerializer.Deserialize<ScreenChanges>(MessagePackSerializer.Serialize(update, LiveMessagePack.Options), ScreenMessagePack.Options);
        var json = JsonSerializer.Deserialize<ScreenChanges>(JsonSerializer.Serialize(update, JsonSerializerOptions.Web), JsonSerializerOptions.Web)!;

        Assert.Equal(3, lean.Queues.Count);
        Assert.Equal(json.Queues.Select(Figures), lean.Queues.Select(Figures));
        Assert.Equal(("b2c", 12L, 0L, 4L, DateTimeOffset.Parse("2026-12-06T10:00:00.123+00:00"), 29L), Figures(lean.Queues[0]));
        Assert.Equal(("b2b", 8L, 7L, (long?)null, DateTimeOffset.Parse("2026-12-06T10:00:01+00:00"), 31L), Figures(lean.Queues[1]));
        Assert.Equal(("probe", 3L, 2L, 0L, (DateTimeOffset?)null, (long?)null), Figures(lean.Queues[2]));
    }

    [Fact]
    public void An_update_with_no_queue_changed_reads_as_none()
    {
        var update = new LiveChanges(new SnapshotChange(null, 2, 1, JsonDocument.Parse("""{"callsWaiting":1}""").RootElement), []);
        var lean = MessagePackSerializer.Deserialize<ScreenChanges>(MessagePackSerializer.Serialize(update, LiveMessagePack.Options), ScreenMessagePack.Options);
        Assert.Empty(lean.Queues);
    }

    static (string, long, long, long?, DateTimeOffset?, long?) Figures(ScreenChange c) =>
        (c.Queue, c.Seq, c.Base, c.Set.CallsWaiting, c.Set.AsOf, c.Set.Windows?.Today?.Answered);
}
