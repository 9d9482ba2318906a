using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Queue.Simulator.Bench;

/// <summary>A wallboard's connection to a running service's live hub: WebSockets, the key as a bearer token.</summary>
public static class LiveHubConnection
{
    public static HubConnection Build(Uri service, string key, bool messagePack = false)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(service, "hubs/live"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(key);
            });
        // As the pages speak to the hub (ADR 0009).
        if (messagePack) builder.AddMessagePackProtocol(o => o.SerializerOptions = Queue.Live.LiveMessagePack.Options);
        return builder.Build();
    }
}
