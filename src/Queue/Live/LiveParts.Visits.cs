using Queue.Events;
using Queue.Redis;

namespace Queue.Live;

public static partial class LiveParts
{
    /// <summary>
    /// A visit in the queue of its call's last leg (the center's own if it has none): open, and its 24 h and 48 h
    /// deadlines. Every other queue it was ever linked to gets an empty part, so that a visit that moved leaves none behind.
    /// </summary>
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
                var due24 = created + VisitState.Deadline24;
                var due48 = created + VisitState.Deadline48;
                var closed = visit.ResolvedAt ?? visit.CancelledAt;
                if (closed is null) ops.Add(RedisLayout.OpenVisits.Add(entity, Micros.Of(created)));
                if (visit.CancelledAt is not { } cancelled || cancelled >= due24)
                {
                    ops.Add(RedisLayout.Due24.Add(entity, Micros.Of(due24)));
                    if (visit.ResolvedAt <= due24) ops.Add(RedisLayout.Due24Met.Add(entity, Micros.Of(due24)));
                }
                if ((visit.ResolvedAt is null || visit.ResolvedAt > due48) && (visit.CancelledAt is null || visit.CancelledAt > due48))
                    ops.Add(RedisLayout.Overdue48.Add(entity, Micros.Of(due48)));
                if (closed is { } end) expires = Micros.Of(end > due48 ? end : due48) + Micros.Of(rules.RetainVisits);
            }
            yield return Retained(queue, entity, visit.Version, ops, expires, now);
        }
    }
}
