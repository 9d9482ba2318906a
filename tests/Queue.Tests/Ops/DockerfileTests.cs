using System.Globalization;
using System.Text.RegularExpressions;

namespace Queue.Tests.Ops;

/// <summary>
/// deploy/Dockerfile (no Docker engine here to build it): its stages build the web pages and the service, and the
/// image it ends with runs as a non-root user, checks its health, exposes the port the service listens on, and holds
/// no secret.
/// </summary>
public sealed partial class DockerfileTests
{
    sealed record Stage(string Image, string Name, List<(string Instruction, string Arguments)> Lines);

    static List<Stage> Stages()
    {
        var text = Continuations().Replace(OpsFiles.Read("deploy", "Dockerfile"), " ");
        var stages = new List<Stage>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(' ', 2);
            var (instruction, arguments) = (parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : "");
            if (instruction == "FROM")
            {
                var from = FromLine().Match(arguments);
                Assert.True(from.Success, $"FROM {arguments}: every stage is named");
                stages.Add(new(from.Groups[1].Value, from.Groups[2].Value, []));
            }
            else
            {
                Assert.True(stages.Count > 0, $"{instruction} before the first FROM");
                stages[^1].Lines.Add((instruction, arguments));
            }
        }
        return stages;
    }

    static IEnumerable<string> Args(Stage stage, string instruction) =>
        stage.Lines.Where(l => l.Instruction == instruction).Select(l => l.Arguments);

    /// <summary>The port the image exposes, which the compose file, the Kubernetes manifests and <c>Urls</c> must agree with.</summary>
    internal static int ExposedPort() => int.Parse(Assert.Single(Args(Stages()[^1], "EXPOSE")), CultureInfo.InvariantCulture);

    [Fact]
    public void Pages_and_service_are_built_in_stages_of_their_own_and_only_the_output_reaches_the_runtime_image()
    {
        var stages = Stages();
        var (web, build, runtime) = (stages[0], stages[1], stages[^1]);

        Assert.Equal(3, stages.Count);
        Assert.StartsWith("node:", web.Image, StringComparison.Ordinal);
        Assert.Contains(Args(web, "RUN"), r => r.StartsWith("npm ci", StringComparison.Ordinal));
        Assert.Contains("npm run build", Args(web, "RUN"));
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", build.Image);
        Assert.Contains(Args(build, "COPY"), c => c.StartsWith($"--from={web.Name} /src/web/dist/ src/Queue/Web/dist/", StringComparison.Ordinal));
        Assert.Contains(Args(build, "RUN"), r => r.Contains("dotnet publish src/Queue/Queue.csproj -c Release", StringComparison.Ordinal));
        // The connector ships beside the service, in /app/connect of the same image.
        Assert.Contains(Args(build, "RUN"), r => r.Contains("dotnet publish src/Queue.Connect/Queue.Connect.csproj -c Release --no-restore -nologo -o /app/connect", StringComparison.Ordinal));
        Assert.Contains(Args(build, "COPY"), c => c == "src/Queue.Connect/ src/Queue.Connect/");
        // The build fails, rather than ship an image whose /wallboard says the pages are not built.
        Assert.Contains(Args(build, "RUN"), r => r.Contains("test -f src/Queue/Web/dist/wallboard.html", StringComparison.Ordinal));
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", runtime.Image);
        Assert.Equal([$"--from={build.Name} /app ./"], Args(runtime, "COPY"));
        Assert.Equal("[\"dotnet\", \"Queue.dll\"]", Assert.Single(Args(runtime, "ENTRYPOINT")));
        Assert.Contains(Args(runtime, "RUN"), r => r.Contains("fonts-dejavu-core", StringComparison.Ordinal));
    }

    [Fact]
    public void The_image_runs_as_a_non_root_user()
    {
        var runtime = Stages()[^1];
        var user = Args(runtime, "USER").Last();
        var last = runtime.Lines.FindLastIndex(l => l.Instruction == "USER");

        Assert.DoesNotMatch(@"^(root|0)(:|$)", user);
        // The .NET images' own "app" user, UID 1654, which the Kubernetes manifests run as.
        Assert.Equal("$APP_UID", user);
        Assert.DoesNotContain(runtime.Lines.Skip(last + 1), l => l.Instruction is "RUN" or "COPY" or "ADD");
    }

    [Fact]
    public void The_image_checks_its_health_on_the_port_it_exposes_and_listens_on()
    {
        var runtime = Stages()[^1];
        var port = ExposedPort();
        var check = Assert.Single(Args(runtime, "HEALTHCHECK"));

        Assert.Matches(@"--start-period=\d+s", check);
        Assert.Contains($"CMD curl -fsS -o /dev/null http://127.0.0.1:{port}/health/live", check, StringComparison.Ordinal);
        Assert.Contains(Args(runtime, "RUN"), r => r.Contains("curl", StringComparison.Ordinal));
        Assert.Contains($"Urls=http://+:{port}", Assert.Single(Args(runtime, "ENV")), StringComparison.Ordinal);
        Assert.Contains($"\"${{QUEUE_PORT:-8080}}:{port}\"", OpsFiles.Read("deploy", "compose.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public void No_secret_is_baked_into_the_image_and_local_outputs_stay_out_of_the_build()
    {
        foreach (var stage in Stages())
            foreach (var (instruction, arguments) in stage.Lines.Where(l => l.Instruction is "ENV" or "ARG"))
                Assert.DoesNotMatch(SecretName(), arguments);
        var ignored = OpsFiles.Read(".dockerignore").Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);

        foreach (var entry in new[] { ".git/", ".queue/", "**/bin/", "**/obj/", "**/node_modules/", "src/Queue/Web/dist/", "deploy/.env" })
            Assert.Contains(entry, ignored);
    }

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex Continuations();

    [GeneratedRegex(@"^(\S+)\s+AS\s+(\S+)$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();

    [GeneratedRegex("(?i)password|secret|api_?key|admin_key|connectionstrings")]
    private static partial Regex SecretName();
}
