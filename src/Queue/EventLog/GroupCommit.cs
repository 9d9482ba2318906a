using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Queue.Events;

namespace Queue.EventLog;

/// <summary>An event of a request, with its content hash and its index in the request (which a 409 names).</summary>
internal sealed record Pending(QueueEvent Event, byte[] Hash, int Index);

/// <summary>What one transaction did: the ids it inserted, and the ids taken already with other content (then it rolled back).</summary>
internal sealed record Written(HashSet<string> Fresh, HashSet<string> Conflicts);

/// <summary>
/// Group commit: the small requests waiting on this node are written in one transaction, so that 32 clients posting
/// one event each cost one commit, not 32. A few writers each take whatever is waiting when they are free (no delay
/// by default), write it through the event store's one write path, and answer every request with its own counts only
/// once the transaction has committed. A request whose event conflicts with a stored one is answered 409 and the group
/// written again without it; one that conflicts with an earlier request of its group waits for the next group, where
/// it meets that request's outcome as it would have had it come after. An error of the database fails the whole group,
/// which is what every one of its requests would have met alone.
/// </summary>
internal sealed partial class GroupCommit : IDisposable
{
    readonly Channel<Request> waiting;
    readonly EventWriter writer;
    readonly IngestOptions options;
    readonly ILogger<GroupCommit> logger;
    readonly CancellationTokenSource stopping = new();

