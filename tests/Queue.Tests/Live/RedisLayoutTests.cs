using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Queue.Events;
using Queue.Live;
using Queue.Redis;
using Queue.Tests.Ops;

namespace Queue.Tests.Live;

/// <summary>
/// The Redis layout is written once (src/Queue/Redis/RedisLayout.cs): docs/redis.md lists it as the module does, its
/// formats read back what they make, and a change to what live state stores cannot ship without a new layout version.
/// </summary>
public sealed class RedisLayoutTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.FromHours(5));

    /// <summary>
    /// What the sample rows below store, and the keys' names and types, for each layout version; not the version itself,
    /// so the fingerprint a failure prints is the one to add. A change to any of them changes what an installed system
    /// holds: raise <see cref="RedisLayout.Version"/> so that nodes rebuild live state, and add the new version's
    /// fingerprint here, keeping the older ones.
    /// </summary>
    static readonly Dictionary<int, string> Fingerprints = new()
    {
        [1] = "9cd6e88e1b3efefb03a58b3f3a0627dcab003cc16752530393d1cd17cf6b3901",
        [2] = "8d909561c86b1c4e3d4657add60da4f25472037c61cb9d082472bb56ec52e563",
        [3] = "700cb976824e418bf1d0c67203083bb02eb5d008e00d2c0e61d216719f29469f",
    };

    const string ThisFile = "tests/Queue.Tests/Live/RedisLayoutTests.cs";

    [Fact]
    public void What_live_state_stores_changes_only_with_a_new_layout_version()
    {
        var problem = Problem(Fingerprints, RedisLayout.Version, Fingerprint());
        Assert.True(problem is null, problem);
    }

    [Fact]
    public void A_change_of_what_live_state_stores_is_told_in_one_go_and_a_version_raised_without_its_fingerprint_fails()
    {
        var layouts = new Dictionary<int, string> { [1] = "aaa", [2] = "bbb" };

        Assert.Null(Problem(layouts, 2, "bbb"));
        Assert.Equal($"live state now stores what layout 2 stored not: raise RedisLayout.Version to 3 and add `[3] = \"ccc\"` to Fingerprints in {ThisFile}",
            Problem(layouts, 2, "ccc"));
        // Raised with no entry: whether or not what is stored changed.
        Assert.Contains("add `[3] = \"ccc\"` to Fingerprints", Problem(layouts, 3, "ccc"), StringComparison.Ordinal);
        Assert.Contains("stores what layout 2 stored", Problem(layouts, 3, "bbb"), StringComparison.Ordinal);
        Assert.Contains("RedisLayout.Version back to 2", Problem(layouts, 3, "bbb"), StringComparison.Ordinal);
        // An entry past the version: added, and the version not raised.
        Assert.Contains("raise RedisLayout.Version to 2", Problem(layouts, 1, "bbb"), StringComparison.Ordinal);
    }

    /// <summary>What is wrong with the layout version and its fingerprints, in words that say what to do; null if nothing.</summary>
    static string? Problem(IReadOnlyDictionary<int, string> fingerprints, int version, string actual)
    {
        var next = version + 1;
        var last = fingerprints.Keys.Max();
        if (last > version)
            return $"Fingerprints has an entry for layout {last}, past RedisLayout.Version ({version}): raise RedisLayout.Version to {last}"
                + (fingerprints[last] == actual ? "" : $" and make its entry `[{last}] = \"{actual}\"`");
        if (fingerprints.TryGetValue(version, out var expected))
            return expected == actual ? null
                : $"live state now stores what layout {version} stored not: raise RedisLayout.Version to {next} and add `[{next}] = \"{actual}\"` to Fingerprints in {ThisFile}";
        var same = fingerprints.Where(f => f.Value == actual).Select(f => f.Key).DefaultIfEmpty().Max();
        return same > 0
            ? $"RedisLayout.Version was raised to {version}, but live state stores what layout {same} stored: put RedisLayout.Version back to {same} "
                + $"(a new layout makes every node it is deployed to rebuild live state), or, to have it rebuilt all the same, add `[{version}] = \"{actual}\"` "
                + $"to Fingerprints in {ThisFile}"
            : $"RedisLayout.Version was raised to {version} and Fingerprints has no entry for it: add `[{version}] = \"{actual}\"` to Fingerprints in {ThisFile}";
    }

    [Fact]
    public void Docs_redis_lists_every_key_as_the_layout_describes_it()
    {
        var doc = OpsFiles.Read("docs", "redis.md");
        var table = Table();
        Assert.True(doc.Contains(table, StringComparison.Ordinal), "docs/redis.md, \"Keys\", is not the layout's; it should hold:\n" + table);
        Assert.Contains($"layout version is **{RedisLayout.Version}**", doc, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_key_has_a_name_of_its_own_and_parts_write_only_keys_of_the_layout()
    {
        Assert.Equal(RedisLayout.Keys.Count, RedisLayout.Keys.Select(k => k.Name).Distinct().Count());
        var written = Sample().SelectMany(p => p.Ops).Select(o => o.Key).Distinct().ToList();
        var named = RedisLayout.Keys.Where(k => k is SortedSetKey or HashKey or CounterKey).Select(k => k.Name).ToHashSet();
        Assert.All(written, key => Assert.True(named.Contains(key) || key.StartsWith(RedisLayout.AgentDay.Prefix + ":", StringComparison.Ordinal), key));
        // Every key parts write is written by the sample: the fingerprint covers them all.
        Assert.Empty(named.Except(written));
    }

    [Fact]
    public void Formats_read_back_what_they_make()
    {
        var leg = LegMember.Of(EntityKey.Call("c|1"), 2);
        Assert.Equal("c:c|1#2", leg);
        Assert.Equal(12_345_678, AnsweredMember.WaitOf(AnsweredMember.Of(leg, 12_345_678)));

        var at = Micros.Of(Now);
        foreach (var kind in Enum.GetValues<QuarterKind>())
        {
            Assert.True(QuarterField.TryParse(QuarterField.Of(at, kind), out var quarter, out var read));
            Assert.Equal((Micros.Quarter(at), kind), (quarter, read));
        }
        Assert.False(QuarterField.TryParse("123:z", out _, out _));
        Assert.Equal(StaffField.Kinds.Length, StaffField.Kinds.Select(k => StaffField.Of(7, k)).Distinct().Count());
        Assert.Equal(Micros.Minute(at), MinuteField.Parse(MinuteField.Of(Micros.Minute(at))));
        Assert.Equal("agentday:2026-11-23", RedisLayout.AgentDay.On(new DateOnly(2026, 11, 23)).Name);

        var part = new LivePart("q", "c:1", 5, null, [LiveOp.SortedSetAdd("answered", "c:1#0|7", 100), LiveOp.HashSet("waitinfo", "c:1#0", "{}"),
            LiveOp.HashIncrement("quarters", "9:a", -1)]);
        var (version, ops) = StoredPart.Split(LivePlanner.Stored(part));
        Assert.Equal(5, version);
        Assert.Equal(part.Ops, StoredPart.ReadOps(ops.Span));
    }

    [Fact]
    public void A_cursor_of_no_layout_or_one_unreadable_is_older_than_any()
    {
        var current = LiveCursor.Parse(LiveCursor.Format(812_345, 77));
        Assert.Equal(new LiveCursor(812_345, 77, RedisLayout.Version), current);
        Assert.True(current.IsCurrent);

        // As releases before layout versions wrote it: rebuilt once after the upgrade.
        Assert.Equal(new LiveCursor(812_345, 77, 0), LiveCursor.Parse("812345:77"));
        Assert.Equal(0, LiveCursor.Parse("junk").Layout);
        Assert.Equal(0, LiveCursor.Parse("1:2:x").Layout);
        Assert.Equal(RedisLayout.Version + 1, LiveCursor.Parse($"1:2:{RedisLayout.Version + 1}").Layout);
    }

    [Fact]
    public void A_rebuild_keeps_only_the_lock_and_what_was_published()
    {
        var keys = new LiveKeys("p:");
        Assert.True(keys.IsKept(keys.RebuildLock));
        Assert.True(keys.IsKept(keys.PublishedCenter));
        Assert.True(keys.IsKept(keys.Of("a:b", RedisLayout.Published)));
        Assert.False(keys.IsKept(keys.Cursor));
        Assert.False(keys.IsKept(keys.Of("a:b", RedisLayout.Parts)));
        Assert.False(keys.IsKept(keys.Of("x", "answered-of-an-older-layout")));
        Assert.Equal("p:live:*", keys.Pattern);
    }

    /// <summary>The section "Keys" of docs/redis.md, as the layout describes its keys.</summary>
    static string Table()
    {
        static string Cell(string text) => text.Length == 0 ? "" : text.Replace("|", "\\|", StringComparison.Ordinal);
        var table = new StringBuilder();
        table.AppendLine("| key | type | holds | member or field | score or value |");
        table.AppendLine("|---|---|---|---|---|");
        foreach (var key in RedisLayout.Keys)
        {
            var name = $"`live:{{{(key.CenterOnly ? "~" : "queue")}}}:{key.Name}`";
            var type = key.Type switch { KeyType.SortedSet => "sorted set", var t => t.ToString().ToLowerInvariant() };
            table.AppendLine($"| {name} | {type} | {Cell(key.Holds)} | {Cell(key.Member)} | {Cell(key.Value)} |".Replace("|  |", "| |", StringComparison.Ordinal));
        }
        return table.ToString().ReplaceLineEndings("\n");
    }

    static string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var key in RedisLayout.Keys) text.Append(key.Name).Append(' ').Append(key.Type).Append('\n');
        // The cursor's form, not the version it carries: what layout N stores must print the same before and after N is raised.
        var cursor = LiveCursor.Format(812_345, 77);
        var layout = ":" + RedisLayout.Version.ToString(CultureInfo.InvariantCulture);
        text.Append(cursor.EndsWith(layout, StringComparison.Ordinal) ? cursor[..^layout.Length] + ":{layout}" : cursor).Append('\n');
        foreach (var part in Sample())
            text.Append(part.Queue).Append(' ').Append(part.Entity).Append(' ').Append(part.ExpiresAt).Append(' ').Append(LivePlanner.Stored(part)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    // Rows that touch every key parts write: waiting, answered (within the service level and not, by an agent, handled),
    // abandoned (short and not), transferred, completed with each resolution, an offer missed, visits open, met,
    // cancelled, an agent that wrapped up and one on a break with its reason.
    static IEnumerable<LivePart> Sample()
    {
        var rules = new LiveRules(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg"),
            TimeSpan.FromHours(26), TimeSpan.FromDays(8));
        var t = Now.AddMinutes(-20);
        CallRow[] calls =
        [
            new("c1", 11, "r1", "ru", "vip", "a", null, null, ["a"], [new Leg("a", Now.AddMinutes(-2))])
            {
                Misses = [new MissedOffer("ag-2", Now.AddMinutes(-1), "a")],
            },
            new("c2", 12, null, null, null, "b", t.AddMinutes(5), Resolution.Resolved, ["a", "b"],
                [new Leg("a", t, t.AddSeconds(20), LegOutcome.Transferred), new Leg("b", t.AddSeconds(20), t.AddSeconds(40), LegOutcome.Answered, "ag-1")]),
            new("c3", 13, null, null, null, "a", null, null, ["a"], [new Leg("a", t, t.AddSeconds(3), LegOutcome.Abandoned)]),
            new("c4", 14, null, null, null, "a", null, null, ["a"], [new Leg("a", t, t.AddSeconds(90), LegOutcome.Abandoned)]),
            new("c5", 15, null, null, null, "a", t.AddMinutes(3), null, ["a"], [new Leg("a", t, t.AddSeconds(10), LegOutcome.Answered, "ag-2")]),
            new("c6", 16, null, null, null, null, t, Resolution.FieldVisit, ["~"], []),
            new("c7", 17, null, null, null, "a", Now.AddHours(-5), Resolution.Resolved, ["a"],
                [new Leg("a", Now.AddHours(-5).AddMinutes(-3), Now.AddHours(-5).AddMinutes(-2), LegOutcome.Answered, "ag-1")]),
        ];
        VisitRow[] visits =
        [
            new("v1", 21, "b", ["a", "b"], Now.AddHours(-30), null, null),
            new("v2", 22, "a", ["a"], Now.AddHours(-20), Now.AddHours(-10), null),
            new("v3", 23, null, [], Now.AddHours(-50), null, Now.AddHours(-49)),
        ];
        AgentRow[] agents =
        [
            new("ag-1", 31, AgentStatus.Available, Now.AddMinutes(-4), ["a", "b"], ["a", "b", "c"],
                [new AgentMark(Now.AddMinutes(-6), "w1", AgentStatus.WrapUp), new AgentMark(Now.AddMinutes(-4), "a1", AgentStatus.Available)]),
            new("ag-2", 32, AgentStatus.Break, Now.AddMinutes(-3), ["a"], ["a"], [new AgentMark(Now.AddMinutes(-3), "b1", AgentStatus.Break)], "lunch"),
        ];
        return calls.SelectMany(c => LiveParts.OfCall(c, rules, Now))
            .Concat(visits.SelectMany(v => LiveParts.OfVisit(v, rules, Now)))
            .Concat(agents.SelectMany(a => LiveParts.OfAgent(a, Now)));
    }
}
