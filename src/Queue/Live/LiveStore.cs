using System.Globalization;
using Queue.EventLog;
using Queue.Redis;
using StackExchange.Redis;

namespace Queue.Live;

/// <summary>Live state's reads and writes of Redis; the writes are <see cref="LiveScripts"/>.</summary>
internal sealed class LiveStore(IConnectionMultiplexer redis, LiveKeys keys)
{
    IDatabase Db => redis.GetDatabase();

    const int Attempts = 20;

    /// <summary>
    /// Applies parts of one queue; true if anything in Redis changed. <paramref name="likelyNew"/> (a rebuild) plans
    /// at first as if none of the entities had a part stored, which saves reading them; the plan checks it anyway.
    /// </summary>
    public async Task<bool> ApplyAsync(string queue, IReadOnlyList<LivePart> parts, bool likelyNew = false, bool replaceEqual = false)
    {
        // A plan takes each entity once: of two parts of one entity, the newer stands.
        var unique = parts.Count < 2 ? parts : parts.GroupBy(p => p.Entity, StringComparer.Ordinal).Select(g => g.MaxBy(p => p.Version)!).ToList();
        var entities = unique.Select(p => (RedisValue)p.Entity).ToArray();
        var read = !likelyNew;
        return await RunAsync(queue, async () =>
        {
            var stored = read ? await StoredAsync(queue, entities) : new string?[entities.Length];
            read = true;
            return LivePlanner.Apply(name => keys.Of(queue, name), keys.Of(queue, RedisLayout.Parts), keys.Of(queue, RedisLayout.Expiry), unique, stored, replaceEqual);
        });
    }

    /// <summary>Removes parts that have aged out of every live window; returns how many.</summary>
    public async Task<long> TrimAsync(string queue, DateTimeOffset now, int max)
    {
        long removed = 0;
        await RunAsync(queue, async () =>
        {
            // What is due and what is stored, read at one instant: a part replaced (with a later expiry) between two
            // reads would otherwise be planned away as if it were the one that was due.
            var read = (RedisResult[])(await Db.ScriptEvaluateAsync(LiveScripts.Due, [keys.Of(queue, RedisLayout.Expiry), keys.Of(queue, RedisLayout.Parts)], [Micros.Of(now), max]))!;
            var due = new RedisValue[read.Length / 2];
            var stored = new string?[due.Length];
            for (var i = 0; i < due.Length; i++)
            {
                due[i] = (RedisValue)read[2 * i];
                var part = (string?)read[2 * i + 1];
                stored[i] = string.IsNullOrEmpty(part) ? null : part;
            }
            removed = due.Length;
            return LivePlanner.Remove(name => keys.Of(queue, name), keys.Of(queue, RedisLayout.Parts), keys.Of(queue, RedisLayout.Expiry), due.Select(d => d.ToString()).ToList(), stored);
        });
        return removed;
    }

    async Task<string?[]> StoredAsync(string queue, RedisValue[] entities) =>
        entities.Length == 0 ? [] : (await Db.HashGetAsync(keys.Of(queue, RedisLayout.Parts), entities)).Select(v => v.IsNull ? null : v.ToString()).ToArray();

