namespace Queue.Connect.Csv;

/// <summary>How one system's call records are read and mapped.</summary>
/// <param name="Source">Namespaces call ids and event ids (two systems may both have a call 1001).</param>
/// <param name="QueuePrefix">Put before every queue name (queues and transfer targets alike).</param>
/// <param name="Zone">Where timestamps written without an offset were written; null: such a timestamp is a bad row.</param>
/// <param name="Columns">The header each field is read from.</param>
internal sealed record CsvMapping(string Source, string QueuePrefix, TimeZoneInfo? Zone, CsvColumns Columns)
{
    public static CsvMapping For(string source, TimeZoneInfo? zone = null, CsvColumns? columns = null, string queuePrefix = "") =>
        new(source, queuePrefix, zone, columns ?? CsvColumns.Default);
}
