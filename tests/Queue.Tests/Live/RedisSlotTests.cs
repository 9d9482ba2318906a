using System.Text;
using Queue.Events;
using Queue.Live;
using Queue.Redis;
using StackExchange.Redis;

namespace Queue.Tests.Live;

/// <summary>
/// Redis Cluster keeps a script's or a transaction's keys together only if they hash to one slot. Every key of live state
/// is tagged with its queue (<c>{queue}</c>), and every script and transaction takes the keys of one queue: computed here
/// with Redis Cluster's own function (CRC16 of the hash tag, modulo 16,384).
/// </summary>
public sealed class RedisSlotTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(5));

    // Queue names as identifiers allow them: letters of any script, digits, and . _ - :
    static readonly string[] Queues = ["b2c", "b2b", "tech.support", "sales_north", "x-1", "a:b", "очередь", "1", LiveKeys.Center];

    /// <summary>Redis Cluster's key → slot: CRC16 (XMODEM) of the part between the first '{' and the next '}', if not empty.</summary>
    static int Slot(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1) key = key[(open + 1)..close];
        }
        ushort crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++) crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
        }
        return crc % 16_384;
    }

    [Fact]
    public void The_slot_function_agrees_with_the_Redis_Cluster_specification()
    {
        Assert.Equal(0x31C3, Slot("123456789"));
        Assert.Equal(12182, Slot("foo"));
        Assert.Equal(Slot("{user1000}.following"), Slot("{user1000}.followers"));
        Assert.Equal(Slot("bar"), Slot("foo{bar}{zap}"));
        Assert.Equal(Slot("{bar"), Slot("foo{{bar}}zap"));
        Assert.NotEqual(Slot("bar"), Slot("foo{}{bar}"));
    }

    [Fact]
    public void Every_key_of_a_queue_is_in_the_slot_of_its_queue_whatever_the_prefix()
    {
        foreach (var prefix in (string[])["", "prod:", "t0123abcd:"])
        {
            var keys = new LiveKeys(prefix);
            foreach (var queue in Queues)
            {
                var ofQueue = QueueKeys(keys, queue);
                Assert.True(ofQueue.Count >= 20, $"only {ofQueue.Count} keys found");
                foreach (var key in ofQueue) Assert.True(Slot(key) == Slot(queue), $"{key} is in slot {Slot(key)}, its queue '{queue}' in {Slot(queue)}");
            }
            foreach (var key in RedisLayout.Keys.Where(k => k.CenterOnly).Select(k => keys.Of(LiveKeys.Center, k)))
                Assert.Equal(Slot(LiveKeys.Center), Slot(key));
        }
        // Queues are spread over the slots, not all in one.
        Assert.True(Queues.Select(Slot).Distinct().Count() >= Queues.Length - 1);
    }

    [Fact]
    public void Each_plan_a_script_runs_declares_every_key_it_changes_and_they_share_one_slot()
    {
        var keys = new LiveKeys("p:");
        var rules = new LiveRules(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg"),
            TimeSpan.FromHours(26), TimeSpan.FromDays(8));
        var parts = Parts(rules).ToList();
        var byQueue = parts.GroupBy(p => p.Queue, StringComparer.Ordinal).ToList();
        Assert.True(byQueue.Count >= 4, "the parts touch several queues and the center");
        Assert.Contains(byQueue, g => g.Key == LiveKeys.Center);

        foreach (var queue in byQueue)
        {
            var group = queue.GroupBy(p => p.Entity, StringComparer.Ordinal).Select(g => g.MaxBy(p => p.Version)!).ToList();
            // Applied afresh, then replaced by newer parts (undo and redo), then trimmed away: each plan as LiveStore runs it.
            var fresh = LivePlanner.Apply(n => keys.Of(queue.Key, n), keys.Of(queue.Key, RedisLayout.Parts), keys.Of(queue.Key, RedisLayout.Expiry), group, new string?[group.Count]);
            var stored = group.Select(p => (string?)LivePlanner.Stored(p)).ToList();
            var newer = LivePlanner.Apply(n => keys.Of(queue.Key, n), keys.Of(queue.Key, RedisLayout.Parts), keys.Of(queue.Key, RedisLayout.Expiry),
                [.. group.Select(p => p with { Version = p.Version + 100, Ops = [.. p.Ops.Skip(1)] })], stored);
            var trim = LivePlanner.Remove(n => keys.Of(queue.Key, n), keys.Of(queue.Key, RedisLayout.Parts), keys.Of(queue.Key, RedisLayout.Expiry), [.. group.Select(p => p.Entity)], stored);
            foreach (var plan in (LivePlan[])[fresh, newer, trim])
            {
                Assert.False(plan.IsEmpty);
                var (scriptKeys, args) = LiveScripts.ExecuteArguments(keys.Of(queue.Key, RedisLayout.Parts), plan);
                Assert.Equal(keys.Of(queue.Key, RedisLayout.Parts), (string?)scriptKeys[0]);
                Assert.Equal(scriptKeys.Length, scriptKeys.Distinct().Count());
                // Every command's key is declared, and the script reaches it only through KEYS.
                Assert.Equal(plan.Commands.Select(c => c.Key).Append(keys.Of(queue.Key, RedisLayout.Parts)).Distinct().Order(StringComparer.Ordinal),
                    scriptKeys.Select(k => (string)k!).Order(StringComparer.Ordinal));
                var slots = scriptKeys.Select(k => Slot(k!)).Distinct().ToList();
                Assert.True(slots.Count == 1 && slots[0] == Slot(queue.Key),
                    $"queue '{queue.Key}': keys in slots {string.Join(", ", slots)}: {string.Join(", ", scriptKeys)}");
                Assert.Equal(plan.Commands.Count, CommandKeyIndexes(plan, args).Count(i => i >= 1 && i <= scriptKeys.Length));
            }
        }
        Assert.Contains("KEYS[tonumber(ARGV[i + 1])]", LiveScripts.Execute, StringComparison.Ordinal);
    }

    // The calls, visits and agents of a busy minute: transfers between queues, visits linked to calls, agents in several queues.
    static IEnumerable<LivePart> Parts(LiveRules rules)
    {
        var at = Now.AddMinutes(-30);
        var version = 1L;
        for (var i = 0; i < 40; i++)
        {
            var (from, to) = (Queues[i % 5], Queues[(i + 1) % 5]);
            var start = at.AddSeconds(i * 17);
            List<Leg> legs = i % 3 == 0
                ? [new Leg(from, start, start.AddSeconds(40), LegOutcome.Transferred), new Leg(to, start.AddSeconds(40), start.AddSeconds(70), LegOutcome.Answered, $"ag-{i % 4}")]
                : i % 3 == 1 ? [new Leg(from, start, start.AddSeconds(i), LegOutcome.Abandoned)] : [new Leg(from, start)];
            var completed = i % 3 == 0 ? start.AddSeconds(300) : (DateTimeOffset?)null;
            var call = new CallRow($"c{i}", version++, "r1", null, null, legs[^1].Queue, completed, completed is null ? null : Resolution.FieldVisit,
                [.. legs.Select(l => l.Queue).Distinct()], legs);
            foreach (var p in LiveParts.OfCall(call, rules, Now)) yield return p;
            if (completed is not null)
                foreach (var p in LiveParts.OfVisit(new VisitRow($"v{i}", version++, to, [from, to], start.AddSeconds(300), null, null), rules, Now)) yield return p;
        }
        for (var a = 0; a < 4; a++)
            foreach (var p in LiveParts.OfAgent(new AgentRow($"ag-{a}", version++, AgentStatus.Busy, Now.AddMinutes(-5), [Queues[a], Queues[a + 1]], [Queues[a], Queues[a + 1]],
                [new AgentMark(Now.AddMinutes(-6), "w", AgentStatus.WrapUp), new AgentMark(Now.AddMinutes(-5), "b", AgentStatus.Busy)]), Now))
                yield return p;
    }

    // ARGV after the parts: name, key index, count, arguments; answers the key indexes.
    static IEnumerable<int> CommandKeyIndexes(LivePlan plan, RedisValue[] args)
    {
        var i = 1 + 2 * plan.Entities.Count;
        while (i < args.Length)
        {
            yield return (int)args[i + 1];
            i += 3 + (int)args[i + 2];
        }
    }

    // Every key the layout names for a queue (an agent's day on one day), and every name parts store under it.
    static List<string> QueueKeys(LiveKeys keys, string queue)
    {
        var found = RedisLayout.Keys.Where(k => !k.CenterOnly)
            .Select(k => k is DailyCounterKey daily ? keys.Of(queue, daily.On(DateOnly.FromDateTime(Now.Date))) : keys.Of(queue, k)).ToList();
        found.AddRange(Parts(new LiveRules(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeZoneInfo.Utc, TimeSpan.FromHours(26), TimeSpan.FromDays(8)))
            .SelectMany(p => p.Ops).Select(o => keys.Of(queue, o.Key)).Distinct());
        return found;
    }
}
