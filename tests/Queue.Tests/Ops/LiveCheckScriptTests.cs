using System.Net;
using Queue.Redis;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Ops;

/// <summary>
/// ops/live-check against the service as a process: what it prints and its exit code, 0 equal, 1 differing, 2 when it
/// could not ask.
/// </summary>
public sealed class LiveCheckScriptTests(OwnService service) : IClassFixture<OwnService>
{
    [Fact]
    public void Help_says_what_it_asks_and_what_its_exit_codes_mean()
    {
        var (exit, output) = OpsFiles.Run("bash", OpsFiles.Root, "ops/live-check", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("exits 0 if equal, 1 if not, 2 if it could not ask", output, StringComparison.Ordinal);
        Assert.Contains("QUEUE_ADMIN_KEY", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_says_equal_then_names_a_figure_lost_in_Redis()
    {
        using var http = service.Client();
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await http.PostEventsAsync(
            Ev.Queued("ls-q1", now.AddMinutes(-3), "ls-c1", "ls-a"), Ev.Answered("ls-a1", now.AddMinutes(-3).AddSeconds(12), "ls-c1", "ag-ls"),
            Ev.Queued("ls-q2", now.AddMinutes(-1), "ls-c2", "ls-a"))).StatusCode);
        await LiveCheck.CaughtUpAsync(service.Db, service.Redis, () => [service.LogTail()]);

        var (exit, output) = Check(service.AdminKey);
        Assert.True(exit == 0, output);
        Assert.StartsWith("live state equals PostgreSQL: the center and 1 queue, checked at ", output, StringComparison.Ordinal);

        await service.Redis.Db.KeyDeleteAsync(new LiveKeys(service.Redis.Prefix).Of("ls-a", RedisLayout.Answered));
        (exit, output) = Check(service.AdminKey, "--queue", "ls-a");
        Assert.True(exit == 1, output);
        Assert.StartsWith("live state differs from PostgreSQL in ", output, StringComparison.Ordinal);
        Assert.Contains("ls-a m15 answered: live 0, PostgreSQL 1 (from ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_that_is_not_an_admins_or_a_service_not_there_is_exit_code_2()
    {
        var wallboard = await service.Node.CreateKeyAsync("tv", "wallboard", CancellationToken.None);
        var (exit, output) = Check(wallboard);
        Assert.Equal(2, exit);
        Assert.Contains("the key was refused (403)", output, StringComparison.Ordinal);

        (exit, output) = OpsFiles.Run("env", OpsFiles.Root, $"QUEUE_ADMIN_KEY={service.AdminKey}", "bash", "ops/live-check", "--url", "http://127.0.0.1:9");
        Assert.Equal(2, exit);
        Assert.Contains("could not reach Queue at http://127.0.0.1:9", output, StringComparison.Ordinal);
    }

    (int Exit, string Output) Check(string key, params string[] args) =>
        OpsFiles.Run("env", OpsFiles.Root, ["-u", "QUEUE_BOOTSTRAP_ADMIN_KEY", $"QUEUE_ADMIN_KEY={key}", "bash", "ops/live-check",
            "--url", service.Node.Address.ToString(), .. args]);
}
