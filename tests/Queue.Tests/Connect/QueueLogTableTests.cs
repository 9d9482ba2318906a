using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Connect;

/// <summary>
/// The realtime form of queue_log: Asterisk's table in PostgreSQL (as its realtime configuration and Wazo keep it),
/// read by id into the same mapping as the file. Imported, it gives the figures of the same lines as a file; followed
/// while rows arrive, it sends every row's events once, resuming from its state file.
/// </summary>
public sealed class QueueLogTableTests(QueueApp app) : IClassFixture<QueueApp>, IAsyncLifetime
{
    readonly string pbx = $"queue_t_pbx_{Guid.NewGuid():N}";
    NpgsqlDataSource db = null!;

    public async ValueTask InitializeAsync()
    {
        await TestDatabase.CreateAsync(pbx);
        db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(TestDatabase.BaseConnectionString) { Database = pbx }.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await db.DisposeAsync();
        await TestDatabase.DropAsync(pbx);
    }

    // Asterisk's own realtime schema: time without zone, written in UTC (queue_log_realtime_use_gmt = yes); Wazo's: with.
    [Theory]
    [InlineData("asterisk_table", "timestamp")]
    [InlineData("wazo_table", "timestamptz")]
    public async Task The_table_imported_gives_the_figures_of_its_lines_and_again_nothing_new(string source, string timeType)
    {
        var table = $"queue_log_{source}";
        await CreateAsync(table, timeType);
        var lines = Rows(ConnectFiles.PathOf("day.queue_log"));
        await InsertAsync(table, lines, zoned: timeType == "timestamptz");

        var key = await app.KeyAsync("import");
        var state = Path.Combine(Path.GetTempPath(), $"queue-table-{Guid.NewGuid():N}.state");
        var first = await ImportAsync(table, source, key, state);
        Assert.True(first.Posted.New > 0);
        Assert.Equal(0, first.Posted.Rejected);

        var reference = QueueLogReference.Read(ConnectFiles.PathOf("day.queue_log"));
        using var http = app.Client();
        foreach (var queue in reference.Queues)
        {
            var expected = reference.Figures(queue);
            var m = await MetricsAsync(http, $"{source}.{queue}");
            Assert.Equal(expected.Answered, m.GetProperty("answered").GetInt64());
            Assert.Equal(expected.Abandoned, m.GetProperty("abandoned").GetInt64());
            Assert.Equal(expected.Short, m.GetProperty("shortAbandoned").GetInt64());
            Assert.Equal(expected.Completed, m.GetProperty("completed").GetInt64());
        }

        // Read again from the start (a lost state file): only duplicates.
        var again = await ImportAsync(table, source, key, state + ".lost");
        Assert.Equal(0, again.Posted.New);
    }

