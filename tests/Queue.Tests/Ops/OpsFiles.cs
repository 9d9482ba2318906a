using System.Diagnostics;
using System.Text;

namespace Queue.Tests.Ops;

/// <summary>The repository's deployment and operations files, and the real tools that check them.</summary>
internal static class OpsFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    /// <summary>A scratch directory of the test's own, deleted when disposed.</summary>
    public static Scratch NewScratch() => new(Directory.CreateTempSubdirectory("queue-ops-").FullName);

    /// <summary>Runs a tool to its end (at most two minutes) and gives its exit code and everything it printed.</summary>
    public static (int Exit, string Output) Run(string tool, string workingDirectory, params string[] args)
    {
        var path = Which(tool) ?? throw new InvalidOperationException(
            $"{tool} is not installed: ops/test installs it (Debian packages prometheus and docker-compose)");
        var start = new ProcessStartInfo(path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish within 2 minutes");
        }
        output.Append(stdout.Result).Append(stderr.Result);
        return (process.ExitCode, output.ToString());
    }

    static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Queue.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository root (Queue.sln) is not above the test binaries");
    }

    internal sealed class Scratch(string path) : IDisposable
    {
        public string Path { get; } = path;

        public string Write(string name, string content)
        {
            var file = System.IO.Path.Combine(Path, name);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
            File.WriteAllText(file, content);
            return file;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
