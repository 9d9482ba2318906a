using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Queue.Connect.Csv;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Connect;

/// <summary>
/// Call records imported into the service (an import key: they are months old): /api/metrics then equals the figures
/// counted straight from the rows, per queue — whether the export wrote offsets or local time in a named zone, and in
/// whatever order its rows come.
/// </summary>
public sealed class CsvServiceTests(QueueApp app) : IClassFixture<QueueApp>
{
    static readonly TimeZoneInfo Center = TimeZoneInfo.FindSystemTimeZoneById("Asia/Yekaterinburg");
    static readonly DateTimeOffset Day = new(2026, 3, 3, 8, 0, 0, TimeSpan.Zero);
    static readonly string[] Queues = ["support", "sales", "vip"];
    static readonly string[] Resolutions = ["resolved", "resolved", "resolved", "escalated", "field_visit", ""];

    sealed record Row(string CallId, string Queue, DateTimeOffset QueuedAt, string Outcome, DateTimeOffset EndedAt, string? Agent,
        DateTimeOffset? CompletedAt, string Resolution, string? To);

    // 300 calls: most answered, some abandoned (a few within 5 s), one in six transferred to another queue and answered there.
    static List<Row> Rows()
    {
        var random = new Random(17);
        var rows = new List<Row>();
        for (var i = 0; i < 300; i++)
        {
            var queue = Queues[i % 3];
            var at = Day.AddSeconds(i * 37 + random.Next(20));
            var wait = TimeSpan.FromSeconds(random.Next(0, 70));
            var resolution = Resolutions[random.Next(Resolutions.Length)];
            if (i % 6 == 5)
            {
                var to = Queues[(i + 1) % 3];
                rows.Add(new($"c{i}", queue, at, "transferred", at + wait, null, null, "", to));
                var second = at + wait;
                var answer = second + TimeSpan.FromSeconds(random.Next(1, 40));
                rows.Add(new($"c{i}", to, second, "answered", answer, $"op{i % 9}", answer.AddMinutes(3), resolution, null));
            }
            else if (i % 7 == 3)
                rows.Add(new($"c{i}", queue, at, "abandoned", at + TimeSpan.FromSeconds(random.Next(0, 40)), null, null, "", null));
            else
                rows.Add(new($"c{i}", queue, at, "answered", at + wait, $"op{i % 9}", at + wait + TimeSpan.FromMinutes(4), resolution, null));
        }
        return rows;
    }

    [Theory]
    [InlineData("offsets", false)]
    [InlineData("local", true)]
    public async Task An_import_gives_the_figures_of_its_rows(string source, bool localTime)
    {
        var rows = Rows();
        var order = new Random(5);
        var shuffled = rows.OrderBy(_ => order.Next()).ToList(); // a transferred call's legs in either order
        var path = Path.Combine(Path.GetTempPath(), $"calls-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(path, Write(shuffled, localTime));

        var key = await app.KeyAsync("import");
        using var http = app.Client(key: null);
        var rejects = new RejectFile(path + ".rejects", TimeProvider.System);
        var poster = new EventPoster(http, key, rejects, NullLogger.Instance, TimeProvider.System);
        var mapping = CsvMapping.For(source, localTime ? Center : null, queuePrefix: source + ".");
        var pump = new Pump<CallRecord>(new CallRecordMapper(mapping.Source), poster, NullLogger.Instance);
        await CsvImport.RunAsync([path], mapping, pump, rejects, CancellationToken.None);
        Assert.Equal(0, pump.Summary.Skipped.Values.Sum());
        Assert.Equal(0, pump.Summary.Posted.Rejected);

        using var reader = app.Client();
        foreach (var queue in Queues)
        {
            var legs = rows.Where(r => r.Queue == queue).ToList();
            var answered = legs.Where(r => r.Outcome == "answered").ToList();
            var abandoned = legs.Count(r => r.Outcome == "abandoned" && r.EndedAt - r.QueuedAt >= TimeSpan.FromSeconds(5));
            var completed = rows.Where(r => r.CompletedAt is not null && r.Queue == queue).ToList();
            var m = await MetricsAsync(reader, $"{source}.{queue}");
            Assert.Equal(answered.Count, m.GetProperty("answered").GetInt64());
            Assert.Equal(abandoned, m.GetProperty("abandoned").GetInt64());
            Assert.Equal(answered.Average(r => (r.EndedAt - r.QueuedAt).TotalSeconds), m.GetProperty("asaSeconds").GetDouble(), 6);
            Assert.Equal(completed.Count, m.GetProperty("completed").GetInt64());
            Assert.Equal(completed.Count(r => r.Resolution == "resolved"), m.GetProperty("resolvedRemotely").GetInt64());
            Assert.Equal(completed.Count(r => r.Resolution == ""), m.GetProperty("resolutionUnknown").GetInt64());
        }
    }

    static string Write(IEnumerable<Row> rows, bool localTime)
    {
        string T(DateTimeOffset? at) => at is not { } t ? ""
            : localTime ? TimeZoneInfo.ConvertTime(t, Center).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : t.ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var text = new StringBuilder("call_id,queue,queued_at,outcome,ended_at,agent_id,completed_at,resolution,transferred_to,region,language,segment,caller\n");
        foreach (var r in rows)
            text.Append(CultureInfo.InvariantCulture, $"{r.CallId},{r.Queue},{T(r.QueuedAt)},{r.Outcome},{T(r.EndedAt)},{r.Agent},{T(r.CompletedAt)},{r.Resolution},{r.To},ural,ru,b2c,\n");
        return text.ToString();
    }

    static async Task<JsonElement> MetricsAsync(HttpClient http, string queue)
    {
        var (from, to) = (Day.AddHours(-1), Day.AddDays(1));
        var response = await http.GetAsync($"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}&queue={queue}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }
}
