using System.Text.RegularExpressions;
using ArchUnitNET.Loader;

namespace Queue.Tests.Ops;

/// <summary>
/// docs/architecture.md: the service's folders depend on each other in one direction only, and the document's table
/// of dependencies is the one the compiled code has (read from its IL: signatures and method bodies alike).
/// </summary>
public sealed partial class ArchitectureTests
{
    static readonly Lazy<IReadOnlyDictionary<string, SortedSet<string>>> Actual = new(ReadGraph);

    [Fact]
    public void No_two_folders_depend_on_each_other_directly_or_through_others()
    {
        var cycles = Cycles(Actual.Value);
        Assert.True(cycles.Count == 0, "folders that depend on each other (each list is a cycle):\n"
            + string.Join("\n", cycles.Select(c => string.Join(" → ", c))));
    }

    [Fact]
    public void The_dependency_table_in_docs_architecture_is_the_code_s()
    {
        var documented = DocumentedGraph();
        var actual = Actual.Value;
        var problems = new List<string>();
        foreach (var folder in actual.Keys.Union(documented.Keys).Order(StringComparer.Ordinal))
        {
            var has = actual.GetValueOrDefault(folder) ?? [];
            var says = documented.GetValueOrDefault(folder) ?? [];
            if (!actual.ContainsKey(folder)) problems.Add($"{folder}: in the table, but no such folder in src/Queue");
            else if (!documented.ContainsKey(folder)) problems.Add($"{folder}: a folder missing from the table (it uses {Join(has)})");
            else if (!has.SetEquals(says)) problems.Add($"{folder}: the table says {Join(says)}; the code uses {Join(has)}");
        }
        Assert.True(problems.Count == 0, "docs/architecture.md, \"Dependencies\", is out of date:\n" + string.Join("\n", problems));
    }

    static string Join(IEnumerable<string> folders) => folders.Any() ? string.Join(", ", folders) : "(nothing)";

    /// <summary>Folder → the folders its types use. A folder is the namespace under <c>Queue</c> (one per folder).</summary>
    static IReadOnlyDictionary<string, SortedSet<string>> ReadGraph()
    {
        var assembly = typeof(Program).Assembly;
        var architecture = new ArchLoader().LoadAssemblies(assembly).Build();
        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var type in architecture.Types)
        {
            if (FolderOf(type.Namespace?.FullName) is not { } from) continue;
            var uses = graph.TryGetValue(from, out var set) ? set : graph[from] = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var dependency in type.Dependencies)
                if (FolderOf(dependency.Target?.Namespace?.FullName) is { } to && to != from) uses.Add(to);
        }
        return graph;
    }

    static string? FolderOf(string? ns) =>
        ns is not null && ns.StartsWith("Queue.", StringComparison.Ordinal) ? ns["Queue.".Length..].Split('.')[0] : null;

    /// <summary>The rows <c>| Folder | uses |</c> of the section "Dependencies" of docs/architecture.md.</summary>
    static IReadOnlyDictionary<string, SortedSet<string>> DocumentedGraph()
    {
        var text = OpsFiles.Read("docs", "architecture.md");
        var section = text[text.IndexOf("## Dependencies", StringComparison.Ordinal)..];
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (Match row in TableRow().Matches(section))
            graph[row.Groups["folder"].Value] = new SortedSet<string>(
                Folder().Matches(row.Groups["uses"].Value).Select(m => m.Groups[1].Value), StringComparer.Ordinal);
        return graph;
    }

    /// <summary>Every cycle's folders, found by a depth-first walk; empty when the graph has none.</summary>
    static List<List<string>> Cycles(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        var cycles = new List<List<string>>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1: on the path, 2: done
        var path = new List<string>();
        void Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1) cycles.Add([.. path[path.IndexOf(next)..], next]);
                else if (state.GetValueOrDefault(next) == 0) Visit(next);
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
        }
        foreach (var node in graph.Keys) if (state.GetValueOrDefault(node) == 0) Visit(node);
        return cycles;
    }

    [GeneratedRegex(@"^\|\s*`(?<folder>[A-Za-z]+)/`\s*\|(?<uses>[^|\n]*)\|", RegexOptions.Multiline)]
    private static partial Regex TableRow();

    [GeneratedRegex(@"`([A-Za-z]+)/`")]
    private static partial Regex Folder();
}
