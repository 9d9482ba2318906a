using Queue.Simulator.Bench;
using Queue.Staffing;
using Queue.Targets;

namespace Queue.Tests.Staffing;

/// <summary>
/// <c>queue-sim ewt</c>'s replay: each caller is told, as it joins, what the endpoint's model says from the events up
/// to then (agents serving, the last hour's talk, callers ahead), and scored against the wait that happened.
/// </summary>
public sealed class EwtReplayTests
{
    static readonly DateTimeOffset T = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    static EwtReplay Replay(params EwtStep[] steps)
    {
        var replay = new EwtReplay(new TargetOptions());
        foreach (var s in steps) replay.Apply(s);
        return replay;
    }

    static IEnumerable<EwtStep> Call(string id, DateTimeOffset queued, TimeSpan talk) =>
    [
        new EwtStep.Queued(queued, id, "q"),
        new EwtStep.Answered(queued, id),
        new EwtStep.Completed(queued + talk, id),
    ];

    static EwtStep[] TwoBusyAgentsWithThreeCallsOf180sInTheHour() =>
    [
        new EwtStep.Agent(T.AddHours(-3), "a1", "available", ["q"]),
        new EwtStep.Agent(T.AddHours(-3), "a2", "available", ["q"]),
        // Talked out of the last hour: not the handle time now.
        .. Call("c0", T.AddMinutes(-130), TimeSpan.FromSeconds(1020)),
        .. Call("c1", T.AddMinutes(-40), TimeSpan.FromSeconds(180)),
        .. Call("c2", T.AddMinutes(-30), TimeSpan.FromSeconds(180)),
        .. Call("c3", T.AddMinutes(-20), TimeSpan.FromSeconds(180)),
        new EwtStep.Agent(T.AddMinutes(-1), "a1", "busy", null),
        new EwtStep.Agent(T.AddMinutes(-1), "a2", "busy", null),
    ];

    [Fact]
    public void A_caller_is_told_the_endpoints_wait_from_the_last_hour_and_scored_against_its_wait()
    {
        var replay = Replay([
            .. TwoBusyAgentsWithThreeCallsOf180sInTheHour(),
            new EwtStep.Queued(T, "c4", "q"),
            new EwtStep.Queued(T.AddSeconds(10), "c5", "q"),
            new EwtStep.Answered(T.AddSeconds(60), "c4"),
            new EwtStep.Abandoned(T.AddSeconds(100), "c5"),
        ]);

        // First in line, both agents busy, 180 s handle time: one frees up every 90 s on average.
        var told = ExpectedWait.Of(1, 0, 2, TimeSpan.FromSeconds(180), null)!;
        // The four answered at once with an agent free were told 0 s, and waited that.
        Assert.Equal(5, replay.Score.All().Count);
        Assert.Equal((told.MeanSeconds - 60) / 5, replay.Score.All().MeanError, 6);
        var waited = replay.Score.ToldToWait();
        Assert.Equal(1, waited.Count);
        Assert.Equal(told.MeanSeconds - 60, waited.MeanError, 6);
        Assert.Equal(1.0, waited.Within30);
        Assert.Equal(1.0, waited.InsideRange);
        Assert.Equal(1, replay.Score.Abandoned);
    }

    [Fact]
    public void The_second_in_line_waits_two_stages_and_an_abandon_gives_the_next_callers_a_patience()
    {
        var replay = Replay([
            .. TwoBusyAgentsWithThreeCallsOf180sInTheHour(),
            new EwtStep.Queued(T, "c4", "q"),
            new EwtStep.Abandoned(T.AddSeconds(40), "c4"),
            new EwtStep.Queued(T.AddSeconds(50), "c5", "q"),
            new EwtStep.Queued(T.AddSeconds(51), "c6", "q"),
            new EwtStep.Answered(T.AddSeconds(150), "c6"),
        ]);

        // The hour's waits (3 answered at once, c4's 40 s) over its one abandon: a mean patience of 40 s.
        var told = ExpectedWait.Of(2, 0, 2, TimeSpan.FromSeconds(180), TimeSpan.FromSeconds(40))!;
        var waited = replay.Score.ToldToWait();
        Assert.Equal(1, waited.Count);
        Assert.Equal(told.MeanSeconds - 99, waited.MeanError, 6);
    }

    [Fact]
    public void Without_a_completed_call_in_the_hour_a_caller_is_answered_without_an_estimate()
    {
        var replay = Replay(
            new EwtStep.Agent(T.AddHours(-1), "a1", "busy", ["q"]),
            new EwtStep.Queued(T, "c1", "q"),
            new EwtStep.Answered(T.AddSeconds(30), "c1"));

        Assert.Equal(0, replay.Score.All().Count);
        Assert.Equal(1, replay.Score.Unestimated);
    }
}
