using Queue.Redis;
using System.Globalization;
using System.Text.Json;
using Queue.Events;
using Queue.Figures;
using Queue.Ingest;
using Queue.Targets;

namespace Queue.Live;

/// <summary>
/// One change to Redis: add a sorted-set member (Z), set a hash field (H), or add to a hash counter (I). The key is
/// named within the part's queue (<see cref="LiveNames"/>): parts are stored, and short names keep them small.
/// </summary>
public readonly record struct LiveOp(char Kind, string Key, string Field, string Value);

/// <summary>
/// What one entity contributes to one queue's live state, at one version. Applying a part replaces the entity's
/// previous part in that queue (its ops undone, the new ones done), so applying the same part twice, or an older
/// one after a newer, changes nothing. A part with no ops is a tombstone that keeps the version.
/// </summary>
public sealed record LivePart(string Queue, string Entity, long Version, long? ExpiresAt, IReadOnlyList<LiveOp> Ops)
{
    public string OpsJson() => JsonSerializer.Serialize(Ops.Select(o => new[] { o.Kind.ToString(), o.Key, o.Field, o.Value }), LiveJson.Options);
}

/// <summary>How thresholds and the calendar shape live state: the same for every node.</summary>
public sealed record LiveRules(TimeSpan ServiceLevelThreshold, TimeSpan ShortAbandon, TimeZoneInfo Zone, TimeSpan RetainEnded, TimeSpan RetainVisits)
{
    /// <summary>Queues whose thresholds differ from the defaults above.</summary>
    public IReadOnlyDictionary<string, QueueThresholds> Queues { get; init; } = new Dictionary<string, QueueThresholds>();

    public TimeSpan ServiceLevelOf(string queue) => Queues.TryGetValue(queue, out var q) ? q.ServiceLevel : ServiceLevelThreshold;

