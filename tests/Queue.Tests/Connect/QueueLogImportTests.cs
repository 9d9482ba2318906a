using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Connect;

/// <summary>
/// queue_log files imported end to end into the service (an import key: the fixtures are months old): /api/metrics
/// then equals the figures a plain reading of the log gives (<see cref="QueueLogReference"/>), per queue and for the
/// center, and importing the same files again adds nothing. Each file's queues are named apart (<c>--queue-prefix</c>),
/// as two PBXs sharing queue names would be.
/// </summary>
public sealed class QueueLogImportTests(QueueApp app) : IClassFixture<QueueApp>
{
    public static TheoryData<string, string[]> Files => new()
    {
        { "day", ["day.queue_log"] },
        { "ghosts", ["ghost.queue_log"] },
        // The day rotated mid-file (logrotate's queue_log.1, then the new queue_log), imported oldest first.
        { "rotated", ["day.queue_log|0-25", "day.queue_log|25-"] },
    };

    // "name|a-b": lines a to b (0-based, b excluded) of a fixture, written to a file of their own.
    static string PathOf(string spec)
    {
        if (spec.Split('|') is not [var name, var range]) return ConnectFiles.PathOf(spec);
        var bytes = File.ReadAllBytes(ConnectFiles.PathOf(name));
        var starts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++) if (bytes[i] == '\n') starts.Add(i + 1);
        var bounds = range.Split('-');
        var from = starts[int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture)];
        var to = bounds[1].Length == 0 ? bytes.Length : starts[int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture)];
        var path = Path.Combine(Path.GetTempPath(), $"queue_log-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes[from..to]);
        return path;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task An_import_gives_the_figures_of_the_log_and_a_second_import_adds_nothing(string source, string[] files)
    {
        var paths = files.Select(PathOf).ToArray();
        var key = await app.KeyAsync("import");
        var first = await ImportAsync(paths, key, source);
        Assert.True(first.Posted.New > 0, "the first import stored nothing");
        Assert.Equal(0, first.Posted.Rejected);

        var reference = QueueLogReference.Read(paths);
        using var http = app.Client();
        foreach (var queue in reference.Queues)
        {
            var expected = reference.Figures(queue);
            var m = await MetricsAsync(http, $"{source}.{queue}");
            var where = $"{source} {queue}";
            Assert.True(expected.Answered == m.GetProperty("answered").GetInt64(), $"{where} answered: log {expected.Answered}, metrics {m.GetProperty("answered")}");
            Assert.True(expected.Abandoned == m.GetProperty("abandoned").GetInt64(), $"{where} abandoned: log {expected.Abandoned}, metrics {m.GetProperty("abandoned")}");
            Assert.True(expected.Short == m.GetProperty("shortAbandoned").GetInt64(), $"{where} short: log {expected.Short}, metrics {m.GetProperty("shortAbandoned")}");
            Assert.True(expected.Completed == m.GetProperty("completed").GetInt64(), $"{where} completed: log {expected.Completed}, metrics {m.GetProperty("completed")}");
            Assert.Equal(expected.Completed, m.GetProperty("resolutionUnknown").GetInt64()); // a PBX knows no outcome
            Same($"{where} asa", expected.Asa, m.GetProperty("asaSeconds"));
            Same($"{where} service level", expected.ServiceLevel, m.GetProperty("serviceLevel"));
        }

        var again = await ImportAsync(paths, key, source);
        Assert.Equal(0, again.Posted.New);
        Assert.Equal(first.Events, again.Posted.Duplicates);
    }

    async Task<RunSummary> ImportAsync(string[] paths, string key, string source)
    {
        using var http = app.Client(key: null);
        var rejects = Path.Combine(Path.GetTempPath(), $"queue-import-{Guid.NewGuid():N}.rejects.jsonl");
        var poster = new EventPoster(http, key, new RejectFile(rejects, TimeProvider.System), NullLogger.Instance, new FakeTimeProvider());
        var pump = AsteriskPump.Create(new QueueLogMapper(MappingOptions.For(source, queuePrefix: source + ".")), poster, NullLogger.Instance);
        await FileImport.RunAsync(paths, pump, CancellationToken.None);
        return pump.Summary;
    }

    static async Task<JsonElement> MetricsAsync(HttpClient http, string queue)
    {
        var (from, to) = (ConnectFiles.At(-3600), ConnectFiles.At(12 * 3600));
        var url = $"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}&queue={queue}";
        var response = await http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    static void Same(string what, double? expected, JsonElement actual)
    {
        if (expected is null) Assert.True(actual.ValueKind == JsonValueKind.Null, $"{what}: log none, metrics {actual}");
        else Assert.True(actual.ValueKind == JsonValueKind.Number && Math.Abs(actual.GetDouble() - expected.Value) < 1e-9,
            $"{what}: log {expected}, metrics {actual}");
    }
}
