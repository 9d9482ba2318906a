using Queue.Ingest;

namespace Queue.Simulator.QueueLog;

/// <summary>
/// What the simulated center's CRM tells the service beside the PBX's queue_log: each completed call's resolution,
/// told as <c>call.resolution</c> a little after the call ends (the operator fills in the ticket), and the field visits.
/// Calls are named as the connector following the PBX's log names them (<see cref="PbxNames.ConnectorCallId"/>), so
/// that both join up in the service. Pure and lazy; events come out in order of <c>at</c>.
/// </summary>
internal static class CrmFeed
{
    static readonly TimeSpan MinDelay = TimeSpan.FromSeconds(20);

    public static IEnumerable<EventDocs.Event> Events(IEnumerable<EventDocs.Event> center, string source)
    {
        var open = new Dictionary<string, string>(StringComparer.Ordinal);
        var visitCalls = new Dictionary<string, string>(StringComparer.Ordinal);
        var later = new PriorityQueue<EventDocs.Event, (long At, long Seq)>();
        long seq = 0;
        foreach (var e in center)
        {
            while (later.TryPeek(out var due, out var key) && key.At <= e.At.UtcTicks)
            {
                later.Dequeue();
                yield return due;
            }
            switch (e)
            {
                case EventDocs.CallQueued q:
                    open[q.CallId] = PbxNames.ConnectorCallId(source, q.CallId, q.At);
                    break;
                case EventDocs.CallAbandoned a:
                    open.Remove(a.CallId);
                    break;
                case EventDocs.CallCompleted c when open.Remove(c.CallId, out var callId):
                    if (c.VisitId is not null) visitCalls[c.VisitId] = callId;
                    if (c.Resolution is { } resolution)
                    {
                        // Told 20 s to 1.5 min after the call, as tickets are closed.
                        var told = c.At + MinDelay + TimeSpan.FromSeconds(PbxNames.Number(c.CallId) % 70);
                        later.Enqueue(new EventDocs.CallResolution($"{c.CallId}:resolution", told, callId, resolution, c.VisitId), (told.UtcTicks, seq++));
                    }
                    break;
                case EventDocs.VisitCreated v:
                    yield return v with { CallId = v.CallId is null ? null : visitCalls.Remove(v.VisitId, out var id) ? id : null };
                    break;
                case EventDocs.VisitResolved or EventDocs.VisitCancelled:
                    yield return e;
                    break;
            }
        }
        while (later.TryDequeue(out var rest, out _)) yield return rest;
    }
}
