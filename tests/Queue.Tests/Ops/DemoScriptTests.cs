namespace Queue.Tests.Ops;

/// <summary>How ops/run and ops/demo take the demo's <c>--via</c>: refused before anything is set up or started.</summary>
public sealed class DemoScriptTests
{
    [Theory]
    [InlineData("csv", "not there yet")]
    [InlineData("fax", "unknown --via 'fax'")]
    public void Ops_demo_refuses_a_feed_it_does_not_have_before_starting_anything(string via, string message)
    {
        var (exit, output) = OpsFiles.Run("bash", OpsFiles.Root, "ops/demo", "18080", "60", "1", "7", via);

        Assert.Equal(2, exit);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Ops_demo_wants_its_four_arguments()
    {
        var (exit, output) = OpsFiles.Run("bash", OpsFiles.Root, "ops/demo", "18080");

        Assert.Equal(2, exit);
        Assert.Contains("usage: ops/demo", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--via asterisk", "--via goes with --demo")]
    [InlineData("--demo --via csv", "not there yet")]
    [InlineData("--demo --via fax", "unknown --via 'fax'")]
    public void Ops_run_checks_via_before_setting_anything_up(string args, string message)
    {
        var (exit, output) = OpsFiles.Run("bash", OpsFiles.Root, ["ops/run", .. args.Split(' ')]);

        Assert.Equal(2, exit);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("==>", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Ops_run_help_names_the_connector_demo()
    {
        var (exit, output) = OpsFiles.Run("bash", OpsFiles.Root, "ops/run", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("--via asterisk", output, StringComparison.Ordinal);
    }
}
