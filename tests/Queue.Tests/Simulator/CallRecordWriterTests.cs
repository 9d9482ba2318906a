using Queue.Connect;
using Queue.Connect.Csv;
using Queue.Ingest;
using Queue.Simulator.CallRecords;
using Queue.Simulator.Traffic;

namespace Queue.Tests.Simulator;

/// <summary>
/// The simulator's call records, read back through the connector's own CSV reader, parser and mapping: a seeded day of
/// the demo center written as an export in local time, and imported, is the same calls; and the demo that feeds the
/// rest of the center leaves exactly those calls out.
/// </summary>
public sealed class CallRecordWriterTests
{
    const string Source = "demo-csv";

    /// <summary>Wednesday 2026-03-04 10:00 center time: the day before it is written.</summary>
    static readonly DateTimeOffset Until = new(2026, 3, 4, 10, 0, 0, TimeSpan.FromHours(5));

    static readonly CsvHistory History = CsvHistory.Of(DemoTraffic.Center(30, seed: 5, prefix: "csv"), Until, 1, Source);

    static readonly Lazy<Day> Seeded = new(Day.Write);

    [Fact]
    public void The_file_has_spec_columns_and_local_times_without_an_offset()
    {
        var lines = Seeded.Value.Head;

        Assert.Equal("call_id,queue,queued_at,outcome,ended_at,agent_id,completed_at,resolution,transferred_to,region,language,segment,caller", lines[0]);
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^[^,]+,[a-z0-9]+,2026-03-0[34] \d\d:\d\d:\d\d,(answered|abandoned|transferred),2026-03-0[34] \d\d:\d\d:\d\d,", l));
        // Without the zone the times cannot be placed: every row is refused for its time.
        var (record, problem) = CallRecordParser.Parse(Seeded.Value.FirstRow, CsvMapping.For(Source));
        Assert.Null(record);
        Assert.Equal(RowFault.Time, problem!.Cause);
    }

    [Fact]
    public void Imported_by_the_connector_the_records_give_the_simulations_legs_to_the_second()
    {
        var day = Seeded.Value;
        var expected = CallLegs.Of(day.SimulatedCalls);
        var actual = CallLegs.Of(CallLegs.FromConnector(day.Mapped));

        Assert.Equal(0, day.Skipped);
        Assert.True(expected.Count > 30 * 90, $"{expected.Count} legs");
        Assert.Contains(expected.GroupBy(l => l.CallId), call => call.Count() > 1);
        Assert.Contains(expected, l => l.Outcome == "abandoned");
        Assert.DoesNotContain(expected, l => l.Outcome == "waiting");
        var missing = expected.Except(actual).Take(5).ToList();
        var extra = actual.Except(expected).Take(5).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"not in the import: {string.Join("; ", missing)} — only in the import: {string.Join("; ", extra)}");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Completions_come_back_with_the_simulations_resolutions_and_callers_data()
    {
        var day = Seeded.Value;
        var simulated = day.Events.OfType<EventDocs.CallCompleted>().Where(c => day.Calls.Contains(c.CallId))
            .Select(c => (History.ConnectorCallId(c.CallId), c.At.ToUnixTimeSeconds(), c.Resolution)).Order().ToList();
        var mapped = day.Mapped.Where(e => e.Type == "call.completed").Select(e => (e.CallId!, e.At.ToUnixTimeSeconds(), e.Resolution)).Order().ToList();
        Assert.NotEmpty(simulated);
        Assert.Equal(simulated, mapped);

        var queued = day.Events.OfType<EventDocs.CallQueued>().Where(q => day.Calls.Contains(q.CallId))
            .ToDictionary(q => History.ConnectorCallId(q.CallId), StringComparer.Ordinal);
        Assert.All(day.Mapped.Where(e => e.Type == "call.queued"), e =>
        {
            var q = queued[e.CallId!];
            Assert.Equal((q.Region, q.Language, q.Segment, q.Caller), (e.Region, e.Language, e.Segment, e.Caller));
        });
    }

    [Fact]
    public void The_demo_leaves_out_exactly_the_calls_the_records_hold_and_names_their_visits_as_the_import_does()
    {
        var day = Seeded.Value;
        var from = Until.AddDays(-3);
        var all = DemoTraffic.Run(History.Center, from).TakeWhile(e => e.At <= Until.AddDays(1)).ToList();
        var fed = History.Without(all).ToList();

        static string? Call(EventDocs.Event e) => e switch
        {
            EventDocs.CallQueued q => q.CallId,
            EventDocs.CallAnswered a => a.CallId,
            EventDocs.CallAbandoned b => b.CallId,
            EventDocs.CallTransferred t => t.CallId,
            EventDocs.CallCompleted c => c.CallId,
            EventDocs.CallMissed m => m.CallId,
            _ => null,
        };
        Assert.DoesNotContain(fed, e => Call(e) is { } id && day.Calls.Contains(id));
        Assert.Equal(all.Where(e => Call(e) is not { } id || !day.Calls.Contains(id)).Select(e => e.Id), fed.Select(e => e.Id));
        // Calls still going on when the records end are the demo's to send.
        Assert.Contains(fed, e => e is EventDocs.CallQueued q && q.At >= History.From && q.At < Until);

        var imported = day.Mapped.Select(e => e.CallId).ToHashSet(StringComparer.Ordinal);
        var visits = fed.OfType<EventDocs.VisitCreated>().Where(v => v.CallId is { } c && c.StartsWith(Source + ":", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(visits);
        Assert.All(visits, v => Assert.Contains(v.CallId, imported));
        Assert.Equal(all.OfType<EventDocs.VisitCreated>().Count(v => v.CallId is { } c && day.Calls.Contains(c)), visits.Count);
    }

    /// <summary>The simulated day, its records written to a file, and that file imported as the connector imports it.</summary>
    sealed record Day(List<string> Head, IReadOnlyDictionary<string, string> FirstRow, List<EventDocs.Event> Events, HashSet<string> Calls, List<CallLegs.Step> SimulatedCalls, List<WireEvent> Mapped, long Skipped)
    {
        public static Day Write()
        {
            var dir = Directory.CreateTempSubdirectory("queue-csv-").FullName;
            var path = System.IO.Path.Combine(dir, "calls.csv");
            using (var file = new CallRecordFile(path, CsvHistory.Zone))
                foreach (var row in History.Rows()) file.Write(row);
            var head = File.ReadLines(path).Take(50).ToList();

            var events = DemoTraffic.Run(History.Center, History.From).TakeWhile(e => e.At <= Until).ToList();
            var calls = History.Rows().Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
            var simulated = CallLegs.FromSimulation(events, q => History.ConnectorCallId(q.CallId), a => a)
                .Where(s => calls.Contains(s.CallId[(Source.Length + 1)..])).ToList();

            var mapping = CsvMapping.For(Source, TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg"));
            var mapper = new CallRecordMapper(mapping.Source);
            var mapped = new List<WireEvent>();
            long skipped = 0;
            IReadOnlyDictionary<string, string>? first = null;
            foreach (var (row, malformed) in CsvRows.Read(path, mapping.Columns))
            {
                first ??= row?.Fields;
                var (record, _) = malformed is null ? CallRecordParser.Parse(row!.Fields, mapping) : (null, null);
                if (record is null) skipped++;
                else mapper.Map(record, mapped);
            }
            mapper.End(mapped);
            Directory.Delete(dir, recursive: true);
            return new Day(head, first!, events, calls, simulated, mapped, skipped);
        }
    }
}
