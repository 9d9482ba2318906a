using Microsoft.Extensions.Time.Testing;
using Queue.Live;

namespace Queue.Tests.Live;

/// <summary>A queue's alert deadline: looked at once when it comes, replaced by the next one named, gone with its node.</summary>
public sealed class LiveDeadlinesTests
{
    readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 11, 23, 5, 0, 0, TimeSpan.Zero));
    readonly List<string> looked = [];

    Task Look(string queue)
    {
        lock (looked) looked.Add(queue);
        return Task.CompletedTask;
    }

    [Fact]
    public void A_deadline_is_looked_at_once_when_it_comes_and_not_before()
    {
        using var deadlines = new LiveDeadlines(time);
        deadlines.Set("b2c", time.GetUtcNow().AddSeconds(30), Look);
        time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.Empty(looked);
        time.Advance(TimeSpan.FromTicks(1));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["b2c"], looked);
    }

    [Fact]
    public void The_next_deadline_named_replaces_the_one_before_and_none_named_leaves_none()
    {
        using var deadlines = new LiveDeadlines(time);
        deadlines.Set("b2c", time.GetUtcNow().AddSeconds(30), Look);
        deadlines.Set("b2c", time.GetUtcNow().AddSeconds(10), Look);
        deadlines.Set("b2b", time.GetUtcNow().AddSeconds(20), Look);
        deadlines.Set("b2b", null, Look);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["b2c"], looked);
    }

    [Fact]
    public void A_deadline_already_passed_is_looked_at_at_once()
    {
        using var deadlines = new LiveDeadlines(time);
        deadlines.Set("b2c", time.GetUtcNow().AddSeconds(-1), Look);
        Assert.Equal(["b2c"], looked);
    }

    [Fact]
    public void A_stopped_node_s_deadlines_look_at_nothing_more()
    {
        var deadlines = new LiveDeadlines(time);
        deadlines.Set("b2c", time.GetUtcNow().AddSeconds(30), Look);
        deadlines.Dispose();
        deadlines.Set("b2b", time.GetUtcNow().AddSeconds(5), Look);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(looked);
    }
}
