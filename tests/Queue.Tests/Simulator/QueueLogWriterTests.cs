using System.Text;
using Queue.Connect;
using Queue.Connect.Asterisk;
using Queue.Ingest;
using Queue.Simulator.QueueLog;
using Queue.Simulator.Traffic;

namespace Queue.Tests.Simulator;

/// <summary>
/// The simulator's queue_log, read back through the connector's own parser and mapping: a seeded day of the demo
/// center written as its Asterisk would have, and mapped back, is the same calls.
/// </summary>
public sealed class QueueLogWriterTests
{
    const string Source = "asterisk";

    /// <summary>Tuesday 2026-03-03 00:00 center time, to Wednesday 00:00.</summary>
    static readonly DateTimeOffset From = new(2026, 3, 3, 0, 0, 0, TimeSpan.FromHours(5));

    static readonly DateTimeOffset End = From.AddDays(1);

    static readonly TrafficOptions Center = QueueLogCommand.Center(operators: 30, seed: 5);

    static readonly Lazy<Day> Seeded = new(() => Day.Of(Center, From, End));

    [Fact]
    public void Every_line_is_in_the_pipe_format_with_the_data_each_event_has_in_asterisk()
    {
        var fields = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["ENTERQUEUE"] = 3, ["CONNECT"] = 3, ["ABANDON"] = 3, ["EXITWITHTIMEOUT"] = 3, ["COMPLETECALLER"] = 3,
            ["COMPLETEAGENT"] = 3, ["BLINDTRANSFER"] = 5, ["RINGNOANSWER"] = 1, ["PAUSEALL"] = 1, ["UNPAUSEALL"] = 1,
            ["PAUSE"] = 1, ["UNPAUSE"] = 1, ["ADDMEMBER"] = 1, ["REMOVEMEMBER"] = 1,
        };
        var day = Seeded.Value;
        long previous = 0;
        foreach (var line in day.Lines)
        {
            Assert.DoesNotContain('\n', line.Text);
            var parsed = QueueLogParser.Parse(Encoding.UTF8.GetBytes(line.Text));
            var read = Assert.IsType<QueueLogLine>(parsed.Line);
            Assert.Equal(line.At.ToUnixTimeSeconds(), read.Time.ToUnixTimeSeconds());
            Assert.True(read.Time.ToUnixTimeSeconds() >= previous, line.Text);
            previous = read.Time.ToUnixTimeSeconds();
            Assert.True(fields.TryGetValue(read.Event, out var count), line.Text);
            Assert.Equal(count, read.Data.Count);
            Assert.NotEqual("", read.CallId);
            Assert.NotEqual("", read.Agent);
        }
        Assert.Equal(day.Lines.Count, day.Mapped.Lines);
        Assert.Equal(0, day.Mapped.Skipped);
        Assert.Equal(0, day.Mapped.Counts.GhostLegsDropped + day.Mapped.Counts.ConsultChannels);
        Assert.Equal(["PAUSEALL", "UNPAUSEALL"], day.Mapped.Counts.NotMapped.Keys);
        // Every kind the simulation has shows: transfers by the agent, offers that rang out, pauses with reasons.
        var kinds = day.Lines.Select(l => l.Text.Split('|')[4]).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(fields.Keys.Where(k => k is not "EXITWITHTIMEOUT")), kinds);
    }

    [Fact]
    public void Mapped_back_by_the_connector_the_log_gives_the_simulations_legs_to_the_second()
    {
        var day = Seeded.Value;
        var expected = CallLegs.Of(CallLegs.FromSimulation(day.Events, Source));
        var actual = CallLegs.Of(CallLegs.FromConnector(day.Mapped.Events));

        Assert.True(expected.Count > 30 * 90, $"{expected.Count} legs");
        Assert.Contains(expected.GroupBy(l => l.CallId), call => call.Count() > 1);
        Assert.Contains(expected, l => l.Outcome == "abandoned");
        var missing = expected.Except(actual).Take(5).ToList();
        var extra = actual.Except(expected).Take(5).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"not in the mapped log: {string.Join("; ", missing)} — only in the mapped log: {string.Join("; ", extra)}");
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Missed_offers_completions_and_pauses_come_back_as_the_simulation_has_them()
    {
        var day = Seeded.Value;
        var steps = CallLegs.FromSimulation(day.Events, Source).ToList();
        var mapped = CallLegs.FromConnector(day.Mapped.Events).ToList();

        static List<(string, long, string?)> Of(IEnumerable<CallLegs.Step> s, string type) =>
            [.. s.Where(x => x.Type == type).Select(x => (x.CallId, x.At.ToUnixTimeSeconds(), x.Agent)).Order()];
        Assert.NotEmpty(Of(steps, "call.missed"));
        Assert.Equal(Of(steps, "call.missed"), Of(mapped, "call.missed"));
        Assert.Equal(Of(steps, "call.completed"), Of(mapped, "call.completed"));

        // Breaks are pauses with the simulation's reason; the agent ids are those of the calls.
        var breaks = day.Mapped.Events.Where(e => e is { Type: "agent.status", Status: "break" }).ToList();
        Assert.NotEmpty(breaks);
        Assert.All(breaks, b => Assert.Contains(b.Reason, new[] { "break", "lunch" }));
        var answering = mapped.Where(s => s.Type == "call.answered").Select(s => s.Agent).ToHashSet();
        var withStatus = day.Mapped.Events.Where(e => e.Type == "agent.status").Select(e => e.AgentId).ToHashSet();
        Assert.Superset(withStatus, answering);
        Assert.All(withStatus, a => Assert.Matches("^SIP:1[0-9]{3}$", a));
    }

    [Fact]
    public void The_crm_tells_each_resolution_after_its_call_under_the_call_id_the_connector_gives_it()
    {
        var day = Seeded.Value;
        var crm = CrmFeed.Events(day.Events, Source).ToList();
        var completed = day.Mapped.Events.Where(e => e.Type == "call.completed").ToDictionary(e => e.CallId!, e => e.At, StringComparer.Ordinal);
        var calls = day.Mapped.Events.Where(e => e.CallId is not null).Select(e => e.CallId!).ToHashSet(StringComparer.Ordinal);

        var resolutions = crm.OfType<EventDocs.CallResolution>().ToList();
        Assert.Equal(day.Events.OfType<EventDocs.CallCompleted>().Count(), resolutions.Count);
        Assert.All(resolutions, r => Assert.InRange(r.At - completed[r.CallId], TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(91)));
        var visits = crm.OfType<EventDocs.VisitCreated>().ToList();
        Assert.NotEmpty(visits);
        Assert.All(visits, v => Assert.Contains(v.CallId!, calls));
        Assert.All(crm.Zip(crm.Skip(1)), p => Assert.True(p.First.At <= p.Second.At));
        Assert.DoesNotContain(crm, e => e is EventDocs.CallQueued or EventDocs.CallAnswered or EventDocs.CallCompleted or EventDocs.AgentStatusChanged);
    }

    [Fact]
    public void The_same_calls_written_from_a_later_start_are_the_same_lines()
    {
        // A restart of the demo writes the log again from another instant: the calls both hold are the same bytes,
        // so the connector's ids (from the line's content) count them as duplicates.
        var later = From.AddHours(9).AddMinutes(17);
        var first = Seeded.Value.Lines.Where(l => l.At >= later).Select(l => l.Text).ToHashSet(StringComparer.Ordinal);
        var again = Day.Of(Center, later, End).Lines.Where(l => !l.Text.Contains("PAUSE", StringComparison.Ordinal) && !l.Text.Contains("MEMBER", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(again);
        Assert.All(again, l => Assert.Contains(l.Text, first));
    }

    /// <summary>The simulation's events over [from, end], its queue_log, and that log mapped as the connector's import maps it.</summary>
    sealed record Day(List<EventDocs.Event> Events, List<QueueLogEntry> Lines, Mapped Mapped)
    {
        public static Day Of(TrafficOptions center, DateTimeOffset from, DateTimeOffset end)
        {
            var events = DemoTraffic.Run(center, from).TakeWhile(e => e.At <= end).ToList();
            var lines = AsteriskQueueLog.Write(events, [.. center.Queues.Select(q => q.Name)]).ToList();
            return new Day(events, lines, Mapped.Of(lines));
        }
    }

    sealed record Mapped(List<WireEvent> Events, long Lines, long Skipped, MappingCounts Counts)
    {
        public static Mapped Of(IEnumerable<QueueLogEntry> lines)
        {
            var mapper = new QueueLogMapper(MappingOptions.For(Source));
            var events = new List<WireEvent>();
            long read = 0, skipped = 0;
            foreach (var line in lines)
            {
                read++;
                var parsed = QueueLogParser.Parse(Encoding.UTF8.GetBytes(line.Text));
                if (parsed.Line is null || mapper.Map(parsed.Line, events) is not null) skipped++;
            }
            mapper.End(events);
            return new Mapped(events, read, skipped, mapper.Counts);
        }
    }
}
