namespace Queue.Tests.Ops;

/// <summary>
/// What ops/setup installs for each script that sources it: running Queue (ops/run, ops/bench) needs the databases,
/// Node and fonts; only ops/test brings the browsers, promtool and docker-compose.
/// </summary>
public sealed class SetupScriptTests
{
    static readonly string[] Running =
        ["postgresql", "redis-server", "redis-tools", "fonts-dejavu-core", "ca-certificates", "curl", "nodejs", "npm"];

    static readonly string[] TestTools = ["chromium", "firefox-esr", "prometheus", "docker-compose"];

    [Theory]
    [InlineData("ops/run")]
    [InlineData("ops/run --demo")]
    [InlineData("ops/bench ingest")]
    public void Running_Queue_installs_what_running_needs_and_no_test_tool(string command) =>
        Assert.Equal(Running.Order(), Packages(command).Order());

    [Fact]
    public void The_tests_install_their_browsers_promtool_and_docker_compose_besides() =>
        Assert.Equal(Running.Concat(TestTools).Order(), Packages("ops/test").Order());

    // The scripts as they are, copied alone into a scratch directory: should the listing ever stop short of the set-up,
    // they fail there (no web pages, no solution) instead of building or testing anything.
    static string[] Packages(string command)
    {
        using var scratch = OpsFiles.NewScratch();
        foreach (var script in new[] { "setup", "run", "test", "bench" })
            scratch.Write(Path.Combine("ops", script), OpsFiles.Read("ops", script));

        var (exit, output) = OpsFiles.Run("env", scratch.Path,
            ["-u", "QUEUE_SETUP_TEST_TOOLS", "QUEUE_SETUP_LIST_PACKAGES=1", "bash", .. command.Split(' ')]);

        Assert.True(exit == 0, output);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
