namespace Queue.Tests.Ingest.Scenarios;

public enum LastLeg { Answered, Abandoned, Waiting }

/// <summary>Extra events that land on an instant the call already has, to exercise the tie order of SPEC §2.</summary>
public enum CallTie { None, SecondAnswer, AbandonAtAnswer, TransferAtAnswer, TransferAtQueued, QueuedAgainWhileWaiting, QueuedAgainAfterEnd }

public enum VisitLink { None, Call, UnknownCall }

public enum VisitEnd { Open, Resolved, Cancelled, ResolvedAndCancelled, ResolvedAndCancelledAtOnce, ResolvedWithoutCreated }

/// <summary>A leg that is not the last: it ends by a transfer, possibly after an answer (a consult transfer).</summary>
public sealed record LegDraft(long WaitUs, bool AnsweredFirst, long TalkUs, string ToQueue, string Agent);

/// <summary>A call's completion; <see cref="Resolution"/> null: the source knows the call, not its outcome.</summary>
public sealed record CompletionDraft(long TalkUs, string? Resolution, int? Visit);

/// <summary>
/// An outcome told later (call.resolution), <see cref="OffsetUs"/> from the completion (or from the call's last event when
/// it has none): before it, at the same instant, or after.
/// </summary>
public sealed record ToldDraft(long OffsetUs, string Resolution, int? Visit);

/// <summary>An offer of the first leg to an agent who let it ring, halfway through the wait.</summary>
public sealed record MissedDraft(string Agent, double? RingSeconds);

public sealed record CallDraft(
    string Queue, string? Region, string? Language, string? Segment, string? Caller,
    LegDraft[] Legs, LastLeg Last, CompletionDraft? Completion, CallTie Tie, double Position)
{
    public ToldDraft[] Told { get; init; } = [];
    public MissedDraft? Missed { get; init; }
    public string? AbandonReason { get; init; }
}

public sealed record VisitDraft(VisitLink Link, int Call, string? Region, VisitEnd End, long FirstUs, long SecondUs, bool CreatedTwice, double Position);

public sealed record AgentDraft(string Agent, string Status, string[]? Queues, bool SameInstantAsPrevious, double Position)
{
    public string? Reason { get; init; }
}

/// <summary>The distinct events of one scenario, with unique ids; times relative to the ingest clock.</summary>
public sealed record Scenario(IReadOnlyList<ScenarioEvent> Events)
{
    public const long Second = 1_000_000, Minute = 60 * Second, Hour = 60 * Minute, Day = 24 * Hour;

    /// <summary>Ingest accepts [now − 7 days, now + 5 min]; generated times keep clear of both edges.</summary>
    public const long EarliestUs = -7 * Day + Hour, LatestUs = 4 * Minute;

    // Upper and lower case letters lead the ids, so ties by id follow ordinal order, not dictionary order.
    const string Letters = "AaBbZz_";

    public static TimeSpan Us(long micros) => TimeSpan.FromTicks(micros * 10);

    /// <summary>Every event instant and every visit deadline: the edges windows and the clock are put on.</summary>
    public IReadOnlyList<TimeSpan> Instants =>
        [.. Events.Select(e => e.At).Concat(Deadlines).Distinct().Order()];

    public IEnumerable<TimeSpan> Deadlines =>
        Events.Where(e => e.Type == "visit.created").SelectMany(e => new[] { e.At + TimeSpan.FromHours(24), e.At + TimeSpan.FromHours(48) });

    public static Scenario Build(CallDraft[] calls, VisitDraft[] visits, AgentDraft[] agents, int salt)
    {
        var events = new List<ScenarioEvent>();
        var builder = new Builder(events, salt);
        for (var i = 0; i < calls.Length; i++) builder.Call(CallId(i), calls[i], visits.Length);
        for (var i = 0; i < visits.Length; i++) builder.Visit(VisitId(i), visits[i], calls.Length);
        builder.Agents(agents);
        return new Scenario(events);
    }

    public static string CallId(int i) => $"c{i:D2}";
    public static string VisitId(int i) => $"v{i:D2}";

    sealed class Builder(List<ScenarioEvent> events, int salt)
    {
        int next;

        ScenarioEvent New(string type, long atUs, string subject)
        {
            var i = next++;
            var id = $"{Letters[(i * 5 + salt) % Letters.Length]}{i:D3}";
            return new ScenarioEvent(id, type, Us(atUs), subject, (i * 7 + salt) % 9);
        }

        /// <summary>Places a group of events (times from 0) inside the accepted range, at <paramref name="position"/> (0–1).</summary>
        void Place(List<ScenarioEvent> group, double position)
        {
            var span = group.Max(e => e.At.Ticks / 10);
            var start = EarliestUs + (long)(position * (LatestUs - span - EarliestUs));
            events.AddRange(group.Select(e => e with { At = e.At + Us(start) }));
        }