    [Fact]
    public async Task Followed_while_rows_arrive_and_stopped_half_way_it_sends_every_event_once()
    {
        const string table = "queue_log_follow";
        await CreateAsync(table, "timestamp");
        var lines = Rows(ConnectFiles.PathOf("day.queue_log"));
        var key = await app.KeyAsync("import");
        var state = Path.Combine(Path.GetTempPath(), $"queue-table-{Guid.NewGuid():N}.state");
        var sent = new List<string>();

        // The first half of the rows, read and flushed; then the follower is dropped (its state file stays).
        await InsertAsync(table, lines[..25]);
        await FollowStepsAsync(table, key, state, sent);
        // The rest arrives; a new follower goes on from the state file.
        await InsertAsync(table, lines[25..]);
        await FollowStepsAsync(table, key, state, sent, end: true);

        // What one read of the whole table maps to.
        var rows = await new QueueLogTable(db, table, TimeZoneInfo.Utc, new FakeTimeProvider(), TimeSpan.Zero).ReadAsync(0, 10_000, CancellationToken.None);
        var mapper = new QueueLogMapper(MappingOptions.For("follow", "follow."));
        var events = new List<Queue.Connect.WireEvent>();
        foreach (var (_, row) in rows) if (row.Line is { } line) mapper.Map(line, events);
        mapper.End(events);
        var expected = events.Select(e => e.Id).ToHashSet();

        Assert.Empty(sent.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.True(expected.SetEquals(sent), $"missing {string.Join(", ", expected.Except(sent))}; unexpected {string.Join(", ", sent.Except(expected))}");
    }

    async Task FollowStepsAsync(string table, string key, string state, List<string> sent, bool end = false)
    {
        var time = new FakeTimeProvider(ConnectFiles.At(8 * 3600));
        using var http = new HttpClient(new Recording(app.Factory.Server.CreateHandler(), sent)) { BaseAddress = new Uri("http://localhost/") };
        var poster = new EventPoster(http, key, new RejectFile(state + ".rejects", time), NullLogger.Instance, time);
        var reader = new QueueLogTable(db, table, TimeZoneInfo.Utc, time, TimeSpan.Zero);
        var follower = new TableFollower(reader, state, MappingOptions.For("follow", "follow."), poster, time, TimeSpan.Zero, NullLogger.Instance);
        while (!await follower.StepAsync(CancellationToken.None)) { }
        if (end) await follower.ImportAsync(CancellationToken.None);
        else await follower.StepAsync(CancellationToken.None); // caught up: what waits is flushed and the state saved
    }

    async Task<RunSummary> ImportAsync(string table, string source, string key, string state)
    {
        using var http = app.Client(key: null);
        var time = new FakeTimeProvider();
        var poster = new EventPoster(http, key, new RejectFile(state + ".rejects", time), NullLogger.Instance, time);
        var reader = new QueueLogTable(db, table, TimeZoneInfo.Utc, time, TimeSpan.Zero);
        var follower = new TableFollower(reader, state, MappingOptions.For(source, source + "."), poster, time, TimeSpan.Zero, NullLogger.Instance);
        await follower.ImportAsync(CancellationToken.None);
        return follower.Pump.Summary;
    }

    async Task CreateAsync(string table, string timeType)
    {
        await using var command = db.CreateCommand($"""
            create table {table} (id bigserial primary key, "time" {timeType}, callid varchar(80), queuename varchar(256), agent varchar(80),
                event varchar(32), data1 varchar(100), data2 varchar(100), data3 varchar(100), data4 varchar(100), data5 varchar(100))
            """);
        await command.ExecuteNonQueryAsync();
    }

    // The file's whole, well-formed lines as table rows (a table has no NUL runs or cut lines: each row is one insert).
    static List<string[]> Rows(string path) =>
        [.. WholeLines(path).Select(l => l.TrimStart('\0', ' ').Split('|'))
            .Where(f => f.Length >= 5 && long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))];

    static IEnumerable<string> WholeLines(string path)
    {
        var lines = Encoding.UTF8.GetString(File.ReadAllBytes(path)).Split('\n');
        return lines[..^1];
    }

    async Task InsertAsync(string table, IEnumerable<string[]> rows, bool zoned = false)
    {
        foreach (var f in rows)
        {
            await using var command = db.CreateCommand(
                $"""insert into {table} ("time", callid, queuename, agent, event, data1, data2, data3, data4, data5) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""");
            var at = DateTimeOffset.FromUnixTimeSeconds(long.Parse(f[0], CultureInfo.InvariantCulture)).UtcDateTime;
            command.Parameters.Add(zoned
                ? new NpgsqlParameter { Value = at, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz }
                : new NpgsqlParameter { Value = DateTime.SpecifyKind(at, DateTimeKind.Unspecified), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Timestamp });
            for (var i = 1; i <= 9; i++) command.Parameters.Add(new NpgsqlParameter { Value = i < f.Length ? f[i] : "" });
            await command.ExecuteNonQueryAsync();
        }
    }

    static async Task<System.Text.Json.JsonElement> MetricsAsync(HttpClient http, string queue)
    {
        var (from, to) = (ConnectFiles.At(-3600), ConnectFiles.At(12 * 3600));
        var response = await http.GetAsync($"/api/metrics?from={Uri.EscapeDataString(Ev.At(from))}&to={Uri.EscapeDataString(Ev.At(to))}&queue={queue}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    /// <summary>Notes the id of every event posted through it, as the service takes them.</summary>
    sealed class Recording(HttpMessageHandler inner, List<string> sent) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var body = await request.Content!.ReadAsStringAsync(ct);
            var response = await base.SendAsync(request, ct);
            if (response.IsSuccessStatusCode)
                lock (sent) sent.AddRange(System.Text.Json.JsonDocument.Parse(body).RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!));
            return response;
        }
    }
}
