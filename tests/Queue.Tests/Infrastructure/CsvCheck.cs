using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CsvHelper;

namespace Queue.Tests.Infrastructure;

/// <summary>
/// A CSV answer against the JSON answer of the same request, read apart: the JSON's rows flattened here (a nested
/// object's fields prefixed with its name, in snake case, unless inlined), then every cell compared as a value —
/// numbers as numbers, instants as instants, null as an empty cell.
/// </summary>
public static class CsvCheck
{
    /// <summary>The header and rows of a CSV text.</summary>
    public static (List<string> Header, List<string[]> Rows) Read(string text)
    {
        using var reader = CsvReader.FromText(text, new CsvReaderOptions { HasHeader = false });
        var rows = new List<string[]>();
        while (reader.Read()) rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetString)]);
        return rows.Count == 0 ? ([], []) : ([.. rows[0]], rows[1..]);
    }

    /// <summary>Asks for <paramref name="url"/> as JSON and as CSV (by <c>.csv</c>, or by Accept) and says how they differ.</summary>
    public static async Task<List<string>> DifferencesAsync(HttpClient http, string url, string csvUrl, Func<JsonElement, IEnumerable<JsonElement>> rowsOf,
        params string[] inline)
    {
        var json = await http.GetFromJsonAsync<JsonElement>(url);
        using var byName = await http.GetAsync(csvUrl);
        using var byAccept = new HttpRequestMessage(HttpMethod.Get, url);
        byAccept.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var accepted = await http.SendAsync(byAccept);
        var problems = new List<string>();
        foreach (var (how, response) in new[] { ("by name", byName), ("by Accept", accepted) })
        {
            if (!response.IsSuccessStatusCode) { problems.Add($"{how}: {(int)response.StatusCode}"); continue; }
            if (response.Content.Headers.ContentType?.MediaType != "text/csv") problems.Add($"{how}: {response.Content.Headers.ContentType}");
            if (response.Content.Headers.ContentDisposition is not { DispositionType: "attachment", FileName: { } name } || !name.Trim('"').EndsWith(".csv", StringComparison.Ordinal))
                problems.Add($"{how}: not a .csv download ({response.Content.Headers.ContentDisposition})");
            problems.AddRange(Compare(await response.Content.ReadAsStringAsync(), [.. rowsOf(json)], inline).Select(p => $"{how}: {p}"));
        }
        return problems;
    }

    // By name: a row's JSON may leave out a field that is null for it (an alert's visits), its CSV cell then empty.
    static IEnumerable<string> Compare(string csv, IReadOnlyList<JsonElement> rows, string[] inline)
    {
        var (header, cells) = Read(csv);
        if (cells.Count != rows.Count) yield return $"{cells.Count} rows, the JSON has {rows.Count}";
        for (var i = 0; i < Math.Min(cells.Count, rows.Count); i++)
        {
            var expected = Flatten(rows[i], "", inline).ToDictionary(e => e.Column, e => e.Value);
            foreach (var missing in expected.Keys.Except(header)) yield return $"row {i}: no column {missing}";
            for (var c = 0; c < header.Count; c++)
            {
                var cell = c < cells[i].Length ? cells[i][c] : "";
                if (!expected.TryGetValue(header[c], out var value)) { if (cell.Length > 0) yield return $"row {i} {header[c]}: CSV '{cell}', not in the JSON"; }
                else if (!Same(value, cell)) yield return $"row {i} {header[c]}: CSV '{cell}', JSON {value.GetRawText()}";
            }
        }
    }

    static IEnumerable<(string Column, JsonElement Value)> Flatten(JsonElement row, string prefix, string[] inline)
    {
        foreach (var p in row.EnumerateObject())
        {
            var name = prefix + JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);
            if (p.Value.ValueKind == JsonValueKind.Object)
                foreach (var inner in Flatten(p.Value, inline.Contains(p.Name) ? prefix : name + "_", inline)) yield return inner;
            else yield return (name, p.Value);
        }
    }

    static bool Same(JsonElement json, string cell) => json.ValueKind switch
    {
        JsonValueKind.Null => cell.Length == 0,
        JsonValueKind.Number => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == json.GetDouble(),
        JsonValueKind.True => cell == "true",
        JsonValueKind.False => cell == "false",
        JsonValueKind.Array => cell == string.Join(';', json.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
        JsonValueKind.String when json.TryGetDateTimeOffset(out var at) =>
            DateTimeOffset.TryParse(cell, CultureInfo.InvariantCulture, DateTimeStyles.None, out var c) && c == at && c.Offset == at.Offset,
        JsonValueKind.String => cell == json.GetString(),
        _ => false,
    };
}
