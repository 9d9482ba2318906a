namespace Queue.Tests.Ops;

/// <summary>
/// A file holds one idea: no C# file under src/ is over 300 lines. A longer one is asking to be split along a seam
/// (a class per concern), not cut at the limit. Tests may be longer where a table of cases is the point.
/// </summary>
public sealed class SourceSizeTests
{
    const int MostLines = 300;
    static readonly HashSet<string> Built = new(["bin", "obj"], StringComparer.Ordinal);

    [Fact]
    public void No_source_file_is_over_300_lines()
    {
        var files = SourceFiles(OpsFiles.PathOf("src")).ToList();
        var tooLong = files
            .Select(file => (File: Path.GetRelativePath(OpsFiles.Root, file).Replace('\\', '/'), Lines: File.ReadAllLines(file).Length))
            .Where(f => f.Lines > MostLines)
            .OrderBy(f => f.File, StringComparer.Ordinal)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToList();

        Assert.True(files.Count > 100, $"only {files.Count} C# files found under {OpsFiles.PathOf("src")}: is the scan looking in the right place?");
        Assert.True(tooLong.Count == 0, $"source files over {MostLines} lines (split each along a seam):\n" + string.Join('\n', tooLong));
    }

    static IEnumerable<string> SourceFiles(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir, "*.cs")) yield return file;
        foreach (var sub in Directory.EnumerateDirectories(dir))
        {
            if (Built.Contains(Path.GetFileName(sub))) continue;
            foreach (var file in SourceFiles(sub)) yield return file;
        }
    }
}