    /// <summary>A leg waiting longer than this is a ghost, in no live figure (<see cref="LiveOptions.GhostAfter"/>).</summary>
    public TimeSpan GhostAfter { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan ShortAbandonOf(string queue) => Queues.TryGetValue(queue, out var q) ? q.ShortAbandon : ShortAbandon;

    public static LiveRules From(TargetOptions targets, LiveOptions live, TimeZoneInfo zone) =>
        new(targets.ServiceLevelThreshold, targets.ShortAbandon, zone, live.RetainEnded, live.RetainVisits) { GhostAfter = live.GhostAfter };

    public static readonly TimeSpan TombstoneFor = TimeSpan.FromHours(1);

    /// <summary>
    /// What happened since then is kept member by member, for the rolling windows' edges; what happened before, only
    /// in quarter-hour counts. More than the longest rolling window (60 min), so that clocks a little apart agree.
    /// </summary>
    public static readonly TimeSpan RecentFor = TimeSpan.FromMinutes(65);

    public DateOnly LocalDay(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);
}

/// <summary>
/// Pure: stored rows → the parts they contribute to each queue's live state. Every figure of a live snapshot is a
/// count or sum over these parts, so live state equals a recomputation from PostgreSQL by construction.
/// </summary>
public static class LiveParts
{
    public static IEnumerable<LivePart> OfCall(CallRow call, LiveRules rules, DateTimeOffset now)
    {
        var entity = EntityKey.Call(call.CallId);
        var queues = new SortedSet<string>(call.QueuesSeen, StringComparer.Ordinal);
        queues.UnionWith(call.Legs.Select(l => l.Queue));
        // Completed with no leg known yet: the completion counts in the center alone, as /api/metrics counts it.
        var completedIn = call.LastQueue ?? LiveKeys.Center;
        if (call.CompletedAt is not null) queues.Add(completedIn);
        foreach (var queue in queues)
        {
            var ops = new List<LiveOp>();
            long latest = long.MinValue;
            var waiting = false;
            var serviceLevel = rules.ServiceLevelOf(queue);
            var shortAbandon = rules.ShortAbandonOf(queue);
            for (var i = 0; i < call.Legs.Count; i++)
            {
                var leg = call.Legs[i];
                if (leg.Queue != queue) continue;
                var member = $"{entity}#{i.ToString(CultureInfo.InvariantCulture)}";
                if (leg.Start >= now - LiveRules.RecentFor) ops.Add(new('I', LiveNames.StaffSums, Minute(Micros.Of(leg.Start)) + StaffKinds.Arrived, "1"));
                if (leg.End is not { } end)
                {
                    // A leg open for longer than GhostAfter is a ghost (a PBX restarted mid-call) or history loaded
                    // without its end, and no live figure's; the reader leaves out those that age past it since.
                    if (leg.Start < now - rules.GhostAfter) continue;
                    waiting = true;
                    ops.Add(new('Z', LiveNames.Waiting, member, Num(Micros.Of(leg.Start))));
                    ops.Add(new('H', LiveNames.WaitInfo, member, JsonSerializer.Serialize(
                        new WaitingInfo(call.CallId, i, leg.Start, call.Region, call.Language, call.Segment), LiveJson.Options)));
                    continue;
                }
                var endMicros = Micros.Of(end);
                latest = Math.Max(latest, endMicros);
                var wait = end - leg.Start;
                var waitMicros = Micros.Of(end) - Micros.Of(leg.Start);
                // Only the last hour's windows need the members themselves (their edges fall anywhere); today's earlier
                // quarters of an hour are counted by quarter, which a rebuild adds up in few commands.
                var recent = end >= now - LiveRules.RecentFor;
                var quarter = Quarter(endMicros);
                switch (leg.Outcome)
                {
                    case LegOutcome.Answered:
                        ops.Add(new('I', LiveNames.Quarters, quarter + QuarterKinds.Answered, "1"));
                        ops.Add(new('I', LiveNames.Quarters, quarter + QuarterKinds.Wait, Num(waitMicros)));
                        var inServiceLevel = wait <= serviceLevel;
                        if (inServiceLevel) ops.Add(new('I', LiveNames.Quarters, quarter + QuarterKinds.InServiceLevel, "1"));
                        if (recent)
                        {
                            // The wait rides in the member, so a window's edge can be summed from the members alone.
                            ops.Add(new('Z', LiveNames.Answered, $"{member}|{Num(waitMicros)}", Num(endMicros)));
                            ops.Add(new('I', LiveNames.WaitSum, Num(Math.DivRem(endMicros, Micros.PerMinute).Quotient), Num(waitMicros)));
                            if (inServiceLevel) ops.Add(new('Z', LiveNames.InServiceLevel, member, Num(endMicros)));
                        }
                        if (leg.AgentId is { } agent)
                        {
                            var day = LiveNames.AgentDay(rules.LocalDay(end));
                            ops.Add(new('I', day, agent, "1"));
                            if (i == call.Legs.Count - 1 && call.CompletedAt is { } done && done >= end)
                            {
                                ops.Add(new('I', day, agent + ":handled", "1"));
                                ops.Add(new('I', day, agent + ":handle", Num(Micros.Of(done) - endMicros)));
                                if (done >= now - LiveRules.RecentFor)
                                {
                                    var minute = Minute(Micros.Of(done));
                                    ops.Add(new('I', LiveNames.StaffSums, minute + StaffKinds.Talked, "1"));
                                    ops.Add(new('I', LiveNames.StaffSums, minute + StaffKinds.Talk, Num(Micros.Of(done) - endMicros)));
                                }
                            }
                        }
                        break;
                    case LegOutcome.Abandoned:
                        var counted = wait >= shortAbandon;
                        ops.Add(new('I', LiveNames.Quarters, quarter + (counted ? QuarterKinds.Abandoned : QuarterKinds.ShortAbandoned), "1"));
                        if (recent)
                        {
                            ops.Add(new('Z', counted ? LiveNames.Abandoned : LiveNames.ShortAbandoned, member, Num(endMicros)));
                            ops.Add(new('I', LiveNames.StaffSums, Minute(endMicros) + StaffKinds.AbandonWait, Num(waitMicros)));
                        }
                        break;
                }
            }
            if (completedIn == queue && call.CompletedAt is { } completed)
            {
                var at = Micros.Of(completed);
                latest = Math.Max(latest, at);
                var quarter = Quarter(at);
                var recent = completed >= now - LiveRules.RecentFor;
                var resolved = call.Resolution == Resolution.Resolved;
                var unknown = call.Resolution is null;
                ops.Add(new('I', LiveNames.Quarters, quarter + QuarterKinds.Completed, "1"));
                if (resolved) ops.Add(new('I', LiveNames.Quarters, quarter + QuarterKinds.Resolved, "1"));
                if (unknown) ops.Add(new('I', LiveNames.Quarters, quarter + QuarterKinds.Unknown, "1"));
                if (recent)
                {
                    ops.Add(new('Z', LiveNames.Completed, entity, Num(at)));
                    if (resolved) ops.Add(new('Z', LiveNames.Resolved, entity, Num(at)));
                    if (unknown) ops.Add(new('Z', LiveNames.Unknown, entity, Num(at)));
                }
            }
            yield return Retained(queue, entity, call.Version, ops, waiting ? null : latest == long.MinValue ? null : latest + Span(rules.RetainEnded), now);
        }
    }

