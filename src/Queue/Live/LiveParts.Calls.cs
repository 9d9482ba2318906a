using Queue.Events;
using Queue.Figures;
using Queue.Ingest;
using Queue.Redis;

namespace Queue.Live;

public static partial class LiveParts
{
    /// <summary>
    /// A call in every queue it ever named: there, its legs (waiting, answered, abandoned) and, in the queue of its last
    /// leg, its completion. A queue it left gets an empty part, so that nothing of it stays behind there.
    /// </summary>
    public static IEnumerable<LivePart> OfCall(CallRow call, LiveRules rules, DateTimeOffset now)
    {
        var queues = new SortedSet<string>(call.QueuesSeen, StringComparer.Ordinal);
        queues.UnionWith(call.Legs.Select(l => l.Queue));
        // Completed with no leg known yet: the completion counts in the center alone, as /api/metrics counts it.
        var completedIn = call.LastQueue ?? LiveKeys.Center;
        if (call.CompletedAt is not null) queues.Add(completedIn);
        foreach (var queue in queues) yield return CallIn(call, queue, queue == completedIn, rules, now);
    }

    static LivePart CallIn(CallRow call, string queue, bool completedHere, LiveRules rules, DateTimeOffset now)
    {
        var entity = EntityKey.Call(call.CallId);
        var ops = new List<LiveOp>();
        long latest = long.MinValue;
        var waiting = false;
        var recentSince = now - LiveRules.RecentFor;
        for (var i = 0; i < call.Legs.Count; i++)
        {
            var leg = call.Legs[i];
            if (leg.Queue != queue) continue;
            var member = LegMember.Of(entity, i);
            if (leg.Start >= recentSince) ops.Add(RedisLayout.StaffSums.Add(StaffField.Of(Minute(leg.Start), StaffKind.Arrived), 1));
            if (leg.End is not { } end)
            {
                // A leg open for longer than GhostAfter is a ghost (a PBX restarted mid-call) or history loaded
                // without its end, and no live figure's; the reader leaves out those that age past it since.
                if (leg.Start < now - rules.GhostAfter) continue;
                waiting = true;
                ops.Add(RedisLayout.Waiting.Add(member, Micros.Of(leg.Start)));
                ops.Add(RedisLayout.WaitInfo.SetJson(member, new WaitingInfo(call.CallId, i, leg.Start, call.Region, call.Language, call.Segment)));
                continue;
            }
            var endMicros = Micros.Of(end);
            latest = Math.Max(latest, endMicros);
            var wait = end - leg.Start;
            var waitMicros = endMicros - Micros.Of(leg.Start);
            // Only the last hour's windows need the members themselves (their edges fall anywhere); today's earlier
            // quarters of an hour are counted by quarter, which a rebuild adds up in few commands.
            var recent = end >= recentSince;
            switch (leg.Outcome)
            {
                case LegOutcome.Answered:
                    ops.Add(RedisLayout.Quarters.Add(QuarterField.Of(endMicros, QuarterKind.Answered), 1));
                    ops.Add(RedisLayout.Quarters.Add(QuarterField.Of(endMicros, QuarterKind.Wait), waitMicros));
                    var inServiceLevel = LegRules.InServiceLevel(wait, rules.ServiceLevelOf(queue));
                    if (inServiceLevel) ops.Add(RedisLayout.Quarters.Add(QuarterField.Of(endMicros, QuarterKind.InServiceLevel), 1));
                    if (recent)
                    {
                        ops.Add(RedisLayout.Answered.Add(AnsweredMember.Of(member, waitMicros), endMicros));
                        ops.Add(RedisLayout.WaitSum.Add(MinuteField.Of(Micros.Minute(endMicros)), waitMicros));
                        if (inServiceLevel) ops.Add(RedisLayout.InServiceLevel.Add(member, endMicros));
                    }
                    if (leg.AgentId is { } agent) AgentDayOps(call, i, end, agent, rules, recentSince, ops);
                    break;
                case LegOutcome.Abandoned:
                    var counted = !LegRules.IsShortAbandon(wait, rules.ShortAbandonOf(queue));
                    ops.Add(RedisLayout.Quarters.Add(QuarterField.Of(endMicros, counted ? QuarterKind.Abandoned : QuarterKind.ShortAbandoned), 1));
                    if (recent)
                    {
                        ops.Add((counted ? RedisLayout.Abandoned : RedisLayout.ShortAbandoned).Add(member, endMicros));
                        ops.Add(RedisLayout.StaffSums.Add(StaffField.Of(Micros.Minute(endMicros), StaffKind.AbandonWait), waitMicros));
                    }
                    break;
            }
        }
        // Offers missed while the call waited here count in the day of the agent who missed them; the part lasts as long
        // as they are part of today.
        foreach (var miss in call.Misses)
        {
            if (miss.Queue != queue) continue;
            latest = Math.Max(latest, Micros.Of(miss.At));
            ops.Add(RedisLayout.AgentDay.On(rules.LocalDay(miss.At)).Add(AgentDayField.Missed(miss.AgentId), 1));
        }
        if (completedHere && call.CompletedAt is { } completed)
        {
            var at = Micros.Of(completed);
            latest = Math.Max(latest, at);
            var resolved = call.Resolution == Resolution.Resolved;
            var unknown = call.Resolution is null;
            ops.Add(RedisLayout.Quarters.Add(QuarterField.Of(at, QuarterKind.Completed), 1));
            if (resolved) ops.Add(RedisLayout.Quarters.Add(QuarterField.Of(at, QuarterKind.Resolved), 1));
            if (unknown) ops.Add(RedisLayout.Quarters.Add(QuarterField.Of(at, QuarterKind.Unknown), 1));
            if (completed >= recentSince)
            {
                ops.Add(RedisLayout.Completed.Add(entity, at));
                if (resolved) ops.Add(RedisLayout.Resolved.Add(entity, at));
                if (unknown) ops.Add(RedisLayout.Unknown.Add(entity, at));
            }
        }
        var expires = waiting || latest == long.MinValue ? (long?)null : latest + Micros.Of(rules.RetainEnded);
        return Retained(queue, entity, call.Version, ops, expires, now);
    }

    // The agent who answered: a call answered on the local day; if it is the call's last leg and the call completed
    // after the answer, a call handled and its handle time, and in the last hour the queue's talk time for staffing.
    static void AgentDayOps(CallRow call, int leg, DateTimeOffset answered, string agent, LiveRules rules, DateTimeOffset recentSince, List<LiveOp> ops)
    {
        var day = RedisLayout.AgentDay.On(rules.LocalDay(answered));
        ops.Add(day.Add(AgentDayField.Answered(agent), 1));
        if (leg != call.Legs.Count - 1 || call.CompletedAt is not { } done || done < answered) return;
        var talk = Micros.Of(done) - Micros.Of(answered);
        ops.Add(day.Add(AgentDayField.Handled(agent), 1));
        ops.Add(day.Add(AgentDayField.Handle(agent), talk));
        if (done < recentSince) return;
        ops.Add(RedisLayout.StaffSums.Add(StaffField.Of(Minute(done), StaffKind.Talked), 1));
        ops.Add(RedisLayout.StaffSums.Add(StaffField.Of(Minute(done), StaffKind.Talk), talk));
    }

    static long Minute(DateTimeOffset at) => Micros.Minute(Micros.Of(at));
}
