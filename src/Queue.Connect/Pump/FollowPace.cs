namespace Queue.Connect.Pumping;

/// <summary>
/// When a follower posts: at once when a batch is full; once caught up with its source, what waits goes after a short
/// delay (lines written together go in one batch), and a position moved with nothing waiting is saved.
/// </summary>
internal sealed class FollowPace<TItem>(Pump<TItem> pump, TimeProvider time, TimeSpan flushDelay)
{
    DateTimeOffset? waitingSince;

    /// <summary>
    /// One round over what was just read from the source: <paramref name="take"/> gives each item to the pump and moves
    /// the follower's position past it, and a full batch is posted at once; a round that read nothing has caught up.
    /// <paramref name="unsaved"/>: the position moved since it was saved. True when caught up.
    /// </summary>
    public async Task<bool> RoundAsync<TRead>(IReadOnlyCollection<TRead> read, Action<TRead> take, Func<bool> unsaved, CancellationToken ct)
    {
        foreach (var item in read)
        {
            take(item);
            if (pump.Full) await FlushAsync(ct);
        }
        if (read.Count > 0)
        {
            Read();
            return false;
        }
        await CaughtUpAsync(unsaved(), ct);
        return true;
    }

    /// <summary>After a round that read something: events waiting start their delay.</summary>
    void Read()
    {
        if (pump.Waiting > 0) waitingSince ??= time.GetUtcNow();
    }

    /// <summary>Caught up: what time alone decides is decided, and what is due is posted. <paramref name="unsaved"/>: the position moved since it was saved.</summary>
    async Task CaughtUpAsync(bool unsaved, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        pump.CaughtUp(now);
        if (pump.Waiting > 0) waitingSince ??= now;
        if ((pump.Waiting > 0 && now - waitingSince >= flushDelay) || (pump.Waiting == 0 && unsaved)) await FlushAsync(ct);
    }

    public async Task FlushAsync(CancellationToken ct)
    {
        await pump.FlushAsync(ct);
        waitingSince = null;
    }

    /// <summary>Rounds until stopped, resting <paramref name="poll"/> after each that found nothing new.</summary>
    public async Task RunAsync(Func<CancellationToken, Task<bool>> step, TimeSpan poll, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await step(ct)) await Task.Delay(poll, time, ct);
        }
    }
}