    public static IEnumerable<LivePart> OfVisit(VisitRow visit, LiveRules rules, DateTimeOffset now)
    {
        var entity = EntityKey.Visit(visit.VisitId);
        var home = visit.Queue ?? LiveKeys.Center;
        var queues = new SortedSet<string>(visit.QueuesSeen, StringComparer.Ordinal) { LiveKeys.Center, home };
        foreach (var queue in queues)
        {
            var ops = new List<LiveOp>();
            long? expires = null;
            if (queue == home && visit.CreatedAt is { } created)
            {
                var due24 = created + Events.VisitState.Deadline24;
                var due48 = created + Events.VisitState.Deadline48;
                var closed = visit.ResolvedAt ?? visit.CancelledAt;
                if (closed is null) ops.Add(new('Z', LiveNames.OpenVisits, entity, Num(Micros.Of(created))));
                if (visit.CancelledAt is not { } cancelled || cancelled >= due24)
                {
                    ops.Add(new('Z', LiveNames.Due24, entity, Num(Micros.Of(due24))));
                    if (visit.ResolvedAt <= due24) ops.Add(new('Z', LiveNames.Due24Met, entity, Num(Micros.Of(due24))));
                }
                if ((visit.ResolvedAt is null || visit.ResolvedAt > due48) && (visit.CancelledAt is null || visit.CancelledAt > due48))
                    ops.Add(new('Z', LiveNames.Overdue48, entity, Num(Micros.Of(due48))));
                if (closed is { } end) expires = Micros.Of(end > due48 ? end : due48) + Span(rules.RetainVisits);
            }
            yield return Retained(queue, entity, visit.Version, ops, expires, now);
        }
    }

    /// <summary>
    /// The agent in each queue it is logged in to, and there its wrap-up episodes that ended in the last
    /// <see cref="LiveRules.RecentFor"/>: each a sample of the time the queue's agents spend wrapping up a call (ADR 0006).
    /// </summary>
    public static IEnumerable<LivePart> OfAgent(AgentRow agent, DateTimeOffset now)
    {
        var entity = EntityKey.Agent(agent.AgentId);
        var current = new HashSet<string>(agent.Queues ?? [], StringComparer.Ordinal) { LiveKeys.Center };
        var queues = new SortedSet<string>(agent.QueuesSeen, StringComparer.Ordinal);
        queues.UnionWith(current);
        var info = JsonSerializer.Serialize(new AgentInfo(Wire.Name(agent.Status), agent.StatusAt, agent.Queues), LiveJson.Options);
        var wrapUps = WrapUps(agent.Recent, now - LiveRules.RecentFor);
        foreach (var queue in queues)
        {
            var ops = new List<LiveOp>();
            if (current.Contains(queue)) ops.Add(new('H', LiveNames.Agents, agent.AgentId, info));
            // The center has no staffing figure (its agents serve different queues), so it keeps no wrap-up sums.
            if (current.Contains(queue) && queue != LiveKeys.Center)
            {
                foreach (var (minute, count, micros) in wrapUps)
                {
                    ops.Add(new('I', LiveNames.StaffSums, Num(minute) + StaffKinds.WrappedUp, Num(count)));
                    ops.Add(new('I', LiveNames.StaffSums, Num(minute) + StaffKinds.WrapUp, Num(micros)));
                }
            }
            yield return new LivePart(queue, entity, agent.Version, null, ops);
        }
    }

