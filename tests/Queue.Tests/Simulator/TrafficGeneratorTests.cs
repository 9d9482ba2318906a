using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Queue.EventLog;
using Queue.Events;
using Queue.Ingest;
using Queue.Simulator.Traffic;

namespace Queue.Tests.Simulator;

public sealed class TrafficGeneratorTests
{
    static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.FromHours(5));
    static readonly DateTimeOffset End = Start.AddDays(1);
    static readonly TrafficOptions Center = new() { Seed = 7, Operators = 150, IdPrefix = "t7" };

    // One simulated day, shared by the tests that only read it.
    static readonly Lazy<List<EventDocs.Event>> Day = new(() => [.. new TrafficGenerator(Center).Run(Start, End)]);

    [Fact]
    public void Same_seed_and_start_give_the_same_stream()
    {
        var again = new TrafficGenerator(Center).Run(Start, End).Select(WireJson.Serialize);
        Assert.True(Day.Value.Select(WireJson.Serialize).SequenceEqual(again, ByteArrays.Instance));

        var other = new TrafficGenerator(Center with { Seed = 8 }).Run(Start, End).Take(2_000).Select(WireJson.Serialize);
        Assert.False(Day.Value.Take(2_000).Select(WireJson.Serialize).SequenceEqual(other, ByteArrays.Instance));
    }

    [Fact]
    public void Stream_is_in_time_order_with_unique_ids_inside_the_run()
    {
        var events = Day.Value;
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.First.At <= pair.Second.At));
        Assert.All(events, e => Assert.InRange(e.At, Start, End));
        Assert.Equal(events.Count, events.Select(e => e.Id).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_event_is_accepted_by_the_service_parser()
    {
        var options = Options.Create(new IngestOptions { CallerHashSecret = new string('s', 32) });
        var parser = new EventParser(new CallerHasher(options), new FakeTimeProvider(End), options);
        foreach (var chunk in Day.Value.Chunk(5_000))
        {
            using var json = JsonDocument.Parse(WireJson.Array([.. chunk.Select(WireJson.Serialize)]));
            var parsed = parser.Parse(json.RootElement);
            Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors.Take(3).Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
        }
    }

    [Fact]
    public void A_day_looks_like_a_contact_center_day()
    {
        var events = Day.Value;
        var answered = events.OfType<EventDocs.CallAnswered>().ToList();
        var perOperator = answered.GroupBy(a => a.AgentId).Average(g => g.Count());
        Assert.InRange(perOperator, 85, 115);
        Assert.Equal(4, events.OfType<EventDocs.CallQueued>().Select(q => q.Queue).Distinct().Count());

        var calls = events.OfType<EventDocs.CallQueued>().Count();
        Assert.InRange(Share(events.OfType<EventDocs.CallTransferred>().Count(), calls), 0.06, 0.10);
        Assert.InRange(Share(events.OfType<EventDocs.CallAbandoned>().Count(), calls), 0.03, 0.10);

        var completed = events.OfType<EventDocs.CallCompleted>().ToList();
        Assert.InRange(Share(completed.Count(c => c.Resolution == "resolved"), completed.Count), 0.87, 0.93);
        Assert.InRange(Share(completed.Count(c => c.Resolution == "field_visit"), completed.Count), 0.035, 0.065);
        Assert.All(completed.Where(c => c.Resolution == "field_visit"), c => Assert.NotNull(c.VisitId));

        var statuses = events.OfType<EventDocs.AgentStatusChanged>().Select(s => s.Status).ToHashSet();
        Assert.Superset(new HashSet<string> { "available", "busy", "wrap_up", "break", "offline" }, statuses);
    }

    [Fact]
    public void Calls_and_visits_fold_to_whole_stories()
    {
        var options = Options.Create(new IngestOptions { CallerHashSecret = new string('s', 32) });
        var parser = new EventParser(new CallerHasher(options), new FakeTimeProvider(End), options);
        var parsed = Day.Value.Chunk(5_000)
            .SelectMany(chunk =>
            {
                using var json = JsonDocument.Parse(WireJson.Array([.. chunk.Select(WireJson.Serialize)]));
                return parser.Parse(json.RootElement).Events;
            })
            .ToList();

        foreach (var call in parsed.OfType<CallEvent>().GroupBy(e => e.CallId))
        {
            var state = CallFold.Fold(call);
            Assert.Equal(1 + call.OfType<CallTransferred>().Count(), state.Legs.Count);
            if (state.CompletedAt is not null) Assert.Equal(LegOutcome.Answered, state.Legs[^1].Outcome);
            if (call.OfType<CallAbandoned>().Any()) Assert.Null(state.CompletedAt);
        }

        // A visit is created after its call is completed, and resolved or cancelled after it is created.
        var completedAt = parsed.OfType<CallCompleted>().Where(c => c.VisitId is not null).ToDictionary(c => c.VisitId!, c => c.At);
        foreach (var visit in parsed.OfType<VisitEvent>().GroupBy(v => v.VisitId))
        {
            var created = Assert.Single(visit.OfType<VisitCreated>());
            Assert.True(created.At >= completedAt[visit.Key]);
            Assert.All(visit.Where(v => v is not VisitCreated), v => Assert.True(v.At > created.At));
        }
    }

    [Fact]
    public void An_open_ended_run_is_made_as_it_is_read()
    {
        var live = new TrafficGenerator(Center).Run(End);
        var first = live.Take(1_000).ToList();
        Assert.Equal(1_000, first.Count);
        Assert.All(first, e => Assert.True(e.At >= End));
    }

    static double Share(int part, int whole) => part / (double)whole;

    sealed class ByteArrays : IEqualityComparer<byte[]>
    {
        public static readonly ByteArrays Instance = new();
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
