using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Queue.Connect.Csv;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;

namespace Queue.Tests.Connect;

/// <summary><c>csv FILE…</c> end to end against a stand-in for the service: posted, counted, bad rows in the reject file; imported again, nothing new.</summary>
public sealed class CsvImportTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("queue-csv-import-").FullName;
    static readonly PosterOptions Quick = new(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task An_import_posts_every_call_writes_bad_rows_with_their_reasons_and_a_second_import_adds_nothing()
    {
        var first = Path.Combine(dir, "monday.csv");
        var second = Path.Combine(dir, "tuesday.csv");
        File.WriteAllText(first, """
            call_id,queue,queued_at,outcome,ended_at,agent_id,completed_at,resolution,transferred_to,region,language,segment,caller
            k1,support,2026-03-02T09:00:00Z,transferred,2026-03-02T09:00:30Z,,,,sales,,,,+79125550011
            k2,support,2026-03-02T09:01:00Z,answered,2026-03-02T09:01:10Z,,,,,,,,
            k3,support,2026-03-02T09:02:00Z,voicemail,2026-03-02T09:02:10Z,,,,,,,,
            """);
        // The call's second leg is in the next day's file: one run, one call.
        File.WriteAllText(second, """
            call_id,queue,queued_at,outcome,ended_at,agent_id,completed_at,resolution,transferred_to,region,language,segment,caller
            k1,sales,2026-03-02T09:00:30Z,answered,2026-03-02T09:00:45Z,op.1,2026-03-02T09:04:00Z,unresolved,,,,,
            """);
        await using var service = await new LoopbackService((_, _) => (200, "", null)).StartAsync();

        var once = await ImportAsync(service, first, second);
        var again = await ImportAsync(service, first, second);

        Assert.Equal(4, once.Lines);
        Assert.Equal(4, once.Events);
        Assert.Equal((4L, 0L), (once.Posted.New, once.Posted.Duplicates));
        Assert.Equal(1, once.Skipped[RowFault.Missing]);
        Assert.Equal(1, once.Skipped[RowFault.Outcome]);
        Assert.Equal("call.queued call.transferred call.answered call.completed",
            string.Join(' ', service.Taken.Take(4).Select(e => (string)e["type"]!)));
        Assert.Equal((0L, 4L), (again.Posted.New, again.Posted.Duplicates));
        var rejects = File.ReadAllLines(Path.Combine(dir, "rejects.jsonl")).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(4, rejects.Count);
        Assert.Equal(("missing", 3L, "k2"), ((string)rejects[0]["cause"]!, (long)rejects[0]["line"]!, (string)rejects[0]["row"]!["call_id"]!));
        Assert.Contains("agent_id", (string)rejects[0]["reason"]!, StringComparison.Ordinal);
        Assert.Equal("outcome", (string)rejects[1]["cause"]!);
    }

    async Task<RunSummary> ImportAsync(LoopbackService service, params string[] files)
    {
        using var http = service.Client();
        var rejects = new RejectFile(Path.Combine(dir, "rejects.jsonl"), TimeProvider.System);
        var poster = new EventPoster(http, "key", rejects, NullLogger.Instance, TimeProvider.System, Quick);
        var mapping = CsvMapping.For("crm");
        var pump = new Pump<CallRecord>(new CallRecordMapper(mapping.Source), poster, NullLogger.Instance);
        await CsvImport.RunAsync(files, mapping, pump, rejects, TestContext.Current.CancellationToken);
        return pump.Summary;
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
