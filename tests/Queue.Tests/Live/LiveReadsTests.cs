using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Queue.Live;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>
/// A publishing round reads each queue once, at one instant (<see cref="LiveReads"/>): its queues' snapshots, its center
/// and its teams' sums are made of the same reads. So the center a screen gets in a round adds up the queues it gets in
/// that round, whatever came in while the round was being read, and no queue is read twice for one round.
/// </summary>
public sealed class LiveReadsTests(QueueApp app) : IClassFixture<QueueApp>
{
    [Fact]
    public async Task A_rounds_center_and_teams_add_up_the_queues_as_the_round_read_them_not_as_read_again_later()
    {
        using var http = app.Client();
        var view = app.Factory.Services.GetRequiredService<LiveView>();
        var now = app.Time.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("lr-1", now.AddSeconds(-3), "lr-c1", "lr-a"), Ev.Queued("lr-2", now.AddSeconds(-2), "lr-c2", "lr-b"))).StatusCode);
        await app.LiveCaughtUpAsync();

        // The round reads lr-a; a call comes into it before the round has read the center.
        var reads = view.Reads();
        var a = await reads.ReadAsync("lr-a");
        Assert.Equal(1, a.Waiting);
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued("lr-3", now.AddSeconds(-1), "lr-c3", "lr-a"))).StatusCode);
        await app.LiveCaughtUpAsync();

        // Within the round, lr-a is what the round read: once, not again.
        Assert.Same(a, await reads.ReadAsync("lr-a"));
        var center = await view.CenterAsync(seq: 0, reads);
        var team = await view.TeamAsync(["lr-a", "lr-b"], seq: 0, reads);
        Assert.Equal(2, center.CallsWaiting);
        Assert.Equal(2, team.CallsWaiting);

        // Read anew (the next round, the API), the call that came in counts.
        Assert.Equal(3, (await view.CenterAsync()).CallsWaiting);
        Assert.Equal(3, (await view.TeamAsync(["lr-a", "lr-b"])).CallsWaiting);
        Assert.Equal(2, (await view.Reads().ReadAsync("lr-a")).Waiting);
    }
}