    // Not a primary constructor: it starts the writers, which a field initializer cannot.
    public GroupCommit(EventWriter writer, IOptions<IngestOptions> options, ILogger<GroupCommit> logger)
    {
        this.writer = writer;
        this.options = options.Value;
        this.logger = logger;
        // Bounded, so that a database slower than the traffic pushes back on the requests (they meet their deadline)
        // rather than on memory: a few groups' worth of requests wait at most.
        waiting = Channel.CreateBounded<Request>(new BoundedChannelOptions(4 * this.options.GroupMaxEvents)
        {
            SingleReader = this.options.GroupWriters == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // Made when the first request needs it: the writers must not run on in that request's context (its span, long
        // ended, and its log scopes) for the life of the service.
        using (ExecutionContext.SuppressFlow())
        {
            for (var i = 0; i < this.options.GroupWriters; i++) _ = Task.Run(WriteLoopAsync);
        }
    }

    public void Dispose()
    {
        waiting.Writer.TryComplete();
        stopping.Cancel();
        stopping.Dispose();
    }

    /// <summary>Queues a request's events (their duplicates within it removed) for the next group.</summary>
    public Request Enqueue(List<Pending> unique, int received)
    {
        var request = new Request(unique, received);
        if (!waiting.Writer.TryWrite(request)) _ = WaitForRoomAsync(request);
        return request;
    }

    async Task WaitForRoomAsync(Request request)
    {
        try
        {
            await waiting.Writer.WriteAsync(request, stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
            request.Fail(new OperationCanceledException("the service is stopping"));
        }
    }

    async Task WriteLoopAsync()
    {
        // Requests that met an earlier one of their group with other content under the same id, or that did not fit,
        // go first in the next group.
        var deferred = new List<Request>();
        try
        {
            while (deferred.Count > 0 || await waiting.Reader.WaitToReadAsync(stopping.Token))
            {
                var group = deferred;
                deferred = [];
                var events = Take(group, deferred);
                if (options.GroupWait > TimeSpan.Zero && events < options.GroupMaxEvents && deferred.Count == 0)
                {
                    await Task.Delay(options.GroupWait, stopping.Token);
                    Take(group, deferred);
                }
                if (group.Count == 0) continue;
                try
                {
                    await WriteGroupAsync(group, deferred);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
                {
                    // A writer that stopped here would leave every later request to its deadline: this group fails
                    // (its requests answered already keep their answers), and the writer goes on with the next.
                    LogGroupFailed(group.Count, group.Sum(r => r.Unique.Count), e.Message);
                    foreach (var request in group) request.Fail(e);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        foreach (var request in deferred) request.Fail(new OperationCanceledException("the service is stopping"));
    }

    /// <summary>
    /// Adds what is waiting to the group, up to the cap (a request that would pass it goes first in the next group);
    /// requests whose callers gave up are dropped.
    /// </summary>
    int Take(List<Request> group, List<Request> next)
    {
        var events = group.Sum(r => r.Unique.Count);
        while (events < options.GroupMaxEvents && waiting.Reader.TryRead(out var request))
        {
            if (!request.TryTake()) continue;
            if (events + request.Unique.Count > options.GroupMaxEvents)
            {
                next.Add(request);
                break;
            }
            group.Add(request);
            events += request.Unique.Count;
        }
        return events;
    }

    async Task WriteGroupAsync(List<Request> requests, List<Request> deferred)
    {
        while (requests.Count > 0)
        {
            // The first request that carries an id owns it: it counts it new if the insert was ours, the others duplicates.
            var owners = new Dictionary<string, (Request Request, byte[] Hash)>(StringComparer.Ordinal);
            var events = new List<Pending>();
            var included = new List<Request>(requests.Count);
            foreach (var request in requests)
            {
                if (request.Unique.Any(p => owners.TryGetValue(p.Event.Id, out var owner) && !owner.Hash.AsSpan().SequenceEqual(p.Hash)))
                {
                    deferred.Add(request);
                    continue;
                }
                foreach (var p in request.Unique)
                {
                    if (owners.TryAdd(p.Event.Id, (request, p.Hash))) events.Add(p);
                }
                included.Add(request);
            }

            Written written;
            // The group's statements are traced under the first request's ingest span; every request's span says how
            // many requests shared its commit.
            foreach (var request in included) request.Activity?.SetTag("queue.ingest.group_requests", included.Count);
            // Set for this method's own awaits only: an async method's changes to Activity.Current do not reach its caller.
            Activity.Current = included.Count > 0 ? included[0].Activity : null;
            try
            {
                written = await writer.WriteAsync(events, stopping.Token);
            }
            catch (Exception e)
            {
                LogGroupFailed(included.Count, events.Count, e.GetBaseException().Message);
                foreach (var request in included) request.Fail(e);
                return;
            }

            if (written.Conflicts.Count == 0)
            {
                foreach (var request in included)
                {
                    var fresh = request.Unique.Count(p => written.Fresh.Contains(p.Event.Id) && owners[p.Event.Id].Request == request);
                    request.Complete(new AppendResult.Stored(request.Received, fresh, request.Received - fresh));
                }
                return;
            }

            // Nothing was stored: the requests that carry a conflicting id are answered, and the rest written again.
            requests = [];
            foreach (var request in included)
            {
                if (request.Unique.FirstOrDefault(p => written.Conflicts.Contains(p.Event.Id)) is { } conflict)
                    request.Complete(new AppendResult.Conflict(conflict.Event.Id, conflict.Index));
                else requests.Add(request);
            }
        }
    }

    /// <summary>A request waiting for its group; taken by a writer, or given up by its caller, once.</summary>
    internal sealed class Request(List<Pending> unique, int received)
    {
        const int Waiting = 0, Taken = 1, GivenUp = 2;
        readonly TaskCompletionSource<AppendResult> outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int state;

        public List<Pending> Unique { get; } = unique;
        public int Received { get; } = received;

        /// <summary>The span of the request that queued it (made where it is queued).</summary>
        public Activity? Activity { get; } = Activity.Current;
        public Task<AppendResult> Outcome => outcome.Task;

        public bool TryTake() => Interlocked.CompareExchange(ref state, Taken, Waiting) == Waiting;

        /// <summary>The caller stops waiting. True when no writer had taken it: then nothing of it will be stored.</summary>
        public bool TryGiveUp() => Interlocked.CompareExchange(ref state, GivenUp, Waiting) == Waiting;

        public void Complete(AppendResult result) => outcome.TrySetResult(result);

        public void Fail(Exception e) => outcome.TrySetException(e);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A group of {Requests} requests ({Events} events) was not stored: {Reason}")]
    partial void LogGroupFailed(int requests, int events, string reason);
}
