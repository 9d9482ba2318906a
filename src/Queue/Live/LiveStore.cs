using System.Globalization;
using StackExchange.Redis;

namespace Queue.Live;

/// <summary>
/// Live state's writes to Redis: each a Lua script on one queue's keys (one hash slot), so a part is replaced
/// atomically and nodes applying the same parts concurrently, in any order, end in the same state.
/// </summary>
internal sealed class LiveStore(IConnectionMultiplexer redis, LiveKeys keys)
{
    // Ops are [kind, key, field, value]; a part is stored as "version|ops". Undoing an add of n is adding -n,
    // and a counter back at zero is removed, so a replaced or expired part leaves no trace.
    const string Common = """
        local base = ARGV[1]
        local function run(ops, undo)
          for _, op in ipairs(ops) do
            local kind, key, field, value = op[1], base .. op[2], op[3], op[4]
            if kind == 'Z' then
              if undo then redis.call('ZREM', key, field) else redis.call('ZADD', key, value, field) end
            elseif kind == 'H' then
              if undo then redis.call('HDEL', key, field) else redis.call('HSET', key, field, value) end
            elseif value ~= '0' then -- Redis refuses "-0" as an integer
              if undo then
                if string.sub(value, 1, 1) == '-' then value = string.sub(value, 2) else value = '-' .. value end
              end
              if redis.call('HINCRBY', key, field, value) == 0 then redis.call('HDEL', key, field) end
            end
          end
        end
        """;

    const string ApplyScript = Common + """

        local parts, expiry = KEYS[1], KEYS[2]
        local changed = 0
        for i = 2, #ARGV, 4 do
          local entity, version, expires, ops = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
          local old = redis.call('HGET', parts, entity)
          local newer, same = true, false
          if old then
            local sep = string.find(old, '|', 1, true)
            newer = tonumber(string.sub(old, 1, sep - 1)) < version
            same = string.sub(old, sep + 1) == ops
            if newer and not same then run(cjson.decode(string.sub(old, sep + 1)), true) end
          end
          if newer then
            if not same then run(cjson.decode(ops), false); changed = 1 end
            redis.call('HSET', parts, entity, version .. '|' .. ops)
            if expires == '' then redis.call('ZREM', expiry, entity) else redis.call('ZADD', expiry, expires, entity) end
          end
        end
        return changed
        """;

    const string TrimScript = Common + """

        local parts, expiry = KEYS[1], KEYS[2]
        local due = redis.call('ZRANGEBYSCORE', expiry, '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        for _, entity in ipairs(due) do
          local old = redis.call('HGET', parts, entity)
          if old then
            local sep = string.find(old, '|', 1, true)
            run(cjson.decode(string.sub(old, sep + 1)), true)
            redis.call('HDEL', parts, entity)
          end
          redis.call('ZREM', expiry, entity)
        end
        return #due
        """;

    // The cursor only moves forward, and only while it exists: a missing cursor means live state is being rebuilt.
    const string AdvanceScript = """
        local current = redis.call('GET', KEYS[1])
        if not current then return 0 end
        local sep = string.find(current, ':', 1, true)
        local tx, pos = string.sub(current, 1, sep - 1), tonumber(string.sub(current, sep + 1))
        local ntx, npos = ARGV[1], tonumber(ARGV[2])
        if #ntx > #tx or (#ntx == #tx and (ntx > tx or (ntx == tx and npos > pos))) then
          redis.call('SET', KEYS[1], ntx .. ':' .. ARGV[2])
        end
        return 1
        """;

    // Publishes a snapshot only if its content differs from the last one published for the queue, by any node, and
    // numbers it: clients keep the highest number they have seen.
    const string PublishScript = """
        if redis.call('HGET', KEYS[1], 'content') == ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], 'content', ARGV[1])
        return redis.call('HINCRBY', KEYS[1], 'seq', 1)
        """;

    IDatabase Db => redis.GetDatabase();

