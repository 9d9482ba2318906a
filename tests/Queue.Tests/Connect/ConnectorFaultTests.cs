using System.Globalization;
using System.Text;
using Npgsql;
using Queue.Connect.Asterisk;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Connect;

/// <summary>
/// The connector and the service as real processes, following a queue_log: the connector killed (<c>kill -9</c>)
/// mid-file and started again, and the service down for a while under <c>--follow</c>. Every line's events arrive,
/// once, and /api/metrics equals a plain reading of the log.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ConnectorFaultTests(OwnService service) : IClassFixture<OwnService>
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Killed_mid_file_and_started_again_the_connector_sends_every_event_once()
    {
        var dir = Directory.CreateTempSubdirectory("queue-connect-kill").FullName;
        var log = Path.Combine(dir, "queue_log");
        var start = DateTimeOffset.UtcNow.AddHours(-3);
        await File.WriteAllTextAsync(log, Lines("k", start, calls: 12_000, queue: "kill"));
        var expected = ExpectedIds(log, "k9");
        var key = await service.Node.CreateKeyAsync("pbx", "ingest", CancellationToken.None);
        string[] args = ["asterisk", "--queue-log", log, "--follow", "--source", "k9"];

        await using (var first = ConnectorProcess.Start(service.Node.Address, key, args))
        {
            // Killed once some of the file is in, and not all.
            await UntilAsync(async () => await CountAsync("k9:%") >= 5_000 || first.Exited, "the first batches", first);
            Assert.False(first.Exited, first.Output);
            await first.KillAsync();
        }
        var before = await CountAsync("k9:%");
        Assert.True(before < expected.Count, $"all {before} events were in before the kill: nothing was cut short");

        await using var second = ConnectorProcess.Start(service.Node.Address, key, args);
        await UntilAsync(async () => await CountAsync("k9:%") >= expected.Count, "every event after the restart", second);
        await AssertSameAsLogAsync(log, "kill", expected, "k9");
        await second.StopAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("lines read:", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_service_down_for_a_while_the_follower_waits_keeps_its_place_and_everything_arrives_after()
    {
        var dir = Directory.CreateTempSubdirectory("queue-connect-outage").FullName;
        var log = Path.Combine(dir, "queue_log");
        var start = DateTimeOffset.UtcNow.AddHours(-2);
        await File.WriteAllTextAsync(log, Lines("o", start, calls: 300, queue: "outage"));
        var key = await service.Node.CreateKeyAsync("pbx", "ingest", CancellationToken.None);
        await using var connector = ConnectorProcess.Start(service.Node.Address, key, "asterisk", "--queue-log", log, "--follow", "--source", "out");
        await UntilAsync(async () => await CountAsync("out:%") >= ExpectedIds(log, "out").Count, "the first lines", connector);

        // The service goes away; the PBX goes on writing.
        await service.KillAsync();
        await File.AppendAllTextAsync(log, Lines("p", start.AddMinutes(30), calls: 2_000, queue: "outage"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(connector.Exited, connector.Output);
        await service.RestartAsync();

        var expected = ExpectedIds(log, "out");
        await UntilAsync(async () => await CountAsync("out:%") >= expected.Count, "the lines written during the outage", connector);
        await AssertSameAsLogAsync(log, "outage", expected, "out");
    }

    // A plain stream of calls one every 0.8 s: most answered (waits 0–39 s), every seventh abandoned, each answered one
    // completed a minute later; the lines in time order, as Asterisk writes them.
    static string Lines(string tag, DateTimeOffset start, int calls, string queue)
    {
        var lines = new List<(long At, int Order, string Text)>();
        for (var i = 0; i < calls; i++)
        {
            var t = start.ToUnixTimeSeconds() + i * 4 / 5;
            var id = $"{t}.{tag}{i}";
            var wait = i % 40;
            lines.Add((t, 0, $"{t}|{id}|{queue}|NONE|ENTERQUEUE||+7912555{i % 10_000:D4}|1"));
            if (i % 7 == 3) lines.Add((t + wait, 1, $"{t + wait}|{id}|{queue}|NONE|ABANDON|1|1|{wait}"));
            else
            {
                var agent = $"SIP/{1000 + i % 25}";
                lines.Add((t + wait, 1, $"{t + wait}|{id}|{queue}|{agent}|CONNECT|{wait}|{id}b|2"));
                lines.Add((t + wait + 60, 2, $"{t + wait + 60}|{id}|{queue}|{agent}|COMPLETEAGENT|{wait}|60|1"));
            }
        }
        var text = new StringBuilder();
        foreach (var l in lines.OrderBy(l => l.At).ThenBy(l => l.Order)) text.Append(l.Text).Append('\n');
        return text.ToString();
    }

    static HashSet<string> ExpectedIds(string log, string source) =>
        [.. ConnectFiles.MapPaths([log], MappingOptions.For(source)).Events.Select(e => e.Id)];

    async Task<long> CountAsync(string idLike)
    {
        await using var command = service.Db.CreateCommand("select count(*) from event_keys where id like $1");
        command.Parameters.Add(new NpgsqlParameter { Value = idLike });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    async Task AssertSameAsLogAsync(string log, string queue, HashSet<string> expected, string source)
    {
        await using (var command = service.Db.CreateCommand("select id from event_keys where id like $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = source + ":%" });
            var stored = new HashSet<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) stored.Add(reader.GetString(0));
            Assert.True(stored.SetEquals(expected), $"{expected.Except(stored).Count()} events missing, {stored.Except(expected).Count()} unexpected");
        }
        var reference = QueueLogReference.Read(log).Figures(queue);
        using var http = service.Client();
        var times = File.ReadLines(log).Select(l => long.Parse(l.Split('|')[0], CultureInfo.InvariantCulture)).ToList();
        var from = DateTimeOffset.FromUnixTimeSeconds(times.Min() - 60);
        var to = DateTimeOffset.FromUnixTimeSeconds(times.Max() + 60);
        var m = await (await http.GetAsync($"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}&queue={queue}")).JsonAsync();
        Assert.Equal(reference.Answered, m.GetProperty("answered").GetInt64());
        Assert.Equal(reference.Abandoned, m.GetProperty("abandoned").GetInt64());
        Assert.Equal(reference.Short, m.GetProperty("shortAbandoned").GetInt64());
        Assert.Equal(reference.Completed, m.GetProperty("completed").GetInt64());
        Assert.Equal(reference.Asa!.Value, m.GetProperty("asaSeconds").GetDouble(), 6);
    }

    static async Task UntilAsync(Func<Task<bool>> done, string what, ConnectorProcess connector)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not arrive within {Patience.TotalSeconds:0} s\n{connector.Output}");
            await Task.Delay(100);
        }
    }
}
