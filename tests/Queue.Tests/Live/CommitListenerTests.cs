using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Queue.EventLog;
using Queue.Live;

namespace Queue.Tests.Live;

/// <summary>
/// ADR 0002, without I/O: when the follower looks next (<see cref="CommitListener.Pause"/>), and how wakes end its
/// wait, on a fake clock. Nothing here opens a connection: the listener is never started.
/// </summary>
public sealed class CommitListenerTests : IDisposable
{
    static readonly LiveOptions Options = new() { PollInterval = TimeSpan.FromMilliseconds(25), ListeningPollInterval = TimeSpan.FromSeconds(1) };

    readonly FakeTimeProvider clock = new();
    readonly NpgsqlDataSource nowhere = NpgsqlDataSource.Create("Host=127.0.0.1;Port=9;Database=none");
    readonly CommitAnnouncer announcer;
    readonly CommitListener listener;

    public CommitListenerTests()
    {
        announcer = new CommitAnnouncer(nowhere, NullLogger<CommitAnnouncer>.Instance);
        listener = new CommitListener(NpgsqlDataSource.Create("Host=127.0.0.1;Port=9;Database=none"), announcer, NullLogger<CommitListener>.Instance, clock);
    }

    public void Dispose()
    {
        listener.Dispose();
        announcer.Dispose();
        nowhere.Dispose();
    }

