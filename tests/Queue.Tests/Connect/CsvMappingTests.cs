using Queue.Connect;
using Queue.Connect.Csv;

namespace Queue.Tests.Connect;

/// <summary>SPEC §9's call-record mapping: offsets, a zone, other header names, bad rows, and a call's legs in any row order.</summary>
public sealed class CsvMappingTests : IDisposable
{
    const string Header = "call_id,queue,queued_at,outcome,ended_at,agent_id,completed_at,resolution,transferred_to,region,language,segment,caller";

    readonly string dir = Directory.CreateTempSubdirectory("queue-csv-").FullName;
    static readonly TimeZoneInfo Chelyabinsk = TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg");

    static readonly string WithOffsets = $"""
        {Header}
        c1,support,2026-03-02T14:00:10+05:00,answered,2026-03-02T14:00:30+05:00,op.1001,2026-03-02T14:03:20+05:00,resolved,,Chelyabinsk Oblast,ru,b2c,+79125550011
        c2,sales,2026-03-02T09:01:00Z,abandoned,2026-03-02T09:01:40Z,,,,,,,,
        c3,support,2026-03-02T09:05:00.250+00:00,answered,2026-03-02T09:05:04+00:00,op.1002,2026-03-02T09:09:00+00:00,,,,,,
        """;

    static readonly string InLocalTime = $"""
        {Header}
        c1,support,2026-03-02 14:00:10,answered,2026-03-02 14:00:30,op.1001,2026-03-02 14:03:20,resolved,,Chelyabinsk Oblast,ru,b2c,+79125550011
        c2,sales,2026-03-02 14:01:00,abandoned,2026-03-02 14:01:40,,,,,,,,
        c3,support,2026-03-02 14:05:00.250,answered,2026-03-02 14:05:04,op.1002,2026-03-02 14:09:00,,,,,,
        """;

