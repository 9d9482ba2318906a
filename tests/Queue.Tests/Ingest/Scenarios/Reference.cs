using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Queue.Tests.Ingest.Scenarios;

/// <summary>The SPEC §3 figures of one window, as <c>GET /api/metrics</c> names them.</summary>
public sealed record ExpectedFigures(
    long Answered, long Abandoned, long ShortAbandoned, double? AsaSeconds, double? ServiceLevel, double? AbandonmentRate,
    long Completed, long ResolvedRemotely, double? RemoteResolution, long Due24, long ResolvedBy24, double? Visit24, long Overdue48, long Due48,
    long ResolutionUnknown)
{
    /// <summary>Each figure of an answer (<c>/api/metrics</c>, or a breakdown row's) that is missing or differs from these.</summary>
    public IEnumerable<string> Differences(JsonElement actual, double tolerance)
    {
        (string Name, object? Value)[] fields =
        [
            ("answered", Answered), ("abandoned", Abandoned), ("shortAbandoned", ShortAbandoned),
            ("asaSeconds", AsaSeconds), ("serviceLevel", ServiceLevel), ("abandonmentRate", AbandonmentRate),
            ("completed", Completed), ("resolvedRemotely", ResolvedRemotely), ("resolutionUnknown", ResolutionUnknown),
            ("remoteResolution", RemoteResolution),
            ("due24", Due24), ("resolvedBy24", ResolvedBy24), ("visit24", Visit24), ("due48", Due48), ("overdue48", Overdue48),
        ];
        foreach (var (name, value) in fields)
        {
            if (!actual.TryGetProperty(name, out var got))
            {
                yield return $"{name} is missing from the answer";
                continue;
            }
            var same = value switch
            {
                null => got.ValueKind == JsonValueKind.Null,
                long n => got.ValueKind == JsonValueKind.Number && got.TryGetInt64(out var m) && m == n,
                double d => got.ValueKind == JsonValueKind.Number && Math.Abs(got.GetDouble() - d) <= tolerance,
                _ => false,
            };
            if (!same)
                yield return $"{name} expected {(value is null ? "null" : Convert.ToString(value, CultureInfo.InvariantCulture))}, got {got.GetRawText()}";
        }
    }
}

/// <summary>
/// A plain computation of what the service must derive from a scenario, independent of its folds and SQL: each
/// call's and visit's events sorted by (instant, type rank, id ordinal) and walked once; each agent's latest
/// status and queues by (instant, id); the figures counted over those with LINQ.
/// </summary>
public sealed class Reference
{
    static readonly TimeSpan ShortAbandon = TimeSpan.FromSeconds(5), ServiceLevelT = TimeSpan.FromSeconds(30);

    public sealed record Leg(string Queue, DateTimeOffset Start, DateTimeOffset? End = null, string? Outcome = null, string? Agent = null)
    {
        public TimeSpan? Wait => Outcome is "answered" or "abandoned" ? End - Start : null;
    }

    public sealed class Call(string id)
    {
        public string Id => id;
        public string? Region, Language, Segment, CallerHash, CompletionResolution, CompletionVisitId, ToldResolution, ToldVisitId;
        public bool Told;
        public DateTimeOffset? CompletedAt;

        /// <summary>The latest outcome told by a call.resolution, else the completion's own.</summary>
        public string? Resolution => Told ? ToldResolution : CompletionResolution;

        public string? VisitId => Told && ToldVisitId is not null ? ToldVisitId : CompletionVisitId;
        public List<Leg> Legs { get; } = [];

        /// <summary>Offers missed, in source order: the agent, when, and the queue of the latest leg begun by then.</summary>
        public List<(string Agent, DateTimeOffset At, string? Queue)> Misses { get; } = [];
        public string? LastQueue => Legs.Count > 0 ? Legs[^1].Queue : null;
    }

    public sealed class Visit(string id)
    {
        public string Id => id;
        public string? CallId, Region;
        public DateTimeOffset? CreatedAt, ResolvedAt, CancelledAt;
        public DateTimeOffset? Due24 => CreatedAt?.AddHours(24);
        public DateTimeOffset? Due48 => CreatedAt?.AddHours(48);
    }

    public sealed record Agent(string Id, string Status, DateTimeOffset StatusAt, string StatusEvent, string? Reason,
        string? Queues, DateTimeOffset? QueuesAt, string? QueuesEvent);