    /// <summary>
    /// Pure: an agent's status events in SPEC §2 order → its wrap-up episodes that ended at or after
    /// <paramref name="since"/>, summed by the minute they ended: an episode runs from a <c>wrap_up</c> status to the
    /// agent's next status, whatever that is. One still under way has not ended and counts nothing yet.
    /// </summary>
    public static IReadOnlyList<(long Minute, long Count, long Micros)> WrapUps(IReadOnlyList<AgentMark> marks, DateTimeOffset since)
    {
        var byMinute = new SortedDictionary<long, (long Count, long Micros)>();
        for (var i = 0; i + 1 < marks.Count; i++)
        {
            if (marks[i].Status != AgentStatus.WrapUp || marks[i + 1].At < since) continue;
            var end = Micros.Of(marks[i + 1].At);
            var minute = Math.DivRem(end, Micros.PerMinute).Quotient;
            var (count, micros) = byMinute.GetValueOrDefault(minute);
            byMinute[minute] = (count + 1, micros + end - Micros.Of(marks[i].At));
        }
        return [.. byMinute.Select(m => (m.Key, m.Value.Count, m.Value.Micros))];
    }

    // What has aged out of every live window contributes nothing: a tombstone keeps its version for a while.
    static LivePart Retained(string queue, string entity, long version, List<LiveOp> ops, long? expires, DateTimeOffset now)
    {
        var nowMicros = Micros.Of(now);
        if (ops.Count == 0 || expires < nowMicros)
            return new LivePart(queue, entity, version, nowMicros + Span(LiveRules.TombstoneFor), []);
        return new LivePart(queue, entity, version, expires, ops);
    }

    static long Span(TimeSpan span) => span.Ticks / 10;

    static string Quarter(long micros) => Num(Math.DivRem(micros, Micros.PerQuarterHour).Quotient);

    static string Minute(long micros) => Num(Math.DivRem(micros, Micros.PerMinute).Quotient);

    static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Fields of the quarter-hour counts: <c>{quarter}:{kind}</c>, the quarter being whole quarter hours since the Unix
/// epoch (every time zone's midnight falls on one), the kind one of these.
/// </summary>
public static class QuarterKinds
{
    public const string Answered = ":a";
    public const string InServiceLevel = ":s";
    public const string Wait = ":w";
    public const string Abandoned = ":x";
    public const string ShortAbandoned = ":y";
    public const string Completed = ":c";
    public const string Resolved = ":r";
    public const string Unknown = ":k";
}

/// <summary>
/// Fields of the per-minute staffing sums: <c>{minute}{kind}</c>, the minute being whole minutes since the Unix epoch.
/// Legs that entered the queue (by when they entered), calls completed after an answer in the queue and their talk
/// time from answer to completion (by when they completed), the waits of legs abandoned (by when they left), and the
/// wrap-up episodes of the queue's agents and their length (by when they ended).
/// </summary>
public static class StaffKinds
{
    public const string Arrived = ":q";
    public const string Talked = ":h";
    public const string Talk = ":t";
    public const string AbandonWait = ":p";
    public const string WrappedUp = ":r";
    public const string WrapUp = ":u";

    public static readonly string[] All = [Arrived, Talked, Talk, AbandonWait, WrappedUp, WrapUp];
}

/// <summary>A waiting leg as live state keeps it: never the caller.</summary>
public sealed record WaitingInfo(string CallId, int Leg, DateTimeOffset Since, string? Region, string? Language, string? Segment);

public sealed record AgentInfo(string Status, DateTimeOffset Since, IReadOnlyList<string>? Queues);

public static class LiveJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
