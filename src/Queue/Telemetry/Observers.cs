using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.SignalR;
using OpenTelemetry.Trace;

namespace Queue.Telemetry;

/// <summary>Counts <c>POST /api/events</c> requests refused for want of a valid ingest key (401, 403) as rejected.</summary>
internal sealed class IngestRefusals(QueueMetrics metrics) : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler inner = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Succeeded && context.GetEndpoint()?.Metadata.Contains(IngestTelemetry.Endpoint) == true)
            metrics.Rejected(RejectReasons.Unauthorized, 1);
        return inner.HandleAsync(next, context, policy, authorizeResult);
    }
}

/// <summary>Follows the SignalR connections of this node (<c>queue_signalr_connections</c>).</summary>
internal sealed class HubConnections(QueueMetrics metrics) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        // Counted once connected: a connection refused in OnConnectedAsync never disconnects through the filter.
        metrics.SignalRConnections.Add(1);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            metrics.SignalRConnections.Add(-1);
        }
    }
}

/// <summary>
/// Samples every trace that starts with a request or one of the service's own spans, and drops database and Redis
/// calls that no such span encloses: the live follower polls PostgreSQL many times a second, and a trace per poll
/// would bury everything else.
/// </summary>
internal sealed class NoLoneClientSpans : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        new(parameters.ParentContext.TraceId == default && parameters.Kind == ActivityKind.Client
            ? SamplingDecision.Drop
            : SamplingDecision.RecordAndSample);
}

/// <summary>Keeps secrets that ride in a query string out of spans.</summary>
internal static class QueryRedaction
{
    // Hub clients send their key as access_token (browsers cannot set headers on WebSockets); the jobs dashboard as key.
    static readonly string[] Secrets = ["access_token", "key"];

    public static void Enrich(Activity activity, HttpRequest request)
    {
        if (!request.QueryString.HasValue) return;
        var query = request.Query;
        if (!Secrets.Any(query.ContainsKey)) return;
        activity.SetTag("url.query", string.Join('&', query.Select(p =>
            Uri.EscapeDataString(p.Key) + "=" + (Secrets.Contains(p.Key, StringComparer.OrdinalIgnoreCase) ? "REDACTED" : Uri.EscapeDataString(p.Value.ToString())))));
    }
}
