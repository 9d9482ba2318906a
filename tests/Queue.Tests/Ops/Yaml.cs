using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Queue.Tests.Ops;

/// <summary>YAML as plain maps, lists and strings (merge keys resolved), for files that have no model of their own.</summary>
internal static class Yaml
{
    static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static Dictionary<object, object> Load(string text) =>
        Deserializer.Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(new StringReader(text))));

    public static Dictionary<object, object> Map(this object? node, string key) =>
        node is Dictionary<object, object> map && map.TryGetValue(key, out var value) && value is Dictionary<object, object> child
            ? child : throw new KeyNotFoundException($"no map '{key}'");

    public static List<object> List(this object? node, string key) =>
        node is Dictionary<object, object> map && map.TryGetValue(key, out var value) && value is List<object> child
            ? child : throw new KeyNotFoundException($"no list '{key}'");

    public static string? Text(this object? node, string key) =>
        node is Dictionary<object, object> map && map.TryGetValue(key, out var value) ? value?.ToString() : null;

    public static bool Has(this object? node, string key) => node is Dictionary<object, object> map && map.ContainsKey(key);

    public static IEnumerable<KeyValuePair<string, object>> Entries(this Dictionary<object, object> map) =>
        map.Select(e => KeyValuePair.Create(e.Key.ToString()!, e.Value));
}
