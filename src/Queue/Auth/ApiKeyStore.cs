using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace Queue.Auth;

/// <summary>A key as listed: never its secret. <see cref="Queues"/>: the queues it is scoped to, null for every queue.</summary>
public sealed record ApiKey(
    Guid Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, IReadOnlyList<string>? Queues = null);

/// <summary>The answer to creating a key: the only time its secret is shown.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, IReadOnlyList<string>? Queues, string Key);

/// <summary>
/// API keys, stored as SHA-256 of their secret (secrets are 256 random bits, so a fast hash is enough).
/// Lookups are cached for a few seconds: a revoked key stops working on this node at once, on others within
/// <see cref="CacheFor"/>.
/// </summary>
internal sealed class ApiKeyStore(NpgsqlDataSource db, IMemoryCache cache, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    public async Task<ApiKey?> FindAsync(string secret, CancellationToken ct)
    {
        var hash = Hash(secret);
        var cacheKey = "apikey:" + Convert.ToHexString(hash);
        if (cache.TryGetValue(cacheKey, out ApiKey? cached)) return cached;
        await using var connection = await db.OpenConnectionAsync(ct);
        var key = (await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"{SelectKeys} where key_hash = @hash and revoked_at is null", new { hash }, cancellationToken: ct)))?.ToKey();
        if (key is not null) cache.Set(cacheKey, key, CacheFor);
        return key;
    }

    public async Task<CreatedApiKey> CreateAsync(string name, string role, IReadOnlyList<string>? queues, CancellationToken ct)
    {
        var secret = "qk_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var createdAt = now.AddTicks(-(now.Ticks % 10)); // as PostgreSQL will keep it: microseconds
        var key = new CreatedApiKey(Guid.CreateVersion7(), name, role, secret[..8], createdAt, queues, secret);
        if (queues is not null) cache.Remove(TeamsKey);
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into api_keys (id, name, role, key_hash, prefix, created_at, queues) values (@Id, @Name, @Role, @hash, @Prefix, @at, @queues)",
            new { key.Id, key.Name, key.Role, hash = Hash(secret), key.Prefix, at = key.CreatedAt.UtcDateTime, queues = queues?.ToArray() }, cancellationToken: ct));
        return key;
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition($"{SelectKeys} order by created_at", cancellationToken: ct));
        return [.. rows.Select(r => r.ToKey())];
    }

    /// <summary>Revokes a key; false when there is no such key.</summary>
    public async Task<bool> RevokeAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var hash = await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
            "update api_keys set revoked_at = coalesce(revoked_at, @now) where id = @id returning key_hash",
            new { id, now = time.GetUtcNow().UtcDateTime }, cancellationToken: ct));
        if (hash is null) return false;
        cache.Remove("apikey:" + Convert.ToHexString(hash));
        return true;
    }

    /// <summary>
    /// The teams of the scoped keys in use (each a set of queues, in order), read at most every <see cref="CacheFor"/>:
    /// the live publisher sends each its center, the sum of its queues.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyList<string>>> TeamsAsync(CancellationToken ct)
    {
        if (cache.TryGetValue(TeamsKey, out IReadOnlyList<IReadOnlyList<string>>? cached)) return cached!;
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<string[]>(new CommandDefinition(
            "select distinct queues from api_keys where queues is not null and revoked_at is null", cancellationToken: ct));
        IReadOnlyList<IReadOnlyList<string>> teams = [.. rows.Select(q => (IReadOnlyList<string>)[.. q.Order(StringComparer.Ordinal)])];
        cache.Set(TeamsKey, teams, CacheFor);
        return teams;
    }

    const string TeamsKey = "apikey-teams";

    /// <summary>Makes sure an admin key with this secret exists and is not revoked (QUEUE_BOOTSTRAP_ADMIN_KEY).</summary>
    public async Task EnsureBootstrapAdminAsync(string secret, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into api_keys (id, name, role, key_hash, prefix, created_at)
            values (@id, 'bootstrap admin', 'admin', @hash, @prefix, @at)
            on conflict (key_hash) do update set role = 'admin', revoked_at = null, prefix = excluded.prefix
            """,
            // Its secret is chosen by whoever deploys: show none of it.
            new { id = Guid.CreateVersion7(), hash = Hash(secret), prefix = "(bootstrap)", at = time.GetUtcNow().UtcDateTime },
            cancellationToken: ct));
    }

    const string SelectKeys = "select id, name, role, prefix, created_at, revoked_at, queues from api_keys";

    // Properties, not a constructor: Dapper matches constructors by the reader's field types, and a text[] reads as Array.
    sealed class Row
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public string Prefix { get; init; } = "";
        public DateTime Created_At { get; init; }
        public DateTime? Revoked_At { get; init; }
        public string[]? Queues { get; init; }

        public ApiKey ToKey() => new(Id, Name, Role, Prefix, new DateTimeOffset(Created_At, TimeSpan.Zero),
            Revoked_At is { } r ? new DateTimeOffset(r, TimeSpan.Zero) : null, Queues);
    }

    static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
