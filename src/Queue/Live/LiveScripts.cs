using StackExchange.Redis;

namespace Queue.Live;

/// <summary>
/// The Lua scripts that change live state. Each runs on one queue's keys (one hash slot), so parts are replaced
/// atomically and nodes applying the same parts concurrently, in any order, end in the same state.
/// </summary>
internal static class LiveScripts
{
    /// <summary>
    /// Runs a <see cref="LivePlan"/> if the parts it assumes are still the stored ones; else changes nothing and
    /// answers -1 (another node moved on: plan again). KEYS: parts, then every key the commands change (all the queue's,
    /// so one hash slot, which Redis Cluster checks against KEYS). ARGV: n, n entities, the n stored parts assumed ("" for
    /// none), then commands, each as name, the index of its key in KEYS, count, and count arguments.
    /// </summary>
    public const string Execute = """
        local n = tonumber(ARGV[1])
        for j = 0, n - 1, 4000 do
          local last = math.min(j + 4000, n)
          local got = redis.call('HMGET', KEYS[1], unpack(ARGV, 2 + j, 1 + last))
          for m = 1, #got do
            if (got[m] or '') ~= ARGV[1 + n + j + m] then return -1 end
          end
        end
        local i = 2 + 2 * n
        while i <= #ARGV do
          local command, key, count = ARGV[i], KEYS[tonumber(ARGV[i + 1])], tonumber(ARGV[i + 2])
          local first, stop = i + 3, i + 2 + count
          if command == 'HINCRBY0' then
            for f = first, stop, 2 do
              if redis.call('HINCRBY', key, ARGV[f], ARGV[f + 1]) == 0 then redis.call('HDEL', key, ARGV[f]) end
            end
          else
            -- In slices: Lua passes only so many values to one call.
            for s = first, stop, 4000 do
              redis.call(command, key, unpack(ARGV, s, math.min(s + 3999, stop)))
            end
          end
          i = stop + 1
        end
        return 1
        """;

    // The cursor only moves forward, only while it exists, and only in this code's layout: a missing cursor means
    // live state is being rebuilt; one of another layout is rebuilt, or left to the nodes whose layout it is.
    // KEYS: cursor. ARGV: tx, position, the cursor there, this code's layout (the cursor's shape: LiveCursor).
    public const string Advance = """
        local current = redis.call('GET', KEYS[1])
        if not current then return 0 end
        local tx, pos, layout = string.match(current, '^(%d+):(%d+):(%d+)$')
        if layout ~= ARGV[4] then return 0 end
        local ntx, npos = ARGV[1], tonumber(ARGV[2])
        if #ntx > #tx or (#ntx == #tx and (ntx > tx or (ntx == tx and npos > tonumber(pos)))) then
          redis.call('SET', KEYS[1], ARGV[3])
        end
        return 1
        """;

    // Publishes a snapshot only if its content differs from the last one published for the queue, by any node, and
    // numbers it: clients keep the highest number they have seen. The same content answers its number, negated. A
    // number lost with Redis (flushed, restarted empty) starts again from ARGV[2], the clock in milliseconds, above any
    // number given before (a queue is pushed a few times a second, not a thousand), so screens do not ignore what follows.
    // ARGV[3] prefixes the fields: '' in a hash of its own, '{team}:' in the one that holds every team's center.
    public const string Publish = """
        local content, seq = ARGV[3] .. 'content', ARGV[3] .. 'seq'
        if redis.call('HGET', KEYS[1], content) == ARGV[1] then return -tonumber(redis.call('HGET', KEYS[1], seq) or '0') end
        redis.call('HSET', KEYS[1], content, ARGV[1])
        if redis.call('HEXISTS', KEYS[1], seq) == 0 then redis.call('HSET', KEYS[1], seq, ARGV[2]) end
        return redis.call('HINCRBY', KEYS[1], seq, 1)
        """;

    // Parts due to expire and the parts themselves, read at one instant. KEYS: expiry, parts. ARGV: now, the most.
    // Answers entity, part ("" for none), entity, part, …
    public const string Due = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        if #due == 0 then return {} end
        local parts = redis.call('HMGET', KEYS[2], unpack(due))
        local out = {}
        for i = 1, #due do out[#out + 1] = due[i]; out[#out + 1] = parts[i] or '' end
        return out
        """;

    // KEYS: cursor, rebuild lock (both of the center's slot). ARGV: the cursor, the lock's token.
    public const string SetCursorIfLocked = """
        if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
        return 0
        """;

    public const string RenewLock = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

    public const string ReleaseLock = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

    // KEYS: the keys to delete, all of one slot. UNLINK frees them in the background: a large center's parts take a
    // while to free, and Redis answers meanwhile.
    public const string Unlink = "return redis.call('UNLINK', unpack(KEYS))";

    /// <summary>The KEYS and ARGV of <see cref="Execute"/> for a plan: the parts key first, then each key its commands change, once.</summary>
    public static (RedisKey[] Keys, RedisValue[] Args) ExecuteArguments(string partsKey, LivePlan plan)
    {
        var keys = new List<RedisKey> { partsKey };
        var index = new Dictionary<string, int>(StringComparer.Ordinal) { [partsKey] = 1 };
        var args = new List<RedisValue>(1 + 2 * plan.Entities.Count + plan.Commands.Sum(c => 3 + c.Args.Count)) { plan.Entities.Count };
        foreach (var e in plan.Entities) args.Add(e);
        foreach (var e in plan.Expected) args.Add(e);
        foreach (var c in plan.Commands)
        {
            if (!index.TryGetValue(c.Key, out var at))
            {
                keys.Add(c.Key);
                index[c.Key] = at = keys.Count;
            }
            args.Add(c.Name);
            args.Add(at);
            args.Add(c.Args.Count);
            foreach (var a in c.Args) args.Add(a);
        }
        return ([.. keys], [.. args]);
    }
}
