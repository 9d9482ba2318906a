namespace Queue.Connect.Csv;

/// <summary>
/// The fields of a call record (SPEC §9) and the header each is read from: its own name unless
/// <c>--column field=header</c> names another (<c>--column queued_at=EnterTime</c>). Headers are matched exactly,
/// else ignoring case and surrounding spaces.
/// </summary>
internal sealed class CsvColumns
{
    public const string CallId = "call_id";
    public const string Queue = "queue";
    public const string QueuedAt = "queued_at";
    public const string Outcome = "outcome";
    public const string EndedAt = "ended_at";
    public const string AgentId = "agent_id";
    public const string CompletedAt = "completed_at";
    public const string Resolution = "resolution";
    public const string TransferredTo = "transferred_to";
    public const string Region = "region";
    public const string Language = "language";
    public const string Segment = "segment";
    public const string Caller = "caller";

    /// <summary>Every field, in the order a row's content is normalized in.</summary>
    public static readonly IReadOnlyList<string> All =
        [CallId, Queue, QueuedAt, Outcome, EndedAt, AgentId, CompletedAt, Resolution, TransferredTo, Region, Language, Segment, Caller];

    /// <summary>The columns a file must have; the others may be left out.</summary>
    public static readonly IReadOnlyList<string> Required = [CallId, Queue, QueuedAt, Outcome, EndedAt];

    readonly Dictionary<string, string> headers;

    CsvColumns(Dictionary<string, string> headers) => this.headers = headers;

    public static CsvColumns Default { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>The header <paramref name="field"/> is read from.</summary>
    public string HeaderOf(string field) => headers.GetValueOrDefault(field, field);

    /// <summary>Reads <c>field=header</c> pairs; a field not in SPEC §9's list, or named twice, is a usage error.</summary>
    public static CsvColumns Parse(IEnumerable<string> pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            if (pair.Split('=', 2) is not [{ Length: > 0 } field, { Length: > 0 } header])
                throw new UsageException($"--column {pair}: expected FIELD=HEADER, e.g. queued_at=EnterTime");
            field = field.Trim();
            if (!All.Contains(field, StringComparer.Ordinal))
                throw new UsageException($"--column {pair}: no field '{field}'; the fields are {string.Join(", ", All)}");
            if (!map.TryAdd(field, header.Trim())) throw new UsageException($"--column: {field} is given twice");
        }
        return new CsvColumns(map);
    }
}
