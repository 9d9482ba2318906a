using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Queue.Events;
using Queue.Figures;
using Queue.Ingest;
using Queue.Simulator.Traffic;
using Queue.Targets;

namespace Queue.Simulator.Bench;

/// <summary>
/// <c>queue-sim ewt</c>: the expected wait <c>GET /api/queues/{queue}/ewt</c> would have told each caller as it joined
/// a queue, against the wait that then happened (<see cref="EwtReplay"/>). Over the demo center's traffic, generated
/// here (the days up to now, as <c>demo</c> sends them), or over a stored history: the event log of a database, read
/// back in the order of <c>at</c>. Callers who gave up have no wait to compare and are counted apart.
/// </summary>
internal static class EwtMeasure
{
    public const string Help = """
        usage: Queue.Simulator ewt [options]

        The expected wait GET /api/queues/{queue}/ewt would have told each caller as it joined a queue (the same
        functions, from what the events up to then show), against the wait that then happened.

          --operators N   the demo center's traffic of N operators, generated here (60)
          --days D        the D days up to now (7)
          --seed N        seeds the traffic (1)
          --db CONN       instead, replay the stored history of a database: its event log in the order of at
                          (e.g. one the demo's backfill filled: ops/run --demo)
        """;

    public static async Task<int> RunAsync(Args args)
    {
        if (args.Help)
        {
            Console.WriteLine(Help);
            return 0;
        }
        var db = args.OptionalString("--db");
        var operators = args.Int("--operators", 60);
        var days = args.Double("--days", 7);
        var seed = args.Int("--seed", 1);
        args.EnsureAllUsed();
        var replay = new EwtReplay(new TargetOptions());
        var clock = Stopwatch.StartNew();
        long events = 0;
        string source;
        if (db is null)
        {
            var end = DateTimeOffset.UtcNow;
            var center = DemoTraffic.Center(operators, seed: seed);
            source = $"the demo center's traffic: {operators} operators, {F(days)} days up to now (seed {seed})";
            foreach (var e in DemoTraffic.Run(center, end.AddDays(-days)).TakeWhile(e => e.At <= end))
            {
                events++;
                if (EwtStep.Of(e) is { } step) replay.Apply(step);
            }
        }
        else
        {
            var csb = new NpgsqlConnectionStringBuilder(db) { ApplicationName = "queue-sim-ewt" };
            source = $"the stored history of database {csb.Database}";
            await using var data = NpgsqlDataSource.Create(csb.ConnectionString);
            await foreach (var e in StoredAsync(data))
            {
                events++;
                if (EwtStep.Of(e) is { } step) replay.Apply(step);
            }
        }
        Report(source, events, replay.Score, clock.Elapsed);
        return 0;
    }

    // Calls and agents, in the order of at, then as a call's events tie (queued < transferred < answered < abandoned
    // < completed), then by id. Streamed: a week of a center is millions of rows.
    const string StoredSql = """
        select body::text from events
        where type like 'call.%' or type = 'agent.status'
        order by at, case type when 'call.queued' then 0 when 'call.transferred' then 1 when 'call.answered' then 2
                               when 'call.abandoned' then 3 when 'call.completed' then 4 else 5 end, id
        """;

    static async IAsyncEnumerable<QueueEvent> StoredAsync(NpgsqlDataSource data)
    {
        await using var connection = await data.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(StoredSql, connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) yield return EventJson.Read(reader.GetString(0));
    }

    static void Report(string source, long events, EwtScore score, TimeSpan took)
    {
        var all = score.All();
        var waited = score.ToldToWait();
        Console.WriteLine($"ewt: {source}; {events:N0} events replayed in {F(took.TotalSeconds)} s");
        Console.WriteLine($"  answered with an estimate: {all.Count:N0} (answered without one: {score.Unestimated:N0}; abandoned: {score.Abandoned:N0}; transferred while waiting: {score.Transferred:N0})");
        if (all.Count > 0) Console.WriteLine($"  all of them: {Line(all)}");
        if (waited.Count > 0) Console.WriteLine($"  told they would wait ({waited.Count:N0}): {Line(waited)}");
    }

    static string Line(EwtScore.Figures f) =>
        $"mean absolute error {F(f.MeanAbsoluteError)} s (mean error, told − waited, {F(f.MeanError)} s); within ±30 s {F(100 * f.Within30)} %; inside the 10–90 % range {F(100 * f.InsideRange)} %";

    static string F(double x) => x.ToString("0.0", CultureInfo.InvariantCulture);
}
