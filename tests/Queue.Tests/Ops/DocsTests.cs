using System.Text;
using System.Text.RegularExpressions;

namespace Queue.Tests.Ops;

/// <summary>
/// The documents hold together: every section the code, tests and docs cite is a heading of docs/spec.md; every relative
/// link in the README and docs/ reaches a file, and a heading where it names one; every ADR is in the index; and the
/// README stays one a newcomer reads in ten minutes.
/// </summary>
public sealed partial class DocsTests
{
    const int ReadmeMostLines = 250;
    static readonly string[] Cited = ["src", "tests", "docs", "ops", "deploy"];
    static readonly HashSet<string> NotSources = new(["bin", "obj", "node_modules", "dist", "wwwroot", "TestResults"], StringComparer.Ordinal);

    [Fact]
    public void The_spec_has_its_ten_sections_in_order()
    {
        var top = SpecSections().Where(s => !s.Contains('.', StringComparison.Ordinal)).ToList();

        Assert.Equal([.. Enumerable.Range(1, 10).Select(n => n.ToString())], top);
        Assert.Contains("\"SPEC §n\"", string.Join('\n', Lines("docs", "spec.md").Take(5)), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_section_cited_is_a_heading_of_the_spec()
    {
        // Queue cites no other document by "§": a § before a number always names a section of docs/spec.md, alone, in a
        // list or as a range ("SPEC §2, §3", "§2–3", "§4/§7"). Cite an RFC as "RFC 9457, section 3".
        var sections = SpecSections().ToHashSet(StringComparer.Ordinal);
        var wrong = new List<string>();
        var cited = 0;
        foreach (var file in CitingFiles())
        {
            var lines = ReadText(file);
            if (lines is null) continue;
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match m in SectionCited().Matches(lines[i]))
                {
                    foreach (var n in new[] { m.Groups["n"], m.Groups["to"] }.Where(g => g.Success).Select(g => g.Value))
                    {
                        cited++;
                        if (!sections.Contains(n)) wrong.Add($"{Relative(file)}:{i + 1}: §{n} ({m.Value.Trim()})");
                    }
                }
            }
        }

        Assert.True(cited > 100, $"only {cited} sections cited: is the scan looking in the right place ({OpsFiles.Root})?");
        Assert.True(wrong.Count == 0,
            $"cited sections that are not headings of docs/spec.md (it has {string.Join(", ", sections)}):\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void Every_relative_link_in_the_docs_reaches_a_file_and_its_heading()
    {
        var broken = new List<string>();
        foreach (var file in MarkdownFiles())
        {
            var lines = Prose(File.ReadAllLines(file));
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match m in Link().Matches(lines[i]))
                {
                    var problem = Check(file, m.Groups["target"].Value);
                    if (problem is not null) broken.Add($"{Relative(file)}:{i + 1}: {m.Groups["target"].Value}: {problem}");
                }
            }
        }

        Assert.True(broken.Count == 0, "broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void The_ADR_index_lists_every_ADR()
    {
        var index = string.Join('\n', Lines("docs", "adr", "README.md"));
        var adrs = Directory.GetFiles(OpsFiles.PathOf("docs", "adr"), "*.md")
            .Select(Path.GetFileName).Where(n => AdrName().IsMatch(n!)).Order(StringComparer.Ordinal).ToList();

        Assert.NotEmpty(adrs);
        var missing = adrs.Where(n => !index.Contains($"]({n})", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "docs/adr/README.md does not link " + string.Join(", ", missing));
    }

    [Fact]
    public void The_README_is_read_in_ten_minutes()
    {
        var lines = Lines("README.md");

        Assert.True(lines.Length <= ReadmeMostLines,
            $"README.md has {lines.Length} lines, at most {ReadmeMostLines}: move the detail to a guide in docs/ and link it");
    }

    [Fact]
    public void The_README_links_every_guide_in_docs()
    {
        var readme = string.Join('\n', Lines("README.md"));
        var guides = Directory.GetFiles(OpsFiles.PathOf("docs"), "*.md").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        var missing = guides.Where(g => !readme.Contains($"](docs/{g})", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "README.md does not link " + string.Join(", ", missing.Select(g => "docs/" + g)));
    }

    [Fact]
    public void Every_ops_script_the_README_names_exists()
    {
        var readme = string.Join('\n', Lines("README.md"));
        var named = OpsScript().Matches(readme).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

        Assert.Contains("run", named);
        Assert.Contains("test", named);
        var missing = named.Where(n => !Path.Exists(OpsFiles.PathOf("ops", n))).ToList();
        Assert.True(missing.Count == 0, "README.md names ops/ entries that do not exist: " + string.Join(", ", missing));
    }

    // What is wrong with a link from `file` to `target`, or null when it reaches what it names.
    static string? Check(string file, string target)
    {
        if (Scheme().IsMatch(target)) return null; // http:, https:, mailto: — not this repository's to check
        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var path = hash < 0 ? target : target[..hash];
        var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
        var resolved = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(path)));
        if (!resolved.StartsWith(OpsFiles.Root, StringComparison.Ordinal)) return "outside the repository";
        if (!File.Exists(resolved) && !Directory.Exists(resolved)) return "no such file";
        if (anchor is null) return null;
        if (!resolved.EndsWith(".md", StringComparison.Ordinal)) return "an anchor into a file that is not markdown";
        return Anchors(resolved).Contains(anchor) ? null : $"no heading in {Relative(resolved)} makes the anchor #{anchor}";
    }

    /// <summary>The anchors GitHub makes of a markdown file's headings: lower case, punctuation dropped, spaces as
    /// hyphens; a repeated one gets -1, -2, ….</summary>
    static HashSet<string> Anchors(string file)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Prose(File.ReadAllLines(file), keepCode: true))
        {
            var h = Heading().Match(line);
            if (!h.Success) continue;
            var text = Link().Replace(h.Groups["text"].Value, l => l.Groups["label"].Value);
            var slug = new StringBuilder();
            foreach (var ch in text.Trim().ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(ch) || ch is '-' or '_') slug.Append(ch);
                else if (ch == ' ') slug.Append('-');
            }
            var s = slug.ToString();
            var n = seen.GetValueOrDefault(s);
            seen[s] = n + 1;
            anchors.Add(n == 0 ? s : $"{s}-{n}");
        }
        return anchors;
    }

    /// <summary>The lines with fenced code blanked (and, unless kept, inline code), so that examples are not links.</summary>
    static string[] Prose(string[] lines, bool keepCode = false)
    {
        var result = new string[lines.Length];
        var fenced = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) { fenced = !fenced; result[i] = ""; continue; }
            result[i] = fenced ? "" : keepCode ? line : InlineCode().Replace(line, m => new string(' ', m.Length));
        }
        return result;
    }

    static IEnumerable<string> SpecSections() =>
        Prose(Lines("docs", "spec.md"), keepCode: true).Select(l => SpecHeading().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value);

    static IEnumerable<string> CitingFiles() =>
        Cited.SelectMany(dir => Walk(OpsFiles.PathOf(dir))).Append(OpsFiles.PathOf("README.md"));

    static IEnumerable<string> MarkdownFiles() =>
        new[] { "docs", "deploy", "ops" }.SelectMany(dir => Walk(OpsFiles.PathOf(dir)))
            .Where(f => f.EndsWith(".md", StringComparison.Ordinal)).Append(OpsFiles.PathOf("README.md"));

    static IEnumerable<string> Walk(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir)) yield return file;
        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            var name = Path.GetFileName(sub);
            if (NotSources.Contains(name) || name.StartsWith('.')) continue;
            foreach (var file in Walk(sub)) yield return file;
        }
    }

    // A text file's lines; null for a binary one (pictures, test files holding NUL runs).
    static string[]? ReadText(string file)
    {
        var text = File.ReadAllText(file);
        return text.Contains('\0', StringComparison.Ordinal) ? null : text.Split('\n');
    }

    static string[] Lines(params string[] parts) => File.ReadAllLines(OpsFiles.PathOf(parts));

    static string Relative(string file) => Path.GetRelativePath(OpsFiles.Root, file);

    [GeneratedRegex(@"§(?<n>\d+(?:\.\d+)*)(?:\s*[–-]\s*(?<to>\d+(?:\.\d+)*))?")]
    private static partial Regex SectionCited();

    [GeneratedRegex(@"^##+\s+(\d+(?:\.\d+)*)\.?\s")]
    private static partial Regex SpecHeading();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"!?\[(?<label>[^\]]*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"`+[^`]*`+")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^\d{4}-.+\.md$")]
    private static partial Regex AdrName();

    [GeneratedRegex(@"\bops/([a-z][a-z0-9-]*)")]
    private static partial Regex OpsScript();
}