    static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("More", true, 0)]
    [InlineData("More", false, 0)]
    [InlineData("HeldBack", true, 25)]
    [InlineData("HeldBack", false, 25)]
    [InlineData("CaughtUp", true, 1_000)]
    [InlineData("CaughtUp", false, 25)]
    public void The_follower_looks_at_once_with_more_soon_while_held_back_or_deaf_and_at_the_safety_poll_while_it_listens(
        string step, bool listening, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), CommitListener.Pause(Enum.Parse<FollowStep>(step), listening, Options));

    [Theory]
    [InlineData("More", 0)]
    [InlineData("HeldBack", 25)]
    [InlineData("CaughtUp", 25)]
    public void Looks_are_spaced_by_the_poll_interval_but_to_go_on_with_a_full_page(string step, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), CommitListener.Spacing(Enum.Parse<FollowStep>(step), 0, Options));

    static readonly LiveOptions Stretching = new() { PollInterval = TimeSpan.FromMilliseconds(10), PollStretchRate = 1_000, BusyPollInterval = TimeSpan.FromMilliseconds(60) };

    [Theory]
    [InlineData(0, "CaughtUp", 10)]
    [InlineData(1_000, "CaughtUp", 10)]
    [InlineData(2_500, "CaughtUp", 25)]
    [InlineData(5_000, "HeldBack", 50)]
    [InlineData(6_000, "CaughtUp", 60)]
    [InlineData(50_000, "CaughtUp", 60)]
    [InlineData(50_000, "More", 0)]
    public void Under_a_busy_log_looks_start_further_apart_in_proportion_to_its_rate_up_to_the_busy_interval(double rate, string step, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), CommitListener.Spacing(Enum.Parse<FollowStep>(step), rate, Stretching));

    [Fact]
    public void A_busy_interval_below_the_poll_interval_never_brings_looks_closer()
    {
        var options = new LiveOptions { PollInterval = TimeSpan.FromMilliseconds(25), BusyPollInterval = TimeSpan.FromMilliseconds(5) };
        Assert.Equal(TimeSpan.FromMilliseconds(25), CommitListener.Spacing(FollowStep.CaughtUp, 100_000, options));
    }

    // Looks every 10 ms on the fake clock, for `seconds`, each reading what the log brought since the one before:
    // `perCommit` events committed together every `commitMs`.
    void Follow(double seconds, int perCommit, int commitMs)
    {
        for (var ms = 10; ms <= seconds * 1_000; ms += 10)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            listener.Read(ms % commitMs == 0 ? perCommit : 0);
        }
    }

    [Fact]
    public void The_rate_is_the_logs_own_pace_smoothed_over_its_commits_bursts()
    {
        // The live benchmark's load: 20 events every 20 ms, 1,000 a second; each look sees 20 or none.
        Follow(5, perCommit: 20, commitMs: 20);
        Assert.InRange(listener.Rate, 950, 1_050);
        Assert.InRange(CommitListener.Spacing(FollowStep.CaughtUp, listener.Rate, Stretching).TotalMilliseconds, 10, 10.5);

        // Single events at 5,000 a second: the looks stretch to ~50 ms within a few seconds.
        Follow(5, perCommit: 50, commitMs: 10);
        Assert.InRange(listener.Rate, 4_900, 5_100);
        Assert.InRange(CommitListener.Spacing(FollowStep.CaughtUp, listener.Rate, Stretching).TotalMilliseconds, 49, 51);

        // The log goes quiet: within seconds the follower is back to its quick pace.
        Follow(5, perCommit: 0, commitMs: 10);
        Assert.InRange(listener.Rate, 0, 50);
        Assert.Equal(TimeSpan.FromMilliseconds(10), CommitListener.Spacing(FollowStep.CaughtUp, listener.Rate, Stretching));
    }

    [Fact]
    public void One_burst_does_not_hold_the_follower_back_for_long()
    {
        // A connector hands over 3,000 events at once after a quiet minute.
        Follow(60, perCommit: 0, commitMs: 10);
        listener.Read(3_000);
        Assert.Equal(TimeSpan.FromMilliseconds(30), CommitListener.Spacing(FollowStep.CaughtUp, Math.Round(listener.Rate), Stretching));
        Follow(3, perCommit: 0, commitMs: 10);
        Assert.Equal(TimeSpan.FromMilliseconds(10), CommitListener.Spacing(FollowStep.CaughtUp, listener.Rate, Stretching));
    }

    static readonly TimeSpan Spacing = TimeSpan.FromMilliseconds(25);

    [Fact]
    public async Task A_wait_with_no_wake_ends_when_its_pause_has_passed_on_the_clock()
    {
        listener.Look();
        var wait = listener.WaitAsync(TimeSpan.FromSeconds(1), Spacing, Ct);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        await Task.Delay(50, Ct);
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task A_commit_announced_on_this_node_ends_the_wait_at_once()
    {
        listener.Look();
        clock.Advance(TimeSpan.FromSeconds(1));
        var wait = listener.WaitAsync(TimeSpan.FromHours(1), Spacing, Ct);
        await Task.Delay(50, Ct);
        Assert.False(wait.IsCompleted);
        announcer.Announce();
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task A_wake_soon_after_a_look_began_is_acted_on_a_poll_interval_after_it()
    {
        listener.Look();
        listener.Wake();
        var wait = listener.WaitAsync(TimeSpan.FromHours(1), Spacing, Ct);
        clock.Advance(TimeSpan.FromMilliseconds(24));
        await Task.Delay(50, Ct);
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task Wakes_while_the_follower_reads_are_one_look_after_it()
    {
        listener.Look();
        clock.Advance(TimeSpan.FromSeconds(1));
        foreach (var _ in Enumerable.Range(0, 5)) listener.Wake();
        Assert.True(await listener.WaitAsync(TimeSpan.FromHours(1), Spacing, Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct));

        listener.Look();
        var next = listener.WaitAsync(TimeSpan.FromSeconds(1), Spacing, Ct);
        await Task.Delay(50, Ct);
        Assert.False(next.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await next.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task A_wake_taken_by_a_look_is_not_looked_at_again_after_it()
    {
        listener.Wake();
        listener.Look();
        var wait = listener.WaitAsync(TimeSpan.FromSeconds(1), TimeSpan.Zero, Ct);
        await Task.Delay(50, Ct);
        Assert.False(wait.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await wait.WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }

    [Fact]
    public async Task A_look_that_should_come_at_once_does_not_wait()
    {
        listener.Look();
        Assert.False(await listener.WaitAsync(TimeSpan.Zero, TimeSpan.Zero, Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct));
    }
}
