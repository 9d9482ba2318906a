using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Queue.Tests.Infrastructure;
using Queue.Tests.Ingest.Scenarios;

namespace Queue.Tests.Agents;

/// <summary>
/// The agents report against a plain reference: random status events (with reasons and queues) and calls answered,
/// missed, completed, abandoned or still waiting, posted in random order with duplicates; every window and queue filter's
/// answer must equal what the reference counts second by second from the events as they happened.
/// </summary>
public sealed class AgentReportPropertyTests(QueueApp app) : IClassFixture<QueueApp>
{
    const int Cases = 25;
    static readonly string[] Agents = ["pa-1", "pa-2", "pa-3"];
    static readonly string[] Queues = ["pq-1", "pq-2", "pq-3"];
    static readonly string[] Statuses = ["available", "busy", "wrap_up", "break", "offline"];
    const int Span = 4 * 3600; // the events' seconds after the start

    sealed record Mark(string Agent, int At, string Status, string? Reason, string[]? Queues);

    sealed record Miss(string Agent, int After);

    sealed record Call(string Queue, int At, Miss[] Misses, int Outcome, string Agent, int Wait, int? Talk);

    sealed record Case(Mark[] Marks, Call[] Calls, (int From, int To)[] Windows, int Seed)
    {
        public string Describe() => $"{Marks.Length} status events, {Calls.Length} calls, windows {string.Join(" ", Windows)}";
    }

    static readonly Gen<Mark> MarkGen =
        from agent in Gen.OneOf(Agents)
        from at in Gen.Frequency((4, Gen.Int[0, Span]), (1, Gen.OneOf(0, 600, 1200, 3600)))
        from status in Gen.OneOf(Statuses)
        from reason in Gen.OneOf("lunch", "training").Null(0.4)
        from queues in Gen.Frequency((2, Gen.Const((string[]?)null)), (1, Gen.OneOf(Queues).Array[1, 2].Select(q => (string[]?)[.. q.Distinct()])))
        select new Mark(agent, at, status, status == "break" ? reason : null, queues);

    static readonly Gen<Call> CallGen =
        from queue in Gen.OneOf(Queues)
        from at in Gen.Int[0, Span]
        from misses in Gen.Select(Gen.OneOf(Agents), Gen.Int[1, 50], (a, s) => new Miss(a, s)).Array[0, 3]
        from outcome in Gen.Int[0, 3] // 0, 1 answered; 2 abandoned; 3 waiting
        from agent in Gen.OneOf(Agents)
        from wait in Gen.Int[51, 120]
        from talk in Gen.Frequency((1, Gen.Const((int?)null)), (3, Gen.Int[0, 900].Select(t => (int?)t)))
        select new Call(queue, at, misses, outcome, agent, wait, talk);

    static readonly Gen<(int, int)> WindowGen =
        Gen.Select(Gen.Int[-600, Span + 600], Gen.Int[1, Span], (from, length) => (from, Math.Min(from + length, Span + 1500)));

    static readonly Gen<Case> CaseGen =
        Gen.Select(MarkGen.Array[0, 14], CallGen.Array[0, 10], WindowGen.Array[2, 3], Gen.Int, (m, c, w, s) => new Case(m, c, w, s));

    [Fact]
    public async Task The_report_equals_a_second_by_second_reference_whatever_the_order_and_duplicates() =>
        await CaseGen.SampleAsync(CheckAsync, iter: Cases, threads: 1, print: c => c.Describe());

    // The events start well before now, and a window may run past it: what has not happened yet counts nothing.
    DateTimeOffset Start => app.Time.GetUtcNow().AddSeconds(-Span - 1200);

