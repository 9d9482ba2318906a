using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Queue.Alerts;
using Queue.Tests.Ops;

namespace Queue.Tests.Alerts;

/// <summary>
/// What names the alert kinds outside the registry (Alerts/AlertKinds.cs) names exactly its kinds: the docs, the
/// Grafana dashboard, the spec's table, and what the pages' sources still write of them (the rest they fetch).
/// </summary>
public sealed partial class AlertKindCopiesTests
{
    static readonly string[] Kinds = [.. AlertKinds.Names.Order(StringComparer.Ordinal)];

    // A word shaped like a kind of the registry's families (queue.…, visit.…, visits.…).
    static readonly Regex KindWord = new(
        $@"(?<![\w.]){Prefixes()}\.[a-z_]+(?![\w.])", RegexOptions.CultureInvariant);

    static string Prefixes() => "(?:" + string.Join('|', AlertKinds.Names.Select(n => Regex.Escape(n[..n.IndexOf('.')])).Distinct()) + ")";

    // In code, a kind is a string: "queue.wait", never a variable's member (queue.trim()).
    static readonly Regex KindString = new($@"(?<=[""'`]){Prefixes()}\.[a-z_]+(?=[""'`])", RegexOptions.CultureInvariant);

    static string[] KindsIn(string text, Regex? shape = null) =>
        [.. (shape ?? KindWord).Matches(text).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal)];

    [Fact]
    public void The_telemetry_doc_lists_every_kind_of_the_alert_series()
    {
        var line = Assert.Single(OpsFiles.Read("docs", "telemetry.md").Split('\n'), l => l.StartsWith("`kind` is one of", StringComparison.Ordinal));
        NamesAll("docs/telemetry.md", KindsIn(line));
    }

    [Fact]
    public void The_API_guide_names_every_kind()
    {
        var api = OpsFiles.Read("docs", "api.md");
        var start = api.IndexOf("Kinds (SPEC §4):", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/api.md has no 'Kinds (SPEC §4):' paragraph");
        var end = api.IndexOf("\n\n", start, StringComparison.Ordinal);
        NamesAll("docs/api.md", KindsIn(api[start..end]));
    }

    [Fact]
    public void The_spec_defines_every_kind_with_its_severity()
    {
        var spec = OpsFiles.Read("docs", "spec.md");
        var section = Regex.Match(spec, @"\n## 4\. [^\n]*\n(?<body>.*?)\n## ", RegexOptions.Singleline).Groups["body"].Value;
        var rows = Regex.Matches(section, @"^\| `(?<kind>[^`]+)` \|.*\| (?<severity>\w+) \|$", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups["kind"].Value, m => m.Groups["severity"].Value);
        // The spec may define a kind before the service raises it; not the other way round.
        foreach (var k in AlertKinds.All)
        {
            Assert.True(rows.TryGetValue(k.Name, out var severity), $"SPEC §4 does not define {k.Name}");
            Assert.True(severity == k.Severity, $"SPEC §4 says {k.Name} is a {severity}, the registry a {k.Severity}");
        }
    }

    [Fact]
    public void A_Grafana_panel_that_names_kinds_names_them_all()
    {
        var panels = JsonNode.Parse(OpsFiles.Read("ops", "grafana", "queue.json"))!["panels"]!.AsArray();
        var naming = panels.Select(p => (Title: p!["title"]!.GetValue<string>(), Kinds: KindsIn(p["description"]?.GetValue<string>() ?? "")))
            .Where(p => p.Kinds.Length > 0).ToList();
        Assert.NotEmpty(naming);
        foreach (var (title, kinds) in naming) NamesAll($"the Grafana panel '{title}'", kinds);
    }

    // ---- the pages: they fetch GET /api/alerts/kinds; what their sources still say of kinds is held here ----

    static string Web(params string[] parts) => OpsFiles.Read(["src", "Queue", "Web", .. parts]);

    static IEnumerable<(string File, string Text)> WebSources()
    {
        var web = OpsFiles.PathOf("src", "Queue", "Web");
        return Directory.EnumerateFiles(Path.Combine(web, "src"), "*.ts").Concat(Directory.EnumerateFiles(web, "*.html"))
            .Select(f => (Path.GetRelativePath(web, f), File.ReadAllText(f)));
    }

    [Fact]
    public void The_TypeScript_kind_type_is_a_string_or_exactly_the_kinds()
    {
        var type = Regex.Match(Web("src", "live.ts"), @"export type AlertKind = (?<type>[^;]+);").Groups["type"].Value.Trim();
        if (type != "string") NamesAll("live.ts's AlertKind", Union(type));
    }

    [Fact]
    public void The_kind_as_the_pages_read_it_has_every_member_the_API_serves_with_their_values()
    {
        var body = Regex.Match(Web("src", "alert-kinds.ts"), @"export interface AlertKindInfo \{(?<body>[^}]*)\}").Groups["body"].Value;
        var members = Regex.Matches(body, @"^\s*(?<name>\w+): (?<type>[^;]+);", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["type"].Value);
        var served = JsonSerializer.SerializeToElement(AlertKinds.All[0], JsonSerializerOptions.Web).EnumerateObject().Select(p => p.Name).Order();

        Assert.Equal(served, members.Keys.Order());
        Assert.Equal(AlertSeverity.All.Order(), Union(members["severity"]));
        Assert.Equal(AlertSubjects.All.Order(), Union(members["subject"]));
        Assert.Equal(AlertUnits.All.Order(), Union(members["unit"]));
    }

    [Fact]
    public void The_console_s_kind_filter_is_built_from_the_kinds_served()
    {
        var select = Regex.Match(Web("console.html"), @"<select id=""f-kind""[^>]*>(?<options>.*?)</select>", RegexOptions.Singleline);
        Assert.True(select.Success, "console.html has no kind filter");
        var values = Regex.Matches(select.Groups["options"].Value, @"<option value=""(?<v>[^""]*)""").Select(m => m.Groups["v"].Value).ToArray();
        Assert.Equal([""], values);
    }

    [Fact]
    public void The_pages_sources_name_only_kinds_there_are_and_copy_no_label()
    {
        foreach (var (file, text) in WebSources())
        {
            foreach (var kind in KindsIn(text, KindString)) Assert.True(AlertKinds.ByName.ContainsKey(kind), $"{file} names {kind}, which is no alert kind");
            foreach (var k in AlertKinds.All) Assert.False(text.Contains(k.Label, StringComparison.Ordinal), $"{file} copies the label of {k.Name}");
        }
    }

    static void NamesAll(string where, string[] named)
    {
        var missing = Kinds.Except(named).ToList();
        var unknown = named.Except(Kinds).ToList();
        Assert.True(missing.Count == 0 && unknown.Count == 0,
            $"{where} differs from the registry (Alerts/AlertKinds.cs): missing {string.Join(", ", missing)}; no such kind: {string.Join(", ", unknown)}");
    }

    static string[] Union(string type) => [.. type.Split('|').Select(t => t.Trim().Trim('"')).Order(StringComparer.Ordinal)];
}
