using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Queue.Simulator.Bench;

/// <summary>A wallboard's connection to a running service's live hub: WebSockets, the key as a bearer token.</summary>
public static class LiveHubConnection
{
    /// <summary>The live hub's path, from the service's address.</summary>
    public const string Path = "hubs/live";

    /// <summary>A connection speaking MessagePack with <paramref name="messagePack"/>, or JSON when null.</summary>
    public static HubConnection Build(Uri service, string key, MessagePack.MessagePackSerializerOptions? messagePack = null)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(service, Path), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(key);
            });
        // As the pages speak to the hub (ADR 0009).
        if (messagePack is not null) builder.AddMessagePackProtocol(o => o.SerializerOptions = messagePack);
        return builder.Build();
    }
}