    // Plans against what is stored, then runs the plan if that is still what is stored; another node changing one of
    // the same parts in between makes it plan again (it rarely takes two tries: nodes apply the same parts).
    async Task<bool> RunAsync(string queue, Func<Task<LivePlan>> plan)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var p = await plan();
            if (p.IsEmpty) return false;
            var (scriptKeys, args) = LiveScripts.ExecuteArguments(keys.Of(queue, RedisLayout.Parts), p);
            if ((long)await Db.ScriptEvaluateAsync(LiveScripts.Execute, scriptKeys, args) == 1) return p.Changed;
        }
        throw new TimeoutException($"live state of queue '{queue}' kept changing under {Attempts} attempts to apply to it");
    }

    /// <summary>Where live state stands, and its layout; null while it is missing (lost, or being rebuilt).</summary>
    public async Task<LiveCursor?> ReadCursorAsync()
    {
        var value = await Db.StringGetAsync(keys.Cursor);
        return value.IsNull ? null : LiveCursor.Parse(value.ToString());
    }

    /// <summary>Moves the shared cursor forward; false if it is missing (live state lost, to be rebuilt) or of another layout.</summary>
    public async Task<bool> AdvanceCursorAsync(FeedCursor cursor)
    {
        var result = await Db.ScriptEvaluateAsync(LiveScripts.Advance, [keys.Cursor],
            [cursor.Tx.ToString(CultureInfo.InvariantCulture), cursor.Position, LiveCursor.Format(cursor.Tx, cursor.Position), RedisLayout.Version]);
        return (long)result == 1;
    }

    /// <summary>
    /// Sets the cursor where a rebuild left live state, in this code's layout, if the rebuild lock is still held by
    /// <paramref name="token"/>.
    /// </summary>
    public async Task<bool> SetCursorIfLockedAsync(FeedCursor cursor, string token) =>
        (long)await Db.ScriptEvaluateAsync(LiveScripts.SetCursorIfLocked, [keys.Cursor, keys.RebuildLock],
            [LiveCursor.Format(cursor.Tx, cursor.Position), token]) == 1;

    /// <summary>
    /// Deletes live state under this prefix, all but the keys a rebuild keeps (<see cref="LayoutKey.Kept"/>), whatever
    /// layout wrote them; returns how many. The cursor goes first, so every node stops following at once.
    /// </summary>
    public async Task<int> ClearAsync()
    {
        await Db.KeyDeleteAsync(keys.Cursor);
        var found = new List<RedisKey>();
        // Every primary: on Redis Cluster, each holds the queues of its slots.
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: keys.Pattern, pageSize: 1_000))
                if (!keys.IsKept(key.ToString())) found.Add(key);
        }
        foreach (var slot in found.GroupBy(k => redis.HashSlot(k)))
            foreach (var chunk in slot.Chunk(1_000)) await Db.ScriptEvaluateAsync(LiveScripts.Unlink, chunk);
        return found.Count;
    }

    public Task RegisterQueuesAsync(IEnumerable<string> queues) =>
        Db.SetAddAsync(keys.Queues, queues.Select(q => (RedisValue)q).ToArray());

    public async Task<IReadOnlyList<string>> QueuesAsync()
    {
        var members = await Db.SetMembersAsync(keys.Queues);
        return members.Select(m => m.ToString()).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The sequence number to publish the snapshot under; if the same content was published already (by any node), its
    /// number negated (0 if the published number was lost with Redis). A number that starts (again) starts above
    /// <paramref name="floor"/> and the clock in milliseconds; <paramref name="fields"/> prefixes the hash's fields.
    /// </summary>
    public async Task<long> ClaimPublishAsync(string publishedKey, string content, string fields = "", long floor = 0) =>
        // The machine's clock, not the service's TimeProvider: a floor for numbers, not a figure.
        (long)await Db.ScriptEvaluateAsync(LiveScripts.Publish, [publishedKey],
            [content, Math.Max(floor, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), fields]);

    public async Task<long> PublishedSeqAsync(string publishedKey, string fields = "")
    {
        var value = await Db.HashGetAsync(publishedKey, fields + "seq");
        return value.IsNull ? 0 : (long)value;
    }

    public async Task<bool> TryLockAsync(string token, TimeSpan ttl) =>
        await Db.StringSetAsync(keys.RebuildLock, token, ttl, When.NotExists);

    public async Task<bool> RenewLockAsync(string token, TimeSpan ttl) =>
        (long)await Db.ScriptEvaluateAsync(
            LiveScripts.RenewLock,
            [keys.RebuildLock], [token, (long)ttl.TotalMilliseconds]) == 1;

    public Task ReleaseLockAsync(string token) =>
        Db.ScriptEvaluateAsync(LiveScripts.ReleaseLock,
            [keys.RebuildLock], [token]);
}
