using System.Diagnostics;

namespace Queue.Telemetry;

/// <summary>
/// One <c>POST /api/events</c> as telemetry sees it: an <c>ingest</c> span, the handling time, and what became of its
/// events. Cheap on the hot path: a few counter adds per request, nothing per event, span tags only when sampled.
/// </summary>
internal sealed class IngestTelemetry(QueueMetrics metrics)
{
    /// <summary>Marks the ingest endpoint, whose refusals for want of a key count as rejected events.</summary>
    public static readonly object Endpoint = new IngestEndpoint();

    readonly long started = Stopwatch.GetTimestamp();
    readonly Activity? activity = QueueMetrics.Source.StartActivity("ingest");

    /// <summary>How many events the body held, once it was read into events; until then the request counts as one.</summary>
    public int Events { get; set; } = 1;

    public void Accepted(int fresh, int duplicates)
    {
        if (fresh > 0) metrics.EventsAccepted.Add(fresh);
        if (duplicates > 0) metrics.EventsDuplicate.Add(duplicates);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("queue.ingest.events", Events);
            activity.SetTag("queue.ingest.new", fresh);
            activity.SetTag("queue.ingest.duplicates", duplicates);
            activity.SetTag("queue.ingest.outcome", "accepted");
        }
        End();
    }

    public void Rejected(string reason)
    {
        metrics.Rejected(reason, Events);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("queue.ingest.events", Events);
            activity.SetTag("queue.ingest.outcome", reason);
        }
        End();
    }

    /// <summary>The handler threw: the exception handler answers (413, 400, 503, or 500 for a defect), or the client left.</summary>
    public void Failed(Exception exception, CancellationToken aborted)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        if (exception is OperationCanceledException && aborted.IsCancellationRequested)
        {
            activity?.Dispose(); // nobody is answered: no handling time to count
            return;
        }
        var reason = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => RejectReasons.TooLarge,
            BadHttpRequestException => RejectReasons.Invalid,
            _ when Api.ExceptionProblems.IsDatabaseUnavailable(exception) => RejectReasons.Unavailable,
            _ => null, // a defect (500): http_server_request_duration_seconds counts it by status code
        };
        if (reason is null) End();
        else Rejected(reason);
    }

    void End()
    {
        metrics.IngestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        activity?.Dispose();
    }
}

sealed class IngestEndpoint;
