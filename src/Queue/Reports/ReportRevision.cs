using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queue.Reports;

/// <summary>One figure of a report that differs from the version before: where, and its value then and now (null: absent).</summary>
public sealed record ReportChange(string Figure, string? Before, string? After);

/// <summary>
/// What a revised report (version 2 on) says of itself: the version it revises, when that was made, the latest version
/// sent by email (null: none was), and every figure that changed since the version before.
/// </summary>
public sealed record ReportRevision(int Revises, DateTimeOffset RevisesMadeAt, int? SentVersion, IReadOnlyList<ReportChange> Changes);

/// <summary>Pure: the figures in which two versions of a week's report differ.</summary>
public static class ReportDiff
{
    /// <summary>At most this many changes are listed; the count of all is in the last entry.</summary>
    public const int MostListed = 200;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<ReportChange> Changes(WeeklyReport before, WeeklyReport after)
    {
        var a = Flatten(before);
        var b = Flatten(after);
        var changes = a.Keys.Union(b.Keys).Order(StringComparer.Ordinal)
            .Select(k => new ReportChange(k, a.GetValueOrDefault(k), b.GetValueOrDefault(k)))
            .Where(c => c.Before != c.After)
            .ToList();
        if (changes.Count <= MostListed) return changes;
        return [.. changes.Take(MostListed - 1), new ReportChange($"… and {changes.Count - MostListed + 1} more", null, null)];
    }

    // The figures only: sections by queue, regions by name, 48 h breaches by visit. When the report was made, its
    // version and whether it is partial are not figures.
    static Dictionary<string, string?> Flatten(WeeklyReport r)
    {
        var leaves = new Dictionary<string, string?>(StringComparer.Ordinal);
        Add(leaves, "center", JsonSerializer.SerializeToNode(r.Center, Json));
        foreach (var q in r.Queues) Add(leaves, $"queue {q.Queue}", JsonSerializer.SerializeToNode(q, Json));
        foreach (var g in r.Regions ?? []) Add(leaves, $"region {g.Region ?? "(none)"}", JsonSerializer.SerializeToNode(g, Json));
        foreach (var v in r.Breaches48) Add(leaves, $"48 h breach {v.VisitId}", JsonSerializer.SerializeToNode(v, Json));
        return leaves;
    }

    static void Add(Dictionary<string, string?> leaves, string path, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o)
                {
                    if (name is "queue" or "region") continue; // the key of the path already
                    Add(leaves, $"{path}.{name}", value);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    Add(leaves, $"{path}[{Label(a[i], i)}]", a[i]);
                break;
            default:
                leaves[path] = node?.ToJsonString();
                break;
        }
    }

    // A day of a section's trend is named by its date, not by its place in the list.
    static string Label(JsonNode? item, int index) =>
        item is JsonObject o && o["day"] is JsonValue day ? day.ToString() : index.ToString(CultureInfo.InvariantCulture);
}
