using Queue.Redis;

namespace Queue.Live;

/// <summary>
/// What one entity contributes to one queue's live state, at one version. Applying a part replaces the entity's
/// previous part in that queue (its ops undone, the new ones done), so applying the same part twice, or an older
/// one after a newer, changes nothing. A part with no ops is a tombstone that keeps the version.
/// </summary>
public sealed record LivePart(string Queue, string Entity, long Version, long? ExpiresAt, IReadOnlyList<LiveOp> Ops)
{
    public string OpsJson() => StoredPart.OpsJson(Ops);
}

/// <summary>
/// Pure: stored rows → the parts they contribute to each queue's live state, one file per entity (calls and their
/// legs, visits, agents), every key and member made through <see cref="RedisLayout"/>. Every figure of a live snapshot
/// is a count or sum over these parts, so live state equals a recomputation from PostgreSQL by construction.
/// </summary>
public static partial class LiveParts
{
    // What has aged out of every live window contributes nothing: a tombstone keeps its version for a while.
    static LivePart Retained(string queue, string entity, long version, List<LiveOp> ops, long? expires, DateTimeOffset now)
    {
        var nowMicros = Micros.Of(now);
        if (ops.Count == 0 || expires < nowMicros)
            return new LivePart(queue, entity, version, nowMicros + Micros.Of(LiveRules.TombstoneFor), []);
        return new LivePart(queue, entity, version, expires, ops);
    }
}