    async Task CheckAsync(Case c)
    {
        await DerivedRows.TruncateAsync(app.Db);
        var start = Start;
        var now = app.Time.GetUtcNow();
        var events = Events(c, start);
        var random = new Random(c.Seed);
        var sent = events.Concat(events.Where(_ => random.Next(4) == 0)).OrderBy(_ => random.Next()).ToList();
        using var http = app.Client();
        for (var i = 0; i < sent.Count; i += 17) await http.PostEventsRetryingAsync([.. sent.Skip(i).Take(17)]);

        var problems = new List<string>();
        foreach (var (from, to) in c.Windows)
            foreach (var filter in new string[]?[] { null, ["pq-1"], ["pq-1", "pq-2"] })
            {
                var query = $"from={Uri.EscapeDataString(Ev.At(start.AddSeconds(from)))}&to={Uri.EscapeDataString(Ev.At(start.AddSeconds(to)))}"
                    + string.Concat((filter ?? []).Select(q => "&queue=" + q));
                var answer = await http.GetFromJsonAsync<JsonElement>("/api/agents/report?" + query);
                var expected = Reference(c, from, to, (int)(now - start).TotalSeconds, filter);
                var actual = answer.GetProperty("agents").EnumerateArray().ToDictionary(a => a.GetProperty("agentId").GetString()!, Row);
                var where = $"[{from}, {to}) {string.Join('+', filter ?? ["all"])}";
                if (!expected.Keys.Order().SequenceEqual(actual.Keys.Order()))
                    problems.Add($"{where}: agents {string.Join(",", actual.Keys)}, expected {string.Join(",", expected.Keys)}");
                foreach (var (agent, row) in expected)
                    if (actual.TryGetValue(agent, out var got) && got != row) problems.Add($"{where} {agent}:\n  got      {got}\n  expected {row}");
            }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    static List<JsonNode> Events(Case c, DateTimeOffset start)
    {
        var events = new List<JsonNode>();
        for (var i = 0; i < c.Marks.Length; i++)
        {
            var m = c.Marks[i];
            var e = Ev.AgentStatus($"ps-{i}", start.AddSeconds(m.At), m.Agent, m.Status, m.Queues ?? []);
            events.Add(m.Reason is null ? e : e.Because(m.Reason));
        }
        for (var i = 0; i < c.Calls.Length; i++)
        {
            var call = c.Calls[i];
            var id = $"pc-{i}";
            events.Add(Ev.Queued($"pc-{i}-q", start.AddSeconds(call.At), id, call.Queue));
            for (var k = 0; k < call.Misses.Length; k++)
                events.Add(Ev.Missed($"pc-{i}-m{k}", start.AddSeconds(call.At + call.Misses[k].After), id, call.Misses[k].Agent));
            var end = start.AddSeconds(call.At + call.Wait);
            if (call.Outcome <= 1)
            {
                events.Add(Ev.Answered($"pc-{i}-a", end, id, call.Agent));
                if (call.Talk is { } talk) events.Add(Ev.Completed($"pc-{i}-d", end.AddSeconds(talk), id, "resolved"));
            }
            else if (call.Outcome == 2) events.Add(Ev.Abandoned($"pc-{i}-x", end, id));
        }
        return events;
    }

    /// <summary>A row as text: each figure rounded to the microsecond, so a row compares whole and prints readably.</summary>
    static string Row(JsonElement a)
    {
        static string N(JsonElement e) => e.ValueKind == JsonValueKind.Null ? "null" : Math.Round(e.GetDouble(), 6).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var breaks = string.Join(",", a.GetProperty("breaks").EnumerateArray().Select(b => $"{b.GetProperty("reason").GetString() ?? "-"}={N(b.GetProperty("seconds"))}"));
        return string.Join(" ",
            "queues=" + string.Join(",", a.GetProperty("queues").EnumerateArray().Select(q => q.GetString())),
            "in=" + N(a.GetProperty("loggedInSeconds")), "av=" + N(a.GetProperty("availableSeconds")), "busy=" + N(a.GetProperty("busySeconds")),
            "wrap=" + N(a.GetProperty("wrapUpSeconds")), "break=" + N(a.GetProperty("breakSeconds")), "[" + breaks + "]",
            "ans=" + a.GetProperty("answered").GetInt32(), "miss=" + a.GetProperty("missed").GetInt32(), "talked=" + a.GetProperty("talked").GetInt32(),
            "talk=" + N(a.GetProperty("averageTalkSeconds")), "wraps=" + a.GetProperty("wrapUps").GetInt32(), "wrapup=" + N(a.GetProperty("averageWrapUpSeconds")),
            "handle=" + N(a.GetProperty("averageHandleSeconds")), "occ=" + N(a.GetProperty("occupancy")));
    }

    /// <summary>
    /// The report as the definitions say it, counted plainly: each second of the window (up to now) in the status of the
    /// agent's latest event by then; the calls by their own events.
    /// </summary>
    static Dictionary<string, string> Reference(Case c, int from, int to, int now, string[]? filter)
    {
        bool Counts(string queue) => filter is null || filter.Contains(queue);
        var rows = new Dictionary<string, string>();
        foreach (var agent in Agents)
        {
            // Sorted as SPEC §2 sorts an agent's events: by time, then by id (ps-10 before ps-2: ordinal).
            var marks = c.Marks.Select((m, i) => (Mark: m, Id: $"ps-{i}")).Where(m => m.Mark.Agent == agent)
                .OrderBy(m => m.Mark.At).ThenBy(m => m.Id, StringComparer.Ordinal).Select(m => m.Mark).ToList();
            var seconds = new Dictionary<(string, string?), int>();
            for (var s = from; s < Math.Min(to, now); s++)
            {
                var current = marks.LastOrDefault(m => m.At <= s);
                if (current is null || current.Status == "offline") continue;
                var key = (current.Status, current.Reason);
                seconds[key] = seconds.GetValueOrDefault(key) + 1;
            }
            int Of(string status) => seconds.Where(p => p.Key.Item1 == status).Sum(p => p.Value);
            var (wraps, wrapTime) = (0, 0);
            for (var i = 0; i + 1 < marks.Count; i++)
                if (marks[i].Status == "wrap_up" && marks[i + 1].At >= from && marks[i + 1].At < to) { wraps++; wrapTime += marks[i + 1].At - marks[i].At; }
            var queues = new SortedSet<string>(StringComparer.Ordinal);
            if (marks.LastOrDefault(m => m.At < from && m.Queues is not null) is { Queues: { } carried }) queues.UnionWith(carried);
            foreach (var m in marks.Where(m => m.At >= from && m.At < to && m.Queues is not null)) queues.UnionWith(m.Queues!);

            var answered = c.Calls.Count(k => k.Outcome <= 1 && k.Agent == agent && Counts(k.Queue) && In(k.At + k.Wait, from, to));
            var missed = c.Calls.Sum(k => Counts(k.Queue) ? k.Misses.Count(m => m.Agent == agent && In(k.At + m.After, from, to)) : 0);
            var talks = c.Calls.Where(k => k.Outcome <= 1 && k.Agent == agent && k.Talk is not null && Counts(k.Queue) && In(k.At + k.Wait + k.Talk!.Value, from, to))
                .Select(k => k.Talk!.Value).ToList();

            var loggedIn = seconds.Values.Sum();
            var active = loggedIn > 0 || answered > 0 || missed > 0 || talks.Count > 0 || marks.Any(m => In(m.At, from, to));
            var member = filter is null || queues.Overlaps(filter) || answered > 0 || missed > 0 || talks.Count > 0;
            if (!active || !member) continue;

            double? talk = talks.Count == 0 ? null : (double)talks.Sum() / talks.Count;
            double? wrapUp = wraps == 0 ? null : (double)wrapTime / wraps;
            var (available, busy, wrap) = (Of("available"), Of("busy"), Of("wrap_up"));
            double? occupancy = available + busy + wrap == 0 ? null : (double)(busy + wrap) / (available + busy + wrap);
            var breaks = seconds.Where(p => p.Key.Item1 == "break").OrderBy(p => p.Key.Item2 is null).ThenBy(p => p.Key.Item2, StringComparer.Ordinal)
                .Select(p => $"{p.Key.Item2 ?? "-"}={p.Value}");
            static string N(double? v) => v is { } d ? Math.Round(d, 6).ToString(System.Globalization.CultureInfo.InvariantCulture) : "null";
            rows[agent] = string.Join(" ",
                "queues=" + string.Join(",", queues),
                "in=" + loggedIn, "av=" + available, "busy=" + busy, "wrap=" + wrap, "break=" + Of("break"), "[" + string.Join(",", breaks) + "]",
                "ans=" + answered, "miss=" + missed, "talked=" + talks.Count, "talk=" + N(talk), "wraps=" + wraps, "wrapup=" + N(wrapUp),
                "handle=" + N(talk is null ? null : talk + (wrapUp ?? 0)), "occ=" + N(occupancy));
        }
        return rows;
    }

    static bool In(int at, int from, int to) => at >= from && at < to;
}
