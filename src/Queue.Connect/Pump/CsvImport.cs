using Queue.Connect.Csv;
using Queue.Connect.Posting;

namespace Queue.Connect.Pumping;

/// <summary>
/// <c>csv FILE…</c>: every row of every file read, in the order given; bad rows counted by cause and written to the
/// reject file with the reason; then the calls mapped whole (a call's legs may be anywhere in the files) and every
/// event posted and acknowledged before it returns.
/// <para>Memory grows with the rows read (a few hundred bytes a leg): a day of a large center is well within it; give
/// the files of a longer span in runs of a few days each, the days a call may span in the same run.</para>
/// </summary>
internal static class CsvImport
{
    public static async Task RunAsync(IReadOnlyList<string> paths, CsvMapping mapping, Pump<CallRecord> pump, RejectFile rejects, CancellationToken ct)
    {
        foreach (var path in paths)
        {
            if (!File.Exists(path)) throw new UsageException($"{path}: no such file");
            foreach (var (row, malformed) in CsvRows.Read(path, mapping.Columns))
            {
                ct.ThrowIfCancellationRequested();
                if (malformed is not null)
                {
                    pump.Skip(RowFault.Shape);
                    rejects.AppendRow(path, malformed.Line, RowFault.Shape, malformed.Why, null, malformed.Raw);
                    continue;
                }
                var (record, problem) = CallRecordParser.Parse(row!.Fields, mapping);
                if (record is not null) pump.Take(record);
                else
                {
                    pump.Skip(problem!.Cause);
                    rejects.AppendRow(path, row.Line, problem.Cause, problem.Reason, row.Fields);
                }
            }
        }
        pump.End();
        await pump.FlushAsync(ct);
    }
}
