namespace Queue.Tests.Ops;

/// <summary>How ops/run and ops/demo take the demo's <c>--via</c>: refused before anything is set up or started.</summary>
public sealed class DemoScriptTests
{
    [Fact]
    public void Ops_demo_refuses_a_feed_it_does_not_have_before_starting_anything()
    {
        var (exit, output) = OpsFiles.Run("bash", OpsFiles.Root, "ops/demo", "18080", "60", "1", "7", "fax");

        Assert.Equal(2, exit);
        Assert.Contains("unknown --via 'fax': asterisk or csv", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("asterisk")]
    [InlineData("csv")]
    public void Ops_demo_takes_each_feed_it_has_and_then_wants_the_admin_key_ops_run_gives_it(string via)
    {
        // Without the key it stops before starting anything: what it says shows the feed was taken.
        var (exit, output) = OpsFiles.Run("env", OpsFiles.Root, "-u", "QUEUE_BOOTSTRAP_ADMIN_KEY", "bash", "ops/demo", "18080", "60", "1", "7", via);

        Assert.NotEqual(0, exit);
        Assert.Contains("run through ops/run --demo", output, StringComparison.Ordinal);
        Assert.DoesNotContain("--via", output, StringComparison.Ordinal);
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
    [InlineData("--via csv", "--via goes with --demo")]
    [InlineData("--demo --via fax", "unknown --via 'fax'")]
    public void Ops_run_checks_via_before_setting_anything_up(string args, string message)
    {
        var (exit, output) = OpsFiles.Run("bash", OpsFiles.Root, ["ops/run", .. args.Split(' ')]);

        Assert.Equal(2, exit);
        Assert.Contains(message, output, StringComparison.Ordinal);
        Assert.DoesNotContain("==>", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Ops_run_help_names_the_connector_demos()
    {
        var (exit, output) = OpsFiles.Run("bash", OpsFiles.Root, "ops/run", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("--via asterisk", output, StringComparison.Ordinal);
        Assert.Contains("--via csv", output, StringComparison.Ordinal);
    }
}
