using System.Net;
using Npgsql;

namespace Queue.Tests.Infrastructure;

/// <summary>A service that reaches PostgreSQL through a proxy the test can cut (the tests themselves reach it directly).</summary>
public sealed class CuttableDatabaseApp : QueueApp
{
    public TcpProxy Proxy { get; } = new(new IPEndPoint(IPAddress.Loopback, new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString).Port));

    protected override string ServiceConnectionString =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Port = Proxy.Port }.ConnectionString;

    public override async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await base.DisposeAsync();
    }
}
