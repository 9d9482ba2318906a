using System.ComponentModel.DataAnnotations;
using System.Net;
using Queue.Live;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Live;

/// <summary>A node allowed 100 messages a second to its watching screens: 40 of them stretch its push interval to 400 ms.</summary>
public sealed class FrugalQueueApp : QueueApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Queue:Live:ScreenMessagesPerSecond"] = "100",
    };
}

/// <summary>
/// The push interval stretches with the floor (<see cref="LiveOptions.ScreenMessagesPerSecond"/>): a node with more
/// watching screens than its budget allows at the shortest interval pushes each of them less often, so that a growing
/// floor slows every screen a little rather than overwhelming the node.
/// </summary>
public sealed class PushIntervalTests(FrugalQueueApp app) : IClassFixture<FrugalQueueApp>
{
    [Theory]
    [InlineData(0, 100)]
    [InlineData(1_000, 100)]
    [InlineData(1_500, 150)]
    [InlineData(2_000, 200)]
    public void The_interval_is_the_shortest_one_until_the_screens_need_more_than_the_budget(int screens, double milliseconds)
    {
        var options = new LiveOptions();
        Assert.Equal(milliseconds, options.IntervalFor(screens).TotalMilliseconds, precision: 2);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    public void A_budget_under_100_messages_a_second_is_refused(int budget)
    {
        var options = new LiveOptions { ScreenMessagesPerSecond = budget };
        var errors = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        Assert.Contains(errors, e => e.MemberNames.Contains(nameof(LiveOptions.ScreenMessagesPerSecond)));
    }

    [Fact]
    public async Task Forty_watching_screens_on_a_budget_of_100_messages_a_second_are_pushed_at_most_every_400_ms()
    {
        using var http = app.Client();
        var key = await app.KeyAsync("wallboard");
        var screens = new List<LiveClient>();
        try
        {
            for (var i = 0; i < 40; i++)
            {
                var screen = await LiveClient.ConnectAsync(app.Factory.Server, key);
                screens.Add(screen);
                await screen.WatchAsync("pi-q");
            }
            var watching = screens[0];
            watching.DrainUpdates();

            // A call queued every 50 ms for 2 s: at the shortest interval (100 ms) that would be ~20 pushes.
            const int Calls = 40;
            var started = DateTime.UtcNow;
            var now = app.Time.GetUtcNow();
            for (var i = 0; i < Calls; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(Ev.Queued($"pi-{i}", now.AddSeconds(-1), $"pi-c{i}", "pi-q"))).StatusCode);
                await Task.Delay(50);
            }
            var (last, before) = await watching.WaitForUpdateAsync(u => u.Queues.Any(q => q.Queue == "pi-q" && q.CallsWaiting == Calls));
            var took = DateTime.UtcNow - started;
            var pushes = before.Count(u => u.Queues.Any(q => q.Queue == "pi-q")) + 1;
            // 40 screens ÷ 100 messages a second: a round at most every 400 ms (and the first at once). The last state arrives.
            Assert.True(pushes <= took.TotalMilliseconds / 400 + 2, $"{pushes} pushes in {took.TotalMilliseconds:F0} ms");
            Assert.Contains(last.Queues, q => q.Queue == "pi-q" && q.CallsWaiting == Calls);
        }
        finally
        {
            foreach (var screen in screens) await screen.DisposeAsync();
        }
    }
}
