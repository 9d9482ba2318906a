namespace Queue.Redis;

/// <summary>A key's Redis type, as <c>TYPE</c> answers it.</summary>
public enum KeyType
{
    String,
    Hash,
    SortedSet,
    Set,
}

/// <summary>
/// One key of live state, <c>{prefix}live:{queue}:{name}</c>: its name, its type, what it holds, and what its members
/// (or fields) and scores (or values) are. A key that parts write hands out the ops for its type, and only those.
/// </summary>
public abstract record LayoutKey(string Name, KeyType Type, string Holds, string Member, string Value)
{
    /// <summary>Only under the center's tag <c>{~}</c>; the others are kept for every queue and for the center.</summary>
    public bool CenterOnly { get; init; }

    /// <summary>
    /// Left in place when live state is rebuilt: it is not made of parts (the rebuild lock, and what was published,
    /// whose sequence numbers clients hold on to).
    /// </summary>
    public bool Kept { get; init; }
}

/// <summary>A sorted set that parts add members to.</summary>
public sealed record SortedSetKey(string Name, string Holds, string Member, string Score)
    : LayoutKey(Name, KeyType.SortedSet, Holds, Member, Score)
{
    public LiveOp Add(string member, long score) => LiveOp.SortedSetAdd(Name, member, score);
}

/// <summary>A hash whose fields parts set, one field one entity's.</summary>
public sealed record HashKey(string Name, string Holds, string Field, string Value)
    : LayoutKey(Name, KeyType.Hash, Holds, Field, Value)
{
    public LiveOp Set(string field, string value) => LiveOp.HashSet(Name, field, value);

    /// <summary>Sets a field to a value as JSON (<see cref="RedisJson"/>).</summary>
    public LiveOp SetJson<T>(string field, T value) => Set(field, RedisJson.Write(value));
}

/// <summary>A hash of counters that parts add to; many entities add to one field.</summary>
public sealed record CounterKey(string Name, string Holds, string Field, string Value)
    : LayoutKey(Name, KeyType.Hash, Holds, Field, Value)
{
    public LiveOp Add(string field, long amount) => LiveOp.HashIncrement(Name, field, amount);
}

/// <summary>A key that parts do not write: the cursor, the lock, the list of queues, what was published, parts themselves.</summary>
public sealed record PlainKey(string Name, KeyType Type, string Holds, string Member, string Value)
    : LayoutKey(Name, Type, Holds, Member, Value);

/// <summary>A hash of counters per local day, <c>{name}:{yyyy-MM-dd}</c>: a key a day, so yesterday's counts are left behind whole.</summary>
public sealed record DailyCounterKey(string Prefix, string Holds, string Field, string Value)
    : LayoutKey(Prefix + ":{yyyy-MM-dd}", KeyType.Hash, Holds, Field, Value)
{
    public CounterKey On(DateOnly day) =>
        new(Prefix + ":" + day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Holds, Member, Value);
}
