using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Queue.Redis;

/// <summary>What an op does to its key; each can be undone exactly, which is what lets a part be replaced.</summary>
public enum LiveOpKind
{
    /// <summary>ZADD member score; undone by ZREM member.</summary>
    SortedSetAdd,

    /// <summary>HSET field value; undone by HDEL field.</summary>
    HashSet,

    /// <summary>HINCRBY field amount; undone by HINCRBY field −amount (a field back at zero is deleted).</summary>
    HashIncrement,
}

/// <summary>
/// One change a part makes to Redis, on a key named within the part's queue (<see cref="LayoutKey.Name"/>): parts are
/// stored, and short names keep them small. Made by the keys of <see cref="RedisLayout"/>, which know their type.
/// </summary>
public readonly record struct LiveOp(LiveOpKind Kind, string Key, string Field, string Value)
{
    public static LiveOp SortedSetAdd(string key, string member, long score) => new(LiveOpKind.SortedSetAdd, key, member, Num(score));

    public static LiveOp HashSet(string key, string field, string value) => new(LiveOpKind.HashSet, key, field, value);

    public static LiveOp HashIncrement(string key, string field, long amount) => new(LiveOpKind.HashIncrement, key, field, Num(amount));

    /// <summary>The amount of a <see cref="LiveOpKind.HashIncrement"/>.</summary>
    public long Amount => long.Parse(Value, CultureInfo.InvariantCulture);

    static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A part as the <see cref="RedisLayout.Parts"/> hash stores it: <c>{version}|{ops}</c>, the ops a JSON array of
/// <c>[kind, key, field, value]</c>, the kind one letter. Undoing a stored part needs nothing but the part itself.
/// </summary>
public static class StoredPart
{
    public const string Shape = """{version}|[[kind, key, field, value], …] (kind Z: ZADD, H: HSET, I: HINCRBY)""";

    // The letters stored for each kind: changing one changes every stored part, so it takes a new layout version.
    static char Code(LiveOpKind kind) => kind switch
    {
        LiveOpKind.SortedSetAdd => 'Z',
        LiveOpKind.HashSet => 'H',
        LiveOpKind.HashIncrement => 'I',
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    static LiveOpKind KindOf(char code) => code switch
    {
        'Z' => LiveOpKind.SortedSetAdd,
        'H' => LiveOpKind.HashSet,
        'I' => LiveOpKind.HashIncrement,
        _ => throw new FormatException($"a stored op of unknown kind '{code}'"),
    };

    public static string Format(long version, string opsJson) => version.ToString(CultureInfo.InvariantCulture) + "|" + opsJson;

    public static string OpsJson(IEnumerable<LiveOp> ops) =>
        JsonSerializer.Serialize(ops.Select(o => new[] { Code(o.Kind).ToString(), o.Key, o.Field, o.Value }), RedisJson.Options);

    /// <summary>A stored part's version, and its ops as JSON.</summary>
    public static (long Version, ReadOnlyMemory<char> OpsJson) Split(string stored)
    {
        var sep = stored.IndexOf('|', StringComparison.Ordinal);
        return (long.Parse(stored.AsSpan(0, sep), CultureInfo.InvariantCulture), stored.AsMemory(sep + 1));
    }

    public static List<LiveOp> ReadOps(ReadOnlySpan<char> opsJson)
    {
        var ops = new List<LiveOp>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(opsJson.ToArray()));
        reader.Read(); // [
        while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
        {
            reader.Read();
            var kind = KindOf(reader.GetString()![0]);
            reader.Read();
            var key = reader.GetString()!;
            reader.Read();
            var field = reader.GetString()!;
            reader.Read();
            var value = reader.GetString()!;
            reader.Read(); // ]
            ops.Add(new LiveOp(kind, key, field, value));
        }
        return ops;
    }
}

/// <summary>How live state writes JSON into Redis: the values of hashes, and snapshots compared before publishing.</summary>
public static class RedisJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Options)!;
}