    /// <summary>Applies parts of one queue; true if anything in Redis changed.</summary>
    public async Task<bool> ApplyAsync(string queue, IReadOnlyList<LivePart> parts)
    {
        var args = new RedisValue[1 + parts.Count * 4];
        args[0] = keys.Of(queue, "");
        for (var i = 0; i < parts.Count; i++)
        {
            var p = parts[i];
            args[1 + i * 4] = p.Entity;
            args[2 + i * 4] = p.Version;
            args[3 + i * 4] = p.ExpiresAt is { } e ? e.ToString(CultureInfo.InvariantCulture) : "";
            args[4 + i * 4] = p.OpsJson();
        }
        var result = await Db.ScriptEvaluateAsync(ApplyScript, [keys.Parts(queue), keys.Expiry(queue)], args);
        return (long)result == 1;
    }

    /// <summary>Removes parts that have aged out of every live window; returns how many.</summary>
    public async Task<long> TrimAsync(string queue, DateTimeOffset now, int max)
    {
        var result = await Db.ScriptEvaluateAsync(TrimScript, [keys.Parts(queue), keys.Expiry(queue)],
            [keys.Of(queue, ""), Micros.Of(now), max]);
        return (long)result;
    }

    public async Task<FeedCursor?> ReadCursorAsync()
    {
        var value = await Db.StringGetAsync(keys.Cursor);
        return value.IsNull ? null : ParseCursor(value.ToString());
    }

    /// <summary>Moves the shared cursor forward; false if it is missing (live state lost, to be rebuilt).</summary>
    public async Task<bool> AdvanceCursorAsync(FeedCursor cursor)
    {
        var result = await Db.ScriptEvaluateAsync(AdvanceScript, [keys.Cursor],
            [cursor.Tx.ToString(CultureInfo.InvariantCulture), cursor.Position]);
        return (long)result == 1;
    }

    public Task SetCursorAsync(FeedCursor cursor) =>
        Db.StringSetAsync(keys.Cursor, Format(cursor));

    public Task RegisterQueuesAsync(IEnumerable<string> queues) =>
        Db.SetAddAsync(keys.Queues, queues.Select(q => (RedisValue)q).ToArray());

    public async Task<IReadOnlyList<string>> QueuesAsync()
    {
        var members = await Db.SetMembersAsync(keys.Queues);
        return members.Select(m => m.ToString()).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The sequence number to publish the snapshot under, or 0 if the same content was published already.</summary>
    public async Task<long> ClaimPublishAsync(string publishedKey, string content) =>
        (long)await Db.ScriptEvaluateAsync(PublishScript, [publishedKey], [content]);

    public async Task<long> PublishedSeqAsync(string publishedKey)
    {
        var value = await Db.HashGetAsync(publishedKey, "seq");
        return value.IsNull ? 0 : (long)value;
    }

    public async Task<bool> TryLockAsync(string token, TimeSpan ttl) =>
        await Db.StringSetAsync(keys.RebuildLock, token, ttl, When.NotExists);

    public async Task<bool> RenewLockAsync(string token, TimeSpan ttl) =>
        (long)await Db.ScriptEvaluateAsync(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end",
            [keys.RebuildLock], [token, (long)ttl.TotalMilliseconds]) == 1;

    public Task ReleaseLockAsync(string token) =>
        Db.ScriptEvaluateAsync("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end",
            [keys.RebuildLock], [token]);

    static string Format(FeedCursor c) => $"{c.Tx.ToString(CultureInfo.InvariantCulture)}:{c.Position.ToString(CultureInfo.InvariantCulture)}";

    static FeedCursor ParseCursor(string value)
    {
        var sep = value.IndexOf(':', StringComparison.Ordinal);
        return new FeedCursor(ulong.Parse(value.AsSpan(0, sep), CultureInfo.InvariantCulture), long.Parse(value.AsSpan(sep + 1), CultureInfo.InvariantCulture));
    }
}
