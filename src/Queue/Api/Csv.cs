using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Queue.Api;

/// <summary>
/// A table of records as CSV (RFC 4180), with the same rows and numbers as its JSON: a column per property, named as
/// the JSON names it in snake case (<c>asaSeconds</c> → <c>asa_seconds</c>); a property that is itself a record gives
/// a column per property of its own, prefixed with its name (<c>states</c> → <c>states_asa</c>) unless the table
/// inlines it. Rates with full precision, instants in RFC 3339 with their offset, nothing where JSON has null, lists
/// joined by <c>;</c>.
/// </summary>
/// <remarks>
/// Asked for by a path ending in <c>.csv</c> or by <c>Accept: text/csv</c>; answered as a download named for what it
/// holds. Spreadsheets open it as it is (UTF-8, comma, a header row).
/// </remarks>
public static class Csv
{
    public const string MediaType = "text/csv";

    /// <summary>Whether a request asks for CSV: its path ends in <c>.csv</c>, or it accepts <c>text/csv</c> and not JSON first.</summary>
    public static bool Wanted(HttpRequest request)
    {
        if (request.Path.Value?.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) == true) return true;
        var accept = request.GetTypedHeaders().Accept;
        return accept.Count > 0 && accept.OrderByDescending(a => a.Quality ?? 1).First().MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The rows as a CSV download named <paramref name="fileName"/> (<c>.csv</c> added).</summary>
    public static FileContentHttpResult File<T>(IEnumerable<T> rows, string fileName, params string[] inline) =>
        TypedResults.File(Encoding.UTF8.GetBytes(Write(rows, inline)), MediaType + "; charset=utf-8", fileName + ".csv");

    /// <summary>
    /// A list property spread into columns the answer decides (a column per break reason it holds, say): the property's
    /// column is left out, and <see cref="Names"/> come last, their cells from <see cref="Values"/>.
    /// </summary>
    public sealed record Spread<T>(string Property, IReadOnlyList<string> Names, Func<T, IReadOnlyList<object?>> Values);

    /// <summary>The rows as a CSV download, with one list property spread into columns.</summary>
    public static FileContentHttpResult File<T>(IEnumerable<T> rows, string fileName, Spread<T> spread) =>
        TypedResults.File(Encoding.UTF8.GetBytes(WriteSpread(rows, spread)), MediaType + "; charset=utf-8", fileName + ".csv");

    /// <summary>The rows as CSV text, with one list property spread into columns.</summary>
    public static string WriteSpread<T>(IEnumerable<T> rows, Spread<T> spread)
    {
        var left = JsonNamingPolicy.SnakeCaseLower.ConvertName(JsonNamingPolicy.CamelCase.ConvertName(spread.Property));
        var columns = Columns(typeof(T), []).Where(c => c.Name != left).ToList();
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: true))
        {
            csv.WriteHeader([.. columns.Select(c => c.Name), .. spread.Names]);
            foreach (var row in rows) csv.WriteRecord([.. columns.Select(c => Format(c.Value(row))), .. spread.Values(row).Select(Format)]);
        }
        return text.ToString();
    }

    /// <summary>The rows as CSV text: a header row, then a row per record.</summary>
    public static string Write<T>(IEnumerable<T> rows, params string[] inline)
    {
        var columns = Columns(typeof(T), inline);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvWriterOptions.Default, leaveOpen: true))
        {
            csv.WriteHeader([.. columns.Select(c => c.Name)]);
            foreach (var row in rows) csv.WriteRecord([.. columns.Select(c => Format(c.Value(row)))]);
        }
        return text.ToString();
    }

    /// <summary>The column names of a table of <paramref name="type"/>, as <see cref="Write{T}"/> writes them.</summary>
    public static IReadOnlyList<string> Header(Type type, params string[] inline) => [.. Columns(type, inline).Select(c => c.Name)];

    sealed record Column(string Name, Func<object?, object?> Value);

    static readonly ConcurrentDictionary<(Type, string), Column[]> Known = new();

    static Column[] Columns(Type type, string[] inline) =>
        Known.GetOrAdd((type, string.Join(',', inline)), _ => [.. ColumnsOf(type, "", x => x, inline)]);

    static IEnumerable<Column> ColumnsOf(Type type, string prefix, Func<object?, object?> get, string[] inline)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            if (p.GetCustomAttribute<System.Text.Json.Serialization.JsonIgnoreAttribute>() is not null) continue;
            var json = JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            var name = prefix + JsonNamingPolicy.SnakeCaseLower.ConvertName(json);
            Func<object?, object?> value = x => get(x) is { } o ? p.GetValue(o) : null;
            if (IsRecord(p.PropertyType))
                foreach (var c in ColumnsOf(p.PropertyType, inline.Contains(json) ? prefix : name + "_", value, inline)) yield return c;
            else yield return new Column(name, value);
        }
    }

    // Records and classes of the answers are flattened; values (numbers, text, instants, lists, JSON) are cells.
    static bool IsRecord(Type t) =>
        t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t) && t.Namespace?.StartsWith("Queue", StringComparison.Ordinal) == true;

    static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset at => at.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeSpan span => span.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
        JsonElement json => json.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? "" : json.GetRawText(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable list => string.Join(';', list.Cast<object?>().Select(Format)),
        _ => value.ToString() ?? "",
    };
}
