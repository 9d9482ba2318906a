using Queue.Tests.Infrastructure;

namespace Queue.Tests.Faults;

/// <summary>
/// SPEC §2, §7: the process killed (<c>kill -9</c>) in the middle of sustained ingest, again and again. No acknowledged
/// event is lost, no batch is half-stored, and live state equals a recomputation from PostgreSQL after every restart.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ServiceKillTests(OwnService service, ITestOutputHelper output) : IClassFixture<OwnService>
{
    const int Kills = 20;

    [Fact]
    public async Task Twenty_kill_9s_during_sustained_ingest_lose_no_acknowledged_event_and_leave_nothing_half_stored()
    {
        var random = new Random(20);
        await using var load = new IngestLoad(() => service.Client(timeout: TimeSpan.FromSeconds(10)), () => DateTimeOffset.UtcNow, "k9", seed: 9);
        load.Start();
        long cutOff = 0;

        for (var kill = 1; kill <= Kills; kill++)
        {
            // Load flowing: some batches acknowledged since the last restart, then a random moment.
            await load.AcknowledgedMoreAsync(3, TimeSpan.FromSeconds(30), $"before kill {kill}");
            await Task.Delay(random.Next(0, 800));
            cutOff += load.InFlight;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await service.KillAsync();
            var killed = clock.Elapsed;
            await service.RestartAsync();
            var restarted = clock.Elapsed;

            await load.PauseAsync();
            var paused = clock.Elapsed;
            await AssertWholeAsync(load, $"after kill {kill}");
            output.WriteLine($"kill {kill}: killed {killed.TotalMilliseconds:F0} restarted {restarted.TotalMilliseconds:F0} paused {paused.TotalMilliseconds:F0} checked {clock.Elapsed.TotalMilliseconds:F0}; {load.Describe()}");
            load.Resume();
        }

        await load.AcknowledgedMoreAsync(3, TimeSpan.FromSeconds(30), "after the last restart");
        await load.StopAsync();
        await AssertWholeAsync(load, "at the end");
        Assert.Empty(load.Unexpected);
        Assert.Equal(load.Sent.Count, load.Acknowledged.Distinct().Count());
        // The kills did land mid-ingest: posts were in flight, and some batches were committed with their answer lost.
        Assert.True(cutOff > 0, "no post was in flight at any kill");
        output.WriteLine($"{Kills} kills; {load.Acknowledged.Distinct().Count()} acknowledged events checked in PostgreSQL; "
            + $"{cutOff} posts in flight at the kills; {load.Describe()}");
    }

    async Task AssertWholeAsync(IngestLoad load, string when)
    {
        using var http = service.Client();
        await LoadCheck.QuietAsync(service.Db);
        var lost = await LoadCheck.LostAsync(load, service.Db);
        Assert.True(lost.Count == 0, $"{when}: {lost.Count} acknowledged events are not in PostgreSQL: {string.Join(", ", lost.Take(10))}");
        var half = await LoadCheck.HalfStoredAsync(load, service.Db);
        Assert.True(half.Count == 0, $"{when}:\n{string.Join("\n", half)}");
        await LiveCheck.CaughtUpAsync(service.Db, service.Redis, () => [service.LogTail()]);
        var live = await LoadCheck.LiveDifferencesAsync(load, http, service.Db);
        Assert.True(live.Count == 0, $"{when}, live state differs from PostgreSQL:\n{string.Join("\n", live)}");
    }
}
