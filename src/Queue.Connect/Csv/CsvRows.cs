using CsvHelper;

namespace Queue.Connect.Csv;

/// <summary>A data row of a call-record file: its line, and its fields by field name as written (absent columns left out).</summary>
internal sealed record CsvRow(long Line, IReadOnlyDictionary<string, string> Fields);

/// <summary>A row that is no well-formed CSV record, as written.</summary>
internal sealed record MalformedRow(long Line, string Why, string Raw);

/// <summary>
/// Reads a call-record file with CsvHelper: a header row, then one row per leg. The separator is found from the file
/// (<c>,</c> <c>;</c> tab <c>|</c>), quoting is RFC 4180, a byte order mark is honoured. A record with broken quoting or
/// another number of fields than the header is not guessed at: it comes out as a <see cref="MalformedRow"/>.
/// </summary>
internal static class CsvRows
{
    /// <summary>The rows of <paramref name="path"/>, each either read or malformed, in file order.</summary>
    /// <exception cref="UsageException">The file has no column for a required field.</exception>
    public static IEnumerable<(CsvRow? Row, MalformedRow? Malformed)> Read(string path, CsvColumns columns)
    {
        var malformed = new Queue<MalformedRow>();
        var options = new CsvReaderOptions
        {
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Skip,
            TrackLineNumbers = true,
            // Values are call data, a caller's number among them: never in an exception's message.
            IncludeValuesInExceptions = false,
            OnMalformedRecord = r => malformed.Enqueue(new MalformedRow(r.LineNumber, Why(r.Reason), r.RawRecord)),
        };
        using var reader = CsvReader.FromFile(path, options);
        reader.ReadHeader();
        var index = new List<(string Field, int Index)>();
        foreach (var field in CsvColumns.All)
        {
            var header = columns.HeaderOf(field);
            if (reader.TryGetFieldIndex(header, out var i)) index.Add((field, i));
            else if (CsvColumns.Required.Contains(field, StringComparer.Ordinal))
                throw new UsageException(header == field
                    ? $"{path}: no column {field} in the header (name its column with --column {field}=HEADER)"
                    : $"{path}: no column {header} (for {field}) in the header");
        }
        while (reader.Read())
        {
            while (malformed.TryDequeue(out var bad)) yield return (null, bad);
            var fields = new Dictionary<string, string>(index.Count, StringComparer.Ordinal);
            foreach (var (field, i) in index)
                if (i < reader.FieldCount) fields[field] = reader.GetString(i);
            yield return (new CsvRow(reader.LineNumber, fields), null);
        }
        while (malformed.TryDequeue(out var bad)) yield return (null, bad);
    }

    static string Why(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.FieldCountMismatch => "another number of fields than the header",
        CsvMalformedReason.UnterminatedQuote => "a quoted field never closed",
        _ => "broken quoting (" + reason + ")",
    };
}
