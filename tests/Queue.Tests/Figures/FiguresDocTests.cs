using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Queue.Figures;
using Queue.Live;
using Queue.Reports;
using Queue.Staffing;
using Queue.Tests.Ops;

namespace Queue.Tests.Figures;

/// <summary>
/// docs/figures.md's table is the figures the answers carry: every figure of every answer has its row, every row is a
/// figure some answer carries, and "where" names exactly the answers that carry it.
/// </summary>
public sealed partial class FiguresDocTests
{
    /// <summary>Each answer, by the name the table's "where" gives it, and the record whose properties it carries.</summary>
    static readonly (string Place, Type Record)[] Places =
    [
        ("/api/metrics", typeof(WindowFigures)),
        ("live window", typeof(LiveWindow)),
        ("live visits", typeof(LiveVisits)),
        ("snapshot", typeof(QueueSnapshot)),
        ("live staffing", typeof(LiveStaffing)),
        ("trend", typeof(TrendBucket)),
        ("weekly report", typeof(ReportFigures)),
    ];

    /// <summary>Properties of those records that are not figures: a window's bounds and filters, states, parts, versions.</summary>
    static readonly HashSet<string> NotFigures =
    [
        "from", "to", "queue", "region", "language", "segment", "states", "seq", "asOf", "oldestWaitingSince", "windows",
        "visits", "targets", "staffing", "model", "state", "inputs",
    ];

    [Fact]
    public void Every_figure_has_its_row_every_row_is_a_figure_and_each_says_where_it_shows()
    {
        var carried = Places
            .SelectMany(p => p.Record.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(property => (Figure: JsonNamingPolicy.CamelCase.ConvertName(property.Name), p.Place)))
            .Where(x => !NotFigures.Contains(x.Figure))
            .GroupBy(x => x.Figure)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Place).ToHashSet());
        var documented = Rows();
        var problems = new List<string>();
        foreach (var (figure, places) in carried)
        {
            if (!documented.TryGetValue(figure, out var says)) problems.Add($"{figure}: no row (it shows in {string.Join(", ", places)})");
            else if (!says.SetEquals(places)) problems.Add($"{figure}: the row says {string.Join(", ", says)}; it shows in {string.Join(", ", places)}");
        }
        foreach (var figure in documented.Keys.Except(carried.Keys)) problems.Add($"{figure}: a row, but no answer carries it");
        Assert.True(problems.Count == 0, "docs/figures.md is out of date:\n" + string.Join("\n", problems));
        Assert.True(documented.Count >= 20, $"{documented.Count} rows read: the table's format changed?");
    }

    [Fact]
    public void The_API_guide_lists_the_figures_of_api_metrics_and_the_report_CSV_has_a_column_for_each_of_the_report_s()
    {
        static IEnumerable<string> FiguresOf(Type record) => record.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Where(f => !NotFigures.Contains(f));

        var guide = ApiGuideList().Match(OpsFiles.Read("docs", "api.md"));
        Assert.True(guide.Success, "docs/api.md has no list of figures under \"Figures (`/api/metrics`)\"");
        var listed = guide.Groups["list"].Value.Split(',').Select(f => f.Trim());
        Assert.Equal(FiguresOf(typeof(WindowFigures)), listed);

        var columns = FiguresOf(typeof(ReportFigures)).Select(f => JsonNamingPolicy.SnakeCaseLower.ConvertName(f).Replace("_24", "24").Replace("_48", "48"));
        Assert.Empty(columns.Except(ReportCsv.Header));
    }

    [GeneratedRegex(@"## Figures \(`/api/metrics`\)\s+`(?<list>[^`]+)`")]
    private static partial Regex ApiGuideList();

    static Dictionary<string, HashSet<string>> Rows() =>
        Row().Matches(OpsFiles.Read("docs", "figures.md")).ToDictionary(
            m => m.Groups["figure"].Value,
            m => m.Groups["where"].Value.Split(',').Select(w => w.Trim().Trim('`')).ToHashSet());

    [GeneratedRegex(@"^\| `(?<figure>[a-zA-Z0-9]+)` \|[^|\n]+\|[^|\n]+\|(?<where>[^|\n]+)\|$", RegexOptions.Multiline)]
    private static partial Regex Row();
}
