using Microsoft.Extensions.Options;
using Queue.Events;

namespace Queue.EventLog;

public abstract record AppendResult
{
    public sealed record Stored(int Received, int New, int Duplicates) : AppendResult;

    /// <summary>The id was stored (or sent earlier in the batch) with other content. Nothing was stored.</summary>
    public sealed record Conflict(string Id, int Index) : AppendResult;
}

/// <summary>
/// Appends a validated batch to the event log and refreshes the derived state of every entity it touches, in one
/// transaction: all of the batch or nothing. Small requests share that transaction with others (GroupCommit); each is
/// still answered with its own counts, once its events are committed.
/// </summary>
internal sealed partial class EventStore(EventWriter writer, GroupCommit group, IOptions<IngestOptions> options, ILogger<EventStore> logger)
{
    readonly TimeSpan timeout = options.Value.DatabaseTimeout;
    readonly int groupRequestMaxEvents = options.Value.GroupRequestMaxEvents;

    public async Task<AppendResult> AppendAsync(IReadOnlyList<QueueEvent> batch, CancellationToken ct)
    {
        // Duplicates within the batch count as duplicates; the same id with other content is a conflict.
        var hashes = new Dictionary<string, byte[]>(batch.Count, StringComparer.Ordinal);
        var unique = new List<Pending>(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            var hash = ContentHash.Of(e);
            if (hashes.TryGetValue(e.Id, out var earlier))
            {
                if (!earlier.AsSpan().SequenceEqual(hash)) return new AppendResult.Conflict(e.Id, i);
                continue;
            }
            hashes.Add(e.Id, hash);
            unique.Add(new Pending(e, hash, i));
        }

        // Small requests share a commit with the others waiting (GroupCommit); a large batch is a transaction of its own,
        // which a group would only make larger and slower to lock.
        var request = batch.Count <= groupRequestMaxEvents ? group.Enqueue(unique, batch.Count) : null;
        // The answer comes within the deadline whatever the database does: a server that stops answering can
        // hold a connection (and a cancel request) far longer. The abandoned attempt finishes or fails on its
        // own; had it committed, the client's retry is counted as duplicates.
        var work = request?.Outcome ?? AppendAloneAsync(unique, batch.Count, ct);
        try
        {
            return await work.WaitAsync(timeout, ct);
        }
        catch (OperationCanceledException)
        {
            // The client went away. A request no writer has taken yet leaves its group: nothing of it is stored.
            request?.TryGiveUp();
            throw;
        }
        catch (TimeoutException)
        {
            if (request?.TryGiveUp() != true)
            {
                _ = work.ContinueWith(t => LogAbandoned(t.Exception?.GetBaseException().Message ?? "completed late"),
                    CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
            throw new TimeoutException($"PostgreSQL did not store the batch within {timeout.TotalSeconds:0.#} s");
        }
    }

    async Task<AppendResult> AppendAloneAsync(List<Pending> unique, int received, CancellationToken ct)
    {
        var written = await writer.WriteAsync(unique, ct);
        if (written.Conflicts.Count > 0)
        {
            var first = unique.First(p => written.Conflicts.Contains(p.Event.Id));
            return new AppendResult.Conflict(first.Event.Id, first.Index);
        }
        return new AppendResult.Stored(received, written.Fresh.Count, received - written.Fresh.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch answered 503 after the ingest deadline ended later: {Outcome}")]
    partial void LogAbandoned(string outcome);
}
