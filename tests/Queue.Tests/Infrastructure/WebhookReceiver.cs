using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Queue.Tests.Infrastructure;

/// <summary>One POST the receiver got: its headers, its body, whether its signature checked out, and what it answered.</summary>
public sealed record Delivery(string? Id, string? Timestamp, string? Signature, string? Event, byte[] Body, bool Valid, int Status)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string Subject => Json.GetProperty("subject").GetString()!;
}

/// <summary>
/// A webhook receiver on loopback (Kestrel), written as a receiver would write one from docs/api.md: it checks
/// <c>X-Queue-Signature</c> against its own HMAC-SHA256 of "timestamp.body" and refuses a bad one with 401. It can be
/// told to fail a subject's deliveries a number of times with 500.
/// </summary>
public sealed class WebhookReceiver(string secret) : IAsyncDisposable
{
    WebApplication? app;

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    /// <summary>Subject → how many more of its deliveries to answer with 500.</summary>
    public ConcurrentDictionary<string, int> Failing { get; } = new();

    public string Url { get; private set; } = "";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.MapPost("/hooks/escalations", ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Url = address + "/hooks/escalations";
    }

    async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        string? Header(string name) => request.Headers.TryGetValue(name, out var v) ? v.ToString() : null;
        var timestamp = Header("X-Queue-Timestamp");
        var signature = Header("X-Queue-Signature");
        var valid = Verify(secret, timestamp, body, signature);
        var status = StatusCodes.Status200OK;
        if (!valid) status = StatusCodes.Status401Unauthorized;
        else if (JsonDocument.Parse(body).RootElement.GetProperty("subject").GetString() is { } subject
                 && Failing.TryGetValue(subject, out var left) && left > 0)
        {
            Failing[subject] = left - 1;
            status = StatusCodes.Status500InternalServerError;
        }
        Deliveries.Enqueue(new(Header("X-Queue-Delivery"), timestamp, signature, Header("X-Queue-Event"), body, valid, status));
        return Results.StatusCode(status);
    }

    public IEnumerable<Delivery> About(string subject) => Deliveries.Where(d => d.Subject == subject);

    /// <summary>What a receiver does: sha256= and the lowercase hex HMAC-SHA256 of "timestamp.body", keyed with the shared secret, compared in constant time.</summary>
    public static bool Verify(string secret, string? timestamp, byte[] body, string? signature)
    {
        if (timestamp is null || signature is null || !signature.StartsWith("sha256=", StringComparison.Ordinal)) return false;
        var signed = Encoding.ASCII.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature["sha256=".Length..]));
    }

    public async ValueTask DisposeAsync()
    {
        if (app is not null) await app.DisposeAsync();
    }
}
