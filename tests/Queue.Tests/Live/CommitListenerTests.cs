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
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), CommitListener.Spacing(Enum.Parse<FollowStep>(step), Options));

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