    static DateTimeOffset Utc(string time) => DateTimeOffset.Parse("2026-03-02T" + time + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Times_with_an_offset_are_taken_as_written_and_each_outcome_gives_its_event()
    {
        var (events, problems) = Map(WithOffsets, CsvMapping.For("crm"));

        Assert.Empty(problems);
        var c1 = events.Of("crm:c1");
        Assert.Equal("call.queued call.answered call.completed", c1.Kinds());
        Assert.Equal((Utc("09:00:10"), "support", "Chelyabinsk_Oblast", "ru", "b2c", "+79125550011"),
            (c1[0].At, c1[0].Queue, c1[0].Region, c1[0].Language, c1[0].Segment, c1[0].Caller));
        Assert.Equal((Utc("09:00:30"), "op.1001"), (c1[1].At, c1[1].AgentId));
        Assert.Equal((Utc("09:03:20"), "resolved"), (c1[2].At, c1[2].Resolution));
        var c2 = events.Of("crm:c2");
        Assert.Equal("call.queued call.abandoned", c2.Kinds());
        Assert.Equal(Utc("09:01:40"), c2[1].At);
        var c3 = events.Of("crm:c3");
        Assert.Equal(Utc("09:05:00.25"), c3[0].At);
        Assert.Null(c3[2].Resolution);
    }

    [Fact]
    public void Times_without_an_offset_are_read_in_the_zone_given_and_give_the_same_events_and_ids()
    {
        var offsets = Map(WithOffsets, CsvMapping.For("crm")).Events;
        var (local, problems) = Map(InLocalTime, CsvMapping.For("crm", Chelyabinsk));

        Assert.Empty(problems);
        Assert.Equal(offsets.Select(WireJson.Serialize), local.Select(WireJson.Serialize));
    }

    [Fact]
    public void A_time_without_an_offset_and_no_zone_is_a_bad_row()
    {
        var (events, problems) = Map(InLocalTime, CsvMapping.For("crm"));

        Assert.Empty(events);
        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.Equal(RowFault.Time, p.Cause));
        Assert.Contains("--time-zone", problems[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_header_names_in_another_order_and_separator_are_mapped_by_column_options()
    {
        const string other = """
            Skill;CallRef;EnterTime;Result;LeaveTime;Agent;HangUp;Outcome2;Region;Lang;Segment;ANI;TransferTo
            support;c1;2026-03-02T14:00:10+05:00;answered;2026-03-02T14:00:30+05:00;op.1001;2026-03-02T14:03:20+05:00;resolved;Chelyabinsk Oblast;ru;b2c;+79125550011;
            sales;c2;2026-03-02T09:01:00Z;abandoned;2026-03-02T09:01:40Z;;;;;;;;
            support;c3;2026-03-02T09:05:00.250+00:00;answered;2026-03-02T09:05:04+00:00;op.1002;2026-03-02T09:09:00+00:00;;;;;;
            """;
        var columns = CsvColumns.Parse(["queue=Skill", "call_id=CallRef", "queued_at=EnterTime", "outcome=Result", "ended_at=LeaveTime",
            "agent_id=Agent", "completed_at=HangUp", "resolution=Outcome2", "language=Lang", "caller=ANI", "transferred_to=TransferTo"]);

        var (events, problems) = Map(other, CsvMapping.For("crm", columns: columns));

        Assert.Empty(problems);
        Assert.Equal(Map(WithOffsets, CsvMapping.For("crm")).Events.Select(WireJson.Serialize), events.Select(WireJson.Serialize));
    }

    [Fact]
    public void A_file_without_a_required_column_is_refused_with_the_option_to_name_it()
    {
        var path = Write("call_id,queue,EnterTime,outcome,ended_at\n");

        var e = Assert.Throws<UsageException>(() => CsvRows.Read(path, CsvColumns.Default).ToList());
        Assert.Contains("--column queued_at=HEADER", e.Message, StringComparison.Ordinal);
        Assert.Throws<UsageException>(() => CsvColumns.Parse(["queued=EnterTime"]));
    }

    [Fact]
    public void Bad_rows_are_skipped_each_with_its_cause_and_reason_and_the_good_ones_are_mapped()
    {
        var (events, problems, malformed) = MapAll($"""
            {Header}
            ,support,2026-03-02T09:00:00Z,abandoned,2026-03-02T09:00:30Z,,,,,,,,
            b2,support,2026-03-02T09:00:00Z,answered,2026-03-02T09:00:30Z,,,,,,,,
            b3,support,2026-03-02T09:00:00Z,transferred,2026-03-02T09:00:30Z,,,,,,,,
            b4,support,yesterday,abandoned,2026-03-02T09:00:30Z,,,,,,,,
            b5,support,2026-03-02T09:00:00Z,abandoned,2026-03-02 09:00:30,,,,,,,,
            b6,support,2026-03-02T09:00:00Z,voicemail,2026-03-02T09:00:30Z,,,,,,,,
            b7,support,2026-03-02T09:00:00Z,abandoned,2026-03-02T08:59:00Z,,,,,,,,
            b8,support,2026-03-02T09:00:00Z,answered,2026-03-02T09:00:30Z,op.1,2026-03-02T09:00:10Z,,,,,,
            b9,support,2026-03-02T09:00:00Z,answered,2026-03-02T09:00:30Z,op.1,2026-03-02T09:05:00Z,maybe,,,,,
            b10,support,2026-03-02T09:00:00Z,abandoned,2026-03-02T09:00:30Z,,,,,,,,,extra,fields
            b11,support,2026-02-30T09:00:00Z,abandoned,2026-03-02T09:00:30Z,,,,,,,,
            ok,support,2026-03-02T09:00:00Z,abandoned,2026-03-02T09:00:30Z,,,,,,,,
            """, CsvMapping.For("crm"));

        Assert.Equal("call.queued call.abandoned", events.Kinds());
        Assert.Equal(1, malformed);
        Assert.Equal(
            [RowFault.Missing, RowFault.Missing, RowFault.Missing, RowFault.Time, RowFault.Time, RowFault.Outcome, RowFault.Order, RowFault.Order, RowFault.Value, RowFault.Time],
            problems.Select(p => p.Cause));
        Assert.Contains("agent_id", problems[1].Reason, StringComparison.Ordinal);
        Assert.Contains("transferred_to", problems[2].Reason, StringComparison.Ordinal);
        Assert.Contains("voicemail", problems[5].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_transferred_calls_legs_come_out_the_same_whatever_the_row_order()
    {
        string[] legs =
        [
            "t1,support,2026-03-02T09:00:00Z,transferred,2026-03-02T09:00:40Z,,,,sales,Kurgan,ru,b2b,+73522000000",
            "t1,sales,2026-03-02T09:00:40Z,transferred,2026-03-02T09:01:00Z,,,,vip,,,,",
            "t1,vip,2026-03-02T09:01:00Z,answered,2026-03-02T09:01:20Z,op.7,2026-03-02T09:05:00Z,field_visit,,,,,",
        ];
        var orders = Permutations([0, 1, 2]).Select(p => Map(Header + "\n" + string.Join('\n', p.Select(i => legs[i])), CsvMapping.For("crm")).Events).ToList();

        var first = orders[0];
        Assert.Equal("call.queued call.transferred call.transferred call.answered call.completed", first.Kinds());
        Assert.Equal(("support", "Kurgan"), (first[0].Queue, first[0].Region));
        Assert.Equal(("sales", Utc("09:00:40")), (first[1].ToQueue, first[1].At));
        Assert.Equal(("vip", Utc("09:01:00")), (first[2].ToQueue, first[2].At));
        Assert.Equal(("field_visit", Utc("09:05:00")), (first[4].Resolution, first[4].At));
        Assert.All(orders, o => Assert.Equal(first.Select(WireJson.Serialize), o.Select(WireJson.Serialize)));
    }

    [Fact]
    public void Legs_of_the_same_second_follow_their_transfers_whatever_the_row_order()
    {
        string[] legs =
        [
            "o1,q3,2026-03-02T09:00:00Z,answered,2026-03-02T09:00:05Z,op.1,,,,,,,",
            "o1,q1,2026-03-02T09:00:00Z,transferred,2026-03-02T09:00:00Z,,,,q2,,,,",
            "o1,q2,2026-03-02T09:00:00Z,transferred,2026-03-02T09:00:00Z,,,,q3,,,,",
        ];
        foreach (var order in Permutations([0, 1, 2]))
        {
            var events = Map(Header + "\n" + string.Join('\n', order.Select(i => legs[i])), CsvMapping.For("crm")).Events;

            Assert.Equal("call.queued call.transferred call.transferred call.answered", events.Kinds());
            Assert.Equal(("q1", "q2", "q3"), (events[0].Queue, events[1].ToQueue, events[2].ToQueue));
        }
    }

    [Fact]
    public void A_leg_after_an_answered_one_is_the_agents_transfer_at_its_start_and_only_the_last_leg_completes_the_call()
    {
        var (events, _) = Map($"""
            {Header}
            a1,sales,2026-03-02T09:02:00Z,answered,2026-03-02T09:02:10Z,op.9,2026-03-02T09:06:00Z,resolved,,,,,
            a1,support,2026-03-02T09:00:00Z,answered,2026-03-02T09:00:20Z,op.1,2026-03-02T09:06:00Z,,,,,,
            """, CsvMapping.For("crm", queuePrefix: "chel."));

        Assert.Equal("call.queued call.answered call.transferred call.answered call.completed", events.Kinds());
        Assert.Equal(("chel.sales", Utc("09:02:00")), (events[2].ToQueue, events[2].At));
        Assert.Equal("resolved", events[4].Resolution);
    }

    [Fact]
    public void Ids_are_the_source_a_hash_of_the_rows_content_and_a_role_and_a_row_read_twice_is_one_leg()
    {
        var once = Map(WithOffsets, CsvMapping.For("crm")).Events;
        var twice = Map(WithOffsets + "\n" + WithOffsets.Split('\n')[1], CsvMapping.For("crm")).Events;

        Assert.Equal(once.Select(WireJson.Serialize), twice.Select(WireJson.Serialize));
        Assert.All(once, e => Assert.Matches("^crm:[0-9a-f]{32}:[qiatbc]$", e.Id));
        Assert.Equal(once.Count, once.Select(e => e.Id).Distinct().Count());
        Assert.Empty(once.Select(e => e.Id).Intersect(Map(WithOffsets, CsvMapping.For("crm2")).Events.Select(e => e.Id)));
    }

    (List<WireEvent> Events, List<RowProblem> Problems) Map(string csv, CsvMapping mapping)
    {
        var (events, problems, malformed) = MapAll(csv, mapping);
        Assert.Equal(0, malformed);
        return (events, problems);
    }

    (List<WireEvent> Events, List<RowProblem> Problems, int Malformed) MapAll(string csv, CsvMapping mapping)
    {
        var mapper = new CallRecordMapper(mapping.Source);
        var events = new List<WireEvent>();
        var problems = new List<RowProblem>();
        var malformed = 0;
        foreach (var (row, bad) in CsvRows.Read(Write(csv), mapping.Columns))
        {
            if (bad is not null)
            {
                malformed++;
                continue;
            }
            var (record, problem) = CallRecordParser.Parse(row!.Fields, mapping);
            if (record is null) problems.Add(problem!);
            else Assert.Null(mapper.Map(record, events));
        }
        mapper.End(events);
        return (events, problems, malformed);
    }

    string Write(string csv)
    {
        var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".csv");
        File.WriteAllText(path, csv + "\n");
        return path;
    }

    static IEnumerable<int[]> Permutations(int[] items) =>
        items.Length <= 1 ? [items] : items.SelectMany(i => Permutations([.. items.Where(x => x != i)]).Select(rest => (int[])[i, .. rest]));

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
