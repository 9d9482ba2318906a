namespace Queue.Ingest;

/// <summary>
/// The problems found in a batch, keyed <c>[index].field</c>, each message once per key. A batch with more problems than
/// anyone reads lists the first thousand and says how many there were.
/// </summary>
internal sealed class ParseErrors
{
    const int MaxReported = 1_000;

    readonly Dictionary<string, List<string>> items = new(StringComparer.Ordinal);
    int count;

    /// <summary>A problem with the event at <paramref name="index"/> as a whole.</summary>
    public void Add(int index, string message) => Add($"[{index}]", message);

    /// <summary>A problem with one field of the event at <paramref name="index"/>.</summary>
    public void Add(int index, string field, string message) => Add(Key(index, field), message);

    public Dictionary<string, string[]> ToDictionary()
    {
        var result = items.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        if (count > MaxReported)
            result["batch"] = [$"{count} problems found; the first {MaxReported} are listed"];
        return result;
    }

    void Add(string key, string message)
    {
        if (count++ >= MaxReported) return;
        if (!items.TryGetValue(key, out var list)) items[key] = list = [];
        if (!list.Contains(message)) list.Add(message);
    }

    // A hostile field name is cut short in the error key; the JSON writer escapes the rest.
    static string Key(int index, string field) => $"[{index}]." + (field.Length > 100 ? field[..100] + "…" : field);
}
