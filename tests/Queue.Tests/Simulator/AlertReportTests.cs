using Queue.Simulator.Bench;

namespace Queue.Tests.Simulator;

public sealed class AlertReportTests
{
    static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    static DateTimeOffset Ms(double ms) => T0.AddMilliseconds(ms);

    static EpisodeOutcome Episode(DateTimeOffset?[] raiseSeen, int[] raises, DateTimeOffset?[]? clearSeen = null, int[]? clears = null) =>
        new("q", T0, raiseSeen.FirstOrDefault(s => s is not null)?.AddMilliseconds(-10), raiseSeen, raises,
            T0.AddSeconds(1), clearSeen ?? [.. raiseSeen.Select(_ => (DateTimeOffset?)T0.AddSeconds(1.1))], clears ?? [.. raises.Select(_ => 1)]);

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var f = LatencyFigures.Of(Enumerable.Range(1, 100).Select(i => (double)i).Reverse());
        Assert.Equal(new LatencyFigures(100, 50, 95, 99, 100), f);
        Assert.Equal(new LatencyFigures(1, 7, 7, 7, 7), LatencyFigures.Of([7]));
        Assert.Equal(new LatencyFigures(0, 0, 0, 0, 0), LatencyFigures.Of([]));
    }

    [Fact]
    public void Every_clients_sighting_counts_and_a_late_or_absent_one_is_missed()
    {
        var episodes = new[]
        {
            Episode([Ms(100), Ms(120)], [1, 1]),
            Episode([Ms(300), null], [1, 0]),                  // one client never saw it
            Episode([Ms(200), Ms(6_000)], [1, 1]),             // one saw it after the timeout
        };
        var f = EpisodeFigures.Of("queue.wait", "crossing", 30, queues: 1, clients: 2, episodes, Timeout);

        Assert.Equal(3, f.Episodes);
        Assert.Equal(1, f.Raised);
        Assert.Equal(2, f.Missed);
        Assert.Equal(0, f.Duplicates);
        Assert.Equal(4, f.Raise.Count);
        Assert.Equal(300, f.Raise.MaxMs);
        Assert.Equal(120, f.Raise.P50Ms);
        // Slowest first; a client that never saw the raise puts its episode at the top.
        Assert.Null(f.Slowest[0].LastSeenMs);
        Assert.Equal(6_000, f.Slowest[1].LastSeenMs);
    }

    [Fact]
    public void Second_raise_in_an_episode_is_a_duplicate_and_one_before_the_crossing_is_early()
    {
        var f = EpisodeFigures.Of("queue.wait", "crossing", 30, queues: 1, clients: 1,
            [Episode([Ms(-5)], [2]), Episode([Ms(50)], [1])], Timeout);

        Assert.Equal(2, f.Raised);
        Assert.Equal(1, f.Duplicates);
        Assert.Equal(1, f.Early);
        Assert.Equal(-5, f.Raise.P50Ms);
    }

    [Fact]
    public void Clears_are_timed_from_the_answer_and_only_for_episodes_that_were_raised()
    {
        var raised = Episode([Ms(100)], [1], [T0.AddSeconds(1.25)], [1]);
        var never = Episode([null], [0], [null], [0]);
        var f = EpisodeFigures.Of("queue.wait", "crossing", 30, queues: 1, clients: 1, [raised, never], Timeout);

        Assert.Equal(1, f.Cleared);
        Assert.Equal(0, f.ClearMissed);
        Assert.Equal(new LatencyFigures(1, 250, 250, 250, 250), f.Clear);
        Assert.Equal(1, f.Missed);
    }
}
