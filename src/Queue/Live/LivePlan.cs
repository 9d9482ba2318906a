using System.Globalization;
using Queue.Redis;

namespace Queue.Live;

/// <summary>One Redis command of a plan: a command name, its key, and its arguments after the key.</summary>
public sealed record LiveCommand(string Name, string Key, IReadOnlyList<string> Args)
{
    /// <summary>HINCRBY of each (field, amount) pair, and HDEL of a field that comes back to zero.</summary>
    public const string AddToCounters = "HINCRBY0";
}

/// <summary>
/// What applying parts to one queue does to Redis, given the parts stored there now: the commands, and the stored
/// parts they assume, which the script checks before it runs them (another node may have moved on meanwhile).
/// </summary>
public sealed record LivePlan(IReadOnlyList<string> Entities, IReadOnlyList<string> Expected, IReadOnlyList<LiveCommand> Commands, bool Changed)
{
    public bool IsEmpty => Commands.Count == 0;
}

/// <summary>
/// Pure: parts and the stored parts they replace → one plan of few commands. A part replaces the entity's stored
/// part only if its version is higher; its ops are then undone (a member removed, a counter taken back) and the
/// new ones done. Ops are gathered per key, removals before additions (a member that moves is moved, not lost),
/// and counters summed (an undo and a redo of one counter meet in one increment), so a rebuild's millions of ops
/// become a few commands per key: Redis spends more on each command than on the work inside it.
/// </summary>
public static class LivePlanner
{
    /// <summary>A part as it is stored (<see cref="StoredPart"/>).</summary>
    public static string Stored(LivePart part) => StoredPart.Format(part.Version, part.OpsJson());