        public void Call(string callId, CallDraft d, int visitCount)
        {
            var group = new List<ScenarioEvent>();
            var answers = new List<long>();
            group.Add(New("call.queued", 0, callId) with
            {
                Queue = d.Queue, Region = d.Region, Language = d.Language, Segment = d.Segment, Caller = d.Caller,
            });
            long start = 0, end = 0;
            for (var i = 0; i < d.Legs.Length; i++)
            {
                var leg = d.Legs[i];
                end = start + leg.WaitUs;
                if (i < d.Legs.Length - 1)
                {
                    if (leg.AnsweredFirst)
                    {
                        group.Add(New("call.answered", end, callId) with { Agent = leg.Agent });
                        answers.Add(end);
                        end += leg.TalkUs;
                    }
                    group.Add(New("call.transferred", end, callId) with { ToQueue = leg.ToQueue });
                    start = end;
                }
                else if (d.Last == LastLeg.Answered)
                {
                    group.Add(New("call.answered", end, callId) with { Agent = leg.Agent });
                    answers.Add(end);
                }
                else if (d.Last == LastLeg.Abandoned) group.Add(New("call.abandoned", end, callId) with { Reason = d.AbandonReason });
            }
            if (d.Missed is { } missed)
                group.Add(New("call.missed", d.Legs[0].WaitUs / 2, callId) with { Agent = missed.Agent, RingSeconds = missed.RingSeconds });
            string? VisitOf(int? visit) => visit switch
            {
                null => null,
                >= 0 when visitCount > 0 => VisitId(visit.Value % visitCount),
                _ => "v-none",
            };
            var completedAt = (answers.Count > 0 ? answers[^1] : end) + (d.Completion?.TalkUs ?? 0);
            if (d.Completion is { } c)
                group.Add(New("call.completed", completedAt, callId) with { Resolution = c.Resolution, VisitId = VisitOf(c.Visit) });
            foreach (var told in d.Told)
                group.Add(New("call.resolution", Math.Max(0, completedAt + told.OffsetUs), callId) with { Resolution = told.Resolution, VisitId = VisitOf(told.Visit) });
            var answeredAt = answers.Count > 0 ? answers[0] : 0;
            var last = d.Legs[^1];
            switch (d.Tie)
            {
                case CallTie.SecondAnswer:
                    group.Add(New("call.answered", answeredAt, callId) with { Agent = last.Agent == "ag1" ? "ag2" : "ag1" });
                    break;
                case CallTie.AbandonAtAnswer: group.Add(New("call.abandoned", answeredAt, callId)); break;
                case CallTie.TransferAtAnswer: group.Add(New("call.transferred", answeredAt, callId) with { ToQueue = last.ToQueue }); break;
                case CallTie.TransferAtQueued: group.Add(New("call.transferred", 0, callId) with { ToQueue = last.ToQueue }); break;
                case CallTie.QueuedAgainWhileWaiting:
                    group.Add(New("call.queued", d.Legs[0].WaitUs / 2, callId) with { Queue = last.ToQueue, Region = "late" });
                    break;
                case CallTie.QueuedAgainAfterEnd:
                    group.Add(New("call.queued", group.Max(e => e.At.Ticks / 10) + Minute, callId) with
                    {
                        Queue = last.ToQueue, Region = "late", Segment = "late", Caller = "+7 900 000-00-01",
                    });
                    break;
            }
            Place(group, d.Position);
        }

        public void Visit(string visitId, VisitDraft d, int callCount)
        {
            var group = new List<ScenarioEvent>();
            var callId = d.Link switch
            {
                VisitLink.Call when callCount > 0 => CallId(d.Call % callCount),
                VisitLink.UnknownCall => "c-none",
                _ => null,
            };
            if (d.End != VisitEnd.ResolvedWithoutCreated)
                group.Add(New("visit.created", 0, visitId) with { CallId = callId, Region = d.Region });
            switch (d.End)
            {
                case VisitEnd.Resolved or VisitEnd.ResolvedWithoutCreated: group.Add(New("visit.resolved", d.FirstUs, visitId)); break;
                case VisitEnd.Cancelled: group.Add(New("visit.cancelled", d.FirstUs, visitId)); break;
                case VisitEnd.ResolvedAndCancelled:
                    group.Add(New("visit.resolved", d.FirstUs, visitId));
                    group.Add(New("visit.cancelled", d.SecondUs, visitId));
                    break;
                case VisitEnd.ResolvedAndCancelledAtOnce:
                    group.Add(New("visit.cancelled", d.FirstUs, visitId));
                    group.Add(New("visit.resolved", d.FirstUs, visitId));
                    break;
            }
            // A second "created" (a producer's retry under a new id): the first in source order stands.
            if (d.CreatedTwice)
                group.Add(New("visit.created", d.SecondUs, visitId) with { CallId = callId is null ? CallId(0) : null, Region = "late" });
            Place(group, d.Position);
        }

        public void Agents(AgentDraft[] drafts)
        {
            ScenarioEvent? previous = null;
            foreach (var d in drafts)
            {
                var tie = d.SameInstantAsPrevious && previous is not null;
                var e = New("agent.status", 0, tie ? previous!.Subject : d.Agent) with { Status = d.Status, Queues = d.Queues, Reason = d.Reason };
                e = e with { At = tie ? previous!.At : Us(EarliestUs + (long)(d.Position * (LatestUs - EarliestUs))) };
                events.Add(e);
                previous = e;
            }
        }
    }
}
