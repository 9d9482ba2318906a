using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Queue.Connect.FreeSwitch;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Connect;

/// <summary>
/// A day of mod_callcenter events followed over the event socket (a peer on loopback) into the service: /api/metrics
/// then equals what a plain reading of the events gives — each member's wait from its queue start to its bridge, or to
/// its end unanswered.
/// </summary>
public sealed class EslServiceTests(QueueApp app) : IClassFixture<QueueApp>
{
    const string Password = "esl-service";

    [Fact]
    public async Task A_day_followed_over_the_event_socket_gives_the_figures_of_its_events()
    {
        var day = CallCenterFiles.Day;
        var expected = CallCenterFiles.Map(day).Events.Count;
        await using var peer = new EslPeer(Password, async (_, c, ct) =>
        {
            foreach (var body in day) await c.SendEventAsync(body, ct);
            await Task.Delay(Timeout.Infinite, ct);
        }).Start();
        var key = await app.KeyAsync("import");
        using var http = app.Client(key: null);
        var poster = new EventPoster(http, key, new RejectFile(Path.Combine(Path.GetTempPath(), $"esl-{Guid.NewGuid():N}.rejects"), TimeProvider.System),
            NullLogger.Instance, TimeProvider.System);
        var pump = new Pump<EslEvent>(new CallCenterMapper("fs"), poster, NullLogger.Instance);
        var follower = new EslFollower("127.0.0.1", peer.Port, () => Password, pump, TimeProvider.System,
            new EslOptions(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5)), NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = follower.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await app.CountAsync("event_keys where id like 'fs:%'") < expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"not every event arrived: {await app.CountAsync("event_keys where id like 'fs:%'")} of {expected}");
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        try { await running; } catch (OperationCanceledException) { }

        var (answered, abandoned, shortAbandoned, asa, completed) = Reference(day);
        using var reader = app.Client();
        var (from, to) = (ConnectFiles.At(-3600), ConnectFiles.At(24 * 3600));
        var response = await reader.GetAsync($"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var m = await response.JsonAsync();
        Assert.Equal(answered, m.GetProperty("answered").GetInt64());
        Assert.Equal(abandoned, m.GetProperty("abandoned").GetInt64());
        Assert.Equal(shortAbandoned, m.GetProperty("shortAbandoned").GetInt64());
        Assert.Equal(asa, m.GetProperty("asaSeconds").GetDouble(), 6);
        Assert.Equal(completed, m.GetProperty("completed").GetInt64());
        Assert.True(answered > 0 && abandoned > 0, "the day has answered and abandoned calls");
    }

    // Per member session: a queue start opens a leg; a bridge answers it; an end closes it unanswered (an abandon), or
    // ends the call once answered (a completion).
    static (long Answered, long Abandoned, long Short, double Asa, long Completed) Reference(IEnumerable<byte[]> bodies)
    {
        var open = new Dictionary<string, long>(StringComparer.Ordinal);
        var talking = new HashSet<string>(StringComparer.Ordinal);
        var waits = new List<double>();
        long abandoned = 0, shortAbandoned = 0, completed = 0;
        foreach (var body in bodies)
        {
            var h = System.Text.Encoding.UTF8.GetString(body).Split('\n').Where(l => l.Contains(": ", StringComparison.Ordinal))
                .Select(l => l.Split(": ", 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => Uri.UnescapeDataString(g.First()[1]));
            if (!h.TryGetValue("CC-Member-Session-UUID", out var member)) continue;
            var at = long.Parse(h["Event-Date-Timestamp"], CultureInfo.InvariantCulture);
            switch (h.GetValueOrDefault("CC-Action"))
            {
                case "member-queue-start":
                    open[member] = at;
                    break;
                case "bridge-agent-start" when open.Remove(member, out var start):
                    waits.Add((at - start) / 1e6);
                    talking.Add(member);
                    break;
                case "member-queue-end" when open.Remove(member, out var start):
                    if (at - start >= 5_000_000) abandoned++; else shortAbandoned++;
                    break;
                case "member-queue-end" when talking.Remove(member):
                    completed++;
                    break;
            }
        }
        return (waits.Count, abandoned, shortAbandoned, waits.Average(), completed);
    }
}