    /// <param name="keyOf">A key's name within the queue (<see cref="LayoutKey.Name"/>) → the queue's full key.</param>
    /// <param name="partsKey">The queue's hash of stored parts.</param>
    /// <param name="expiryKey">The queue's sorted set of when parts expire.</param>
    /// <param name="parts">At most one part per entity.</param>
    /// <param name="stored">The entity's stored part, or null, for each part.</param>
    /// <param name="replaceEqual">Also replace a stored part of the same version whose ops differ: the queue's thresholds
    /// changed, so the same rows now project otherwise.</param>
    public static LivePlan Apply(Func<string, string> keyOf, string partsKey, string expiryKey, IReadOnlyList<LivePart> parts, IReadOnlyList<string?> stored,
        bool replaceEqual = false)
    {
        var gather = new Gather(keyOf);
        var entities = new List<string>(parts.Count);
        var expected = new List<string>(parts.Count);
        var store = new List<string>();
        var expiring = new List<string>();
        var gone = new List<string>();
        var changed = false;
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            var old = stored[i];
            entities.Add(part.Entity);
            expected.Add(old ?? "");
            var ops = part.OpsJson();
            var newer = true;
            var same = false;
            if (old is not null)
            {
                var (version, oldOps) = StoredPart.Split(old);
                same = oldOps.Span.SequenceEqual(ops);
                newer = version < part.Version || (replaceEqual && version == part.Version && !same);
                if (newer && !same) gather.Undo(oldOps.Span);
            }
            if (!newer) continue;
            if (!same)
            {
                foreach (var op in part.Ops) gather.Do(op, undo: false);
                changed = true;
            }
            store.Add(part.Entity);
            store.Add(StoredPart.Format(part.Version, ops));
            if (part.ExpiresAt is { } at)
            {
                expiring.Add(at.ToString(CultureInfo.InvariantCulture));
                expiring.Add(part.Entity);
            }
            else gone.Add(part.Entity);
        }
        var commands = gather.Commands();
        if (store.Count > 0) commands.Add(new LiveCommand("HSET", partsKey, store));
        if (expiring.Count > 0) commands.Add(new LiveCommand("ZADD", expiryKey, expiring));
        if (gone.Count > 0) commands.Add(new LiveCommand("ZREM", expiryKey, gone));
        return new LivePlan(entities, expected, commands, changed);
    }

    /// <summary>Parts that have aged out: their ops undone, the parts and their expiry removed.</summary>
    public static LivePlan Remove(Func<string, string> keyOf, string partsKey, string expiryKey, IReadOnlyList<string> entities, IReadOnlyList<string?> stored)
    {
        var gather = new Gather(keyOf);
        for (var i = 0; i < entities.Count; i++)
        {
            if (stored[i] is { } old) gather.Undo(StoredPart.Split(old).OpsJson.Span);
        }
        var commands = gather.Commands();
        if (entities.Count > 0)
        {
            commands.Add(new LiveCommand("HDEL", partsKey, entities));
            commands.Add(new LiveCommand("ZREM", expiryKey, entities));
        }
        return new LivePlan(entities, stored.Select(s => s ?? "").ToList(), commands, commands.Count > 0);
    }

    sealed class Gather(Func<string, string> keyOf)
    {
        // Insertion-ordered per key, so that a plan is the same for the same input.
        readonly Dictionary<string, PerKey> keys = new(StringComparer.Ordinal);
        readonly List<string> order = [];

        PerKey Of(string name)
        {
            if (!keys.TryGetValue(name, out var k))
            {
                k = new PerKey(keyOf(name));
                keys[name] = k;
                order.Add(name);
            }
            return k;
        }

        // The one place an op becomes what the script runs, and its undo.
        public void Do(LiveOp op, bool undo)
        {
            var k = Of(op.Key);
            switch (op.Kind)
            {
                case LiveOpKind.SortedSetAdd when undo: k.Remove.Add(op.Field); break;
                case LiveOpKind.SortedSetAdd: k.Add.Add(op.Value); k.Add.Add(op.Field); break;
                case LiveOpKind.HashSet when undo: k.Delete.Add(op.Field); break;
                case LiveOpKind.HashSet: k.Set.Add(op.Field); k.Set.Add(op.Value); break;
                case LiveOpKind.HashIncrement:
                    var n = op.Amount;
                    if (!k.Counters.ContainsKey(op.Field)) k.CounterOrder.Add(op.Field);
                    k.Counters[op.Field] = k.Counters.GetValueOrDefault(op.Field) + (undo ? -n : n);
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(op), op.Kind, "an op of no known kind");
            }
        }

        public void Undo(ReadOnlySpan<char> opsJson)
        {
            foreach (var op in StoredPart.ReadOps(opsJson)) Do(op, undo: true);
        }

        public List<LiveCommand> Commands()
        {
            var commands = new List<LiveCommand>();
            foreach (var name in order)
            {
                var k = keys[name];
                if (k.Remove.Count > 0) commands.Add(new("ZREM", k.Key, k.Remove));
                if (k.Delete.Count > 0) commands.Add(new("HDEL", k.Key, k.Delete));
            }
            foreach (var name in order)
            {
                var k = keys[name];
                if (k.Add.Count > 0) commands.Add(new("ZADD", k.Key, k.Add));
                if (k.Set.Count > 0) commands.Add(new("HSET", k.Key, k.Set));
                var counters = new List<string>();
                foreach (var field in k.CounterOrder)
                {
                    if (k.Counters[field] is var n and not 0)
                    {
                        counters.Add(field);
                        counters.Add(n.ToString(CultureInfo.InvariantCulture));
                    }
                }
                if (counters.Count > 0) commands.Add(new(LiveCommand.AddToCounters, k.Key, counters));
            }
            return commands;
        }
    }

    sealed class PerKey(string key)
    {
        public string Key { get; } = key;
        public List<string> Remove { get; } = [];
        public List<string> Delete { get; } = [];
        public List<string> Add { get; } = [];
        public List<string> Set { get; } = [];
        public Dictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);
        public List<string> CounterOrder { get; } = [];
    }
}