    public IReadOnlyList<Call> Calls { get; }
    public IReadOnlyList<Visit> Visits { get; }
    public IReadOnlyList<Agent> Agents { get; }

    public Reference(Scenario scenario, DateTimeOffset ingestNow, string callerSecret)
    {
        var events = scenario.Events.Select(e => (E: e, At: ingestNow + e.At)).ToList();
        Calls = [.. events.Where(x => x.E.IsCall).GroupBy(x => x.E.Subject).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => FoldCall(g.Key, SourceOrder(g), callerSecret))];
        Visits = [.. events.Where(x => x.E.IsVisit).GroupBy(x => x.E.Subject).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => FoldVisit(g.Key, SourceOrder(g)))];
        Agents = [.. events.Where(x => x.E.IsAgent).GroupBy(x => x.E.Subject).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => LatestAgent(g.Key, g.ToList()))];
        statuses = events.Where(x => x.E.IsAgent).GroupBy(x => x.E.Subject).ToDictionary(g => g.Key,
            g => g.OrderBy(x => x.At).ThenBy(x => x.E.Id, StringComparer.Ordinal).Select(x => (x.At, x.E.Status!)).ToList(), StringComparer.Ordinal);
    }

    readonly Dictionary<string, List<(DateTimeOffset At, string Status)>> statuses;

    /// <summary>
    /// The wrap-up episodes (a <c>wrap_up</c> status to the agent's next status) of the agents logged in to the queue,
    /// that ended in the minutes from the one an hour before <paramref name="now"/> to the one under way: how many, and
    /// their length in all (whole microseconds).
    /// </summary>
    public (long Count, long Micros) WrapUps(string queue, DateTimeOffset now)
    {
        static long Minute(DateTimeOffset at) => (at - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMinute;
        long count = 0, micros = 0;
        foreach (var agent in Agents.Where(a => a.Queues is not null && System.Text.Json.JsonSerializer.Deserialize<string[]>(a.Queues)!.Contains(queue)))
        {
            var marks = statuses[agent.Id];
            for (var i = 0; i + 1 < marks.Count; i++)
            {
                var minute = Minute(marks[i + 1].At);
                if (marks[i].Status != "wrap_up" || minute < Minute(now.AddHours(-1)) || minute > Minute(now)) continue;
                count++;
                micros += (marks[i + 1].At - marks[i].At).Ticks / 10;
            }
        }
        return (count, micros);
    }

    /// <summary>
    /// Tie order of SPEC §2: queued &lt; transferred &lt; answered &lt; abandoned &lt; completed; created &lt; resolved &lt;
    /// cancelled. A missed offer before the answer, an outcome told later after the completion.
    /// </summary>
    public static int Rank(string type) => type switch
    {
        "call.queued" or "visit.created" => 0,
        "call.transferred" or "visit.resolved" => 1,
        "call.missed" or "visit.cancelled" => 2,
        "call.answered" => 3,
        "call.abandoned" => 4,
        "call.completed" => 5,
        "call.resolution" => 6,
        _ => 0,
    };

    static List<(ScenarioEvent E, DateTimeOffset At)> SourceOrder(IEnumerable<(ScenarioEvent E, DateTimeOffset At)> events) =>
        [.. events.OrderBy(x => x.At).ThenBy(x => Rank(x.E.Type)).ThenBy(x => x.E.Id, StringComparer.Ordinal)];

    static Call FoldCall(string id, List<(ScenarioEvent E, DateTimeOffset At)> events, string callerSecret)
    {
        var call = new Call(id);
        foreach (var (e, at) in events)
        {
            var open = call.Legs.Count > 0 && call.Legs[^1].End is null;
            void Close(string outcome, string? agent = null) => call.Legs[^1] = call.Legs[^1] with { End = at, Outcome = outcome, Agent = agent };
            switch (e.Type)
            {
                case "call.queued":
                    // A second "queued" while the call waits is the same wait announced again; its details fill gaps only.
                    if (!open) call.Legs.Add(new Leg(e.Queue!, at));
                    call.Region ??= e.Region;
                    call.Language ??= e.Language;
                    call.Segment ??= e.Segment;
                    call.CallerHash ??= e.Caller is null ? null : CallerHash(e.Caller, callerSecret);
                    break;
                case "call.transferred":
                    if (open) Close("transferred");
                    call.Legs.Add(new Leg(e.ToQueue!, at));
                    break;
                case "call.missed": call.Misses.Add((e.Agent!, at, call.Legs.Count > 0 ? call.Legs[^1].Queue : null)); break;
                case "call.answered" when open: Close("answered", e.Agent); break;
                case "call.abandoned" when open: Close("abandoned"); break;
                case "call.completed" when call.CompletedAt is null:
                    (call.CompletedAt, call.CompletionResolution, call.CompletionVisitId) = (at, e.Resolution, e.VisitId);
                    break;
                // Walked in source order, each one told replaces the one before: the latest by (at, id) wins.
                case "call.resolution":
                    (call.Told, call.ToldResolution, call.ToldVisitId) = (true, e.Resolution, e.VisitId);
                    break;
            }
        }
        return call;
    }

    static Visit FoldVisit(string id, List<(ScenarioEvent E, DateTimeOffset At)> events)
    {
        var visit = new Visit(id);
        foreach (var (e, at) in events)
        {
            var closed = visit.ResolvedAt is not null || visit.CancelledAt is not null;
            switch (e.Type)
            {
                case "visit.created" when visit.CreatedAt is null: (visit.CreatedAt, visit.CallId, visit.Region) = (at, e.CallId, e.Region); break;
                case "visit.resolved" when !closed: visit.ResolvedAt = at; break;
                case "visit.cancelled" when !closed: visit.CancelledAt = at; break;
            }
        }
        return visit;
    }

    static Agent LatestAgent(string id, List<(ScenarioEvent E, DateTimeOffset At)> events)
    {
        var status = events.OrderBy(x => x.At).ThenBy(x => x.E.Id, StringComparer.Ordinal).Last();
        var queues = events.Where(x => x.E.Queues is not null).OrderBy(x => x.At).ThenBy(x => x.E.Id, StringComparer.Ordinal).ToList();
        var q = queues.Count > 0 ? queues[^1] : default;
        return new Agent(id, status.E.Status!, status.At, status.E.Id, status.E.Reason,
            q.E is null ? null : "[" + string.Join(", ", q.E.Queues!.Distinct().Order(StringComparer.Ordinal).Select(s => $"\"{s}\"")) + "]",
            q.E is null ? null : q.At, q.E?.Id);
    }

    static string CallerHash(string number, string secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(Wire.Digits(number))));

    /// <summary>The queue a visit counts in: its call's last leg, the call named by visit.created first, else a call completed with it.</summary>
    public string? QueueOf(Visit visit) => CallFieldOf(visit, c => c.LastQueue);

    /// <summary>A call field of a visit, as its queue: from the call it names, else from the first call (by id) whose completion names it.</summary>
    public string? CallFieldOf(Visit visit, Func<Call, string?> field)
    {
        if (visit.CallId is not null && Calls.FirstOrDefault(c => c.Id == visit.CallId) is { } named && field(named) is { } value) return value;
        return Calls.Where(c => c.VisitId == visit.Id).OrderBy(c => c.Id, StringComparer.Ordinal).Select(field).FirstOrDefault();
    }

    /// <summary>
    /// The figures of calls (their legs and completion) with the given region, language and segment, and of visits of that
    /// region (their own) and of that language and segment (their call's); null: any.
    /// </summary>
    public ExpectedFigures Figures(DateTimeOffset from, DateTimeOffset to, string? queue, DateTimeOffset now, string? region, string? language = null,
        string? segment = null) =>
        Figures(from, to, queue, now,
            c => (region is null || c.Region == region) && (language is null || c.Language == language) && (segment is null || c.Segment == segment),
            v => (region is null || v.Region == region) && (language is null || CallFieldOf(v, c => c.Language) == language)
                && (segment is null || CallFieldOf(v, c => c.Segment) == segment));

    /// <summary>The figures of one value of a breakdown ("region", "language" or "segment"); a null value: those that carry none.</summary>
    public ExpectedFigures FiguresOf(DateTimeOffset from, DateTimeOffset to, string? queue, DateTimeOffset now, string by, string? value)
    {
        Func<Call, string?> field = by switch { "region" => c => c.Region, "language" => c => c.Language, _ => c => c.Segment };
        return Figures(from, to, queue, now, c => field(c) == value, v => (by == "region" ? v.Region : CallFieldOf(v, field)) == value);
    }

    public ExpectedFigures Figures(DateTimeOffset from, DateTimeOffset to, string? queue, DateTimeOffset now) => Figures(from, to, queue, now, _ => true, _ => true);

    /// <summary>The figures of a team's queues together (a key scoped to them): a visit with no queue is in no team.</summary>
    public ExpectedFigures FiguresOfTeam(DateTimeOffset from, DateTimeOffset to, IReadOnlySet<string> team, DateTimeOffset now) =>
        Figures(from, to, q => q is not null && team.Contains(q), now, _ => true, _ => true);

    ExpectedFigures Figures(DateTimeOffset from, DateTimeOffset to, string? queue, DateTimeOffset now, Func<Call, bool> callIn, Func<Visit, bool> visitIn) =>
        Figures(from, to, q => queue is null || q == queue, now, callIn, visitIn);

    ExpectedFigures Figures(DateTimeOffset from, DateTimeOffset to, Func<string?, bool> queueIn, DateTimeOffset now, Func<Call, bool> callIn, Func<Visit, bool> visitIn)
    {
        bool In(DateTimeOffset? t) => t >= from && t < to;
        var legs = Calls.Where(callIn).SelectMany(c => c.Legs)
            .Where(l => l.Outcome is "answered" or "abandoned" && In(l.End) && queueIn(l.Queue)).ToList();
        var answered = legs.Where(l => l.Outcome == "answered").ToList();
        var abandoned = legs.Count(l => l.Outcome == "abandoned" && l.Wait >= ShortAbandon);
        var offered = answered.Count + abandoned;

        var completed = Calls.Where(c => callIn(c) && In(c.CompletedAt) && queueIn(c.LastQueue)).ToList();
        var remote = completed.Count(c => c.Resolution == "resolved");
        var unknown = completed.Count(c => c.Resolution is null);

        // A deadline counts once it has passed; one still ahead is neither met nor missed yet.
        var visits = Visits.Where(v => v.CreatedAt is not null && queueIn(QueueOf(v)) && visitIn(v)).ToList();
        var due24 = visits.Where(v => In(v.Due24) && v.Due24 < now && !(v.CancelledAt < v.Due24)).ToList();
        var resolvedBy24 = due24.Count(v => v.ResolvedAt <= v.Due24);
        var due48 = visits.Where(v => In(v.Due48) && v.Due48 < now && !(v.CancelledAt <= v.Due48)).ToList();
        var overdue48 = due48.Count(v => !(v.ResolvedAt <= v.Due48));

        return new ExpectedFigures(
            answered.Count, abandoned, legs.Count(l => l.Outcome == "abandoned" && l.Wait < ShortAbandon),
            answered.Count == 0 ? null : answered.Average(l => l.Wait!.Value.TotalSeconds),
            Rate(answered.Count(l => l.Wait <= ServiceLevelT), offered), Rate(abandoned, offered),
            completed.Count, remote, Rate(remote, completed.Count - unknown),
            due24.Count, resolvedBy24, Rate(resolvedBy24, due24.Count), overdue48, due48.Count, unknown);
    }

    static double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;

    // The derived rows as DerivedRows reads them from PostgreSQL, in the same textual form.
    public IEnumerable<string> CallRows => Calls.Select(c => Row.Of(c.Id, c.Region, c.Language, c.Segment, c.CallerHash, c.LastQueue,
        c.Legs.Count, c.CompletedAt, c.Resolution, c.VisitId));

    public IEnumerable<string> LegRows => Calls.SelectMany(c => c.Legs.Select((l, i) => Row.Of(c.Id, i, l.Queue, l.Start, l.End, l.Outcome, l.Agent,
        c.Region, c.Language, c.Segment)));

    public IEnumerable<string> MissedRows => Calls.SelectMany(c => c.Misses.Select((m, i) => Row.Of(c.Id, i, m.Agent, m.At, m.Queue)));

    public IEnumerable<string> VisitRows => Visits.Select(v => Row.Of(v.Id, v.CallId, v.Region, v.CreatedAt, v.Due24, v.Due48, v.ResolvedAt, v.CancelledAt));

    public IEnumerable<string> AgentRows => Agents.Select(a => Row.Of(a.Id, a.Status, a.StatusAt, a.StatusEvent, a.Reason, a.Queues, a.QueuesAt, a.QueuesEvent));
}
