using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Queue.Simulator.Bench;

/// <summary>A wallboard's connection to a running service's live hub: WebSockets, the key as a bearer token.</summary>
public static class LiveHubConnection
{
    public static HubConnection Build(Uri service, string key) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(service, "hubs/live"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(key);
            })
            .Build();
}
