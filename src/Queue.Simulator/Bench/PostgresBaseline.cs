using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Queue.EventLog;
using Queue.Events;
using Queue.Ingest;

namespace Queue.Simulator.Bench;

/// <summary>One row of the <c>events</c> table, with exactly the values the service writes for the event.</summary>
internal sealed record EventRow(string Id, string Type, DateTime At, string Entity, string Body);

/// <summary>
/// PostgreSQL's fastest plain path for the same rows (SPEC §7): a prepared multi-row
/// <c>INSERT … ON CONFLICT (id) DO NOTHING</c> of a whole batch per statement, each statement its own
/// transaction, one worker per connection taking the next batch.
/// </summary>
internal sealed class PostgresBaseline : IAsyncDisposable
{
    // The columns the service writes into its events table; the unique id is what ON CONFLICT needs.
    const string CreateTable = """
        create table events (
            id     text collate "C" primary key,
            type   text not null,
            at     timestamptz not null,
            entity text collate "C" not null,
            body   jsonb not null
        )
        """;

    readonly List<Writer> writers;

    PostgresBaseline(List<Writer> writers) => this.writers = writers;

    /// <summary>Builds the rows the service would store for these batch bodies, with its own parser and stored form.</summary>
    public static List<EventRow[]> Rows(IReadOnlyList<byte[]> batchBodies, string callerHashSecret)
    {
        var options = Options.Create(new IngestOptions { CallerHashSecret = callerHashSecret });
        var parser = new EventParser(new CallerHasher(options), TimeProvider.System, options);
        var rows = new List<EventRow[]>(batchBodies.Count);
        foreach (var body in batchBodies)
        {
            using var json = JsonDocument.Parse(body);
            var parsed = parser.Parse(json.RootElement);
            if (!parsed.IsValid)
                throw new BenchException("the simulated stream has events the service rejects: " +
                    string.Join("; ", parsed.Errors.Take(5).Select(e => $"{e.Key} {string.Join(", ", e.Value)}")));
            rows.Add([.. parsed.Events.Select(e => new EventRow(e.Id, Wire.Name(e.Type), e.At.UtcDateTime, e.Entity,
                EventJson.Body(e)))]);
        }
        return rows;
    }

    /// <summary>Creates the table and opens the connections, each with its insert prepared.</summary>
    public static async Task<PostgresBaseline> OpenAsync(string connectionString, int connections, int rowsPerStatement, CancellationToken ct)
    {
        await using (var setup = new NpgsqlConnection(connectionString))
        {
            await setup.OpenAsync(ct);
            await using var create = new NpgsqlCommand(CreateTable, setup);
            await create.ExecuteNonQueryAsync(ct);
        }
        var writers = new List<Writer>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
            {
                var connection = new NpgsqlConnection(connectionString);
                writers.Add(new Writer(connection));
                await connection.OpenAsync(ct);
                await writers[i].PrepareAsync(rowsPerStatement, ct);
            }
            return new PostgresBaseline(writers);
        }
        catch
        {
            foreach (var w in writers) await w.DisposeAsync();
            throw;
        }
    }

    /// <summary>Inserts every batch, each connection taking the next; the time from the first statement to the last commit.</summary>
    public async Task<(TimeSpan Elapsed, long Inserted)> InsertAsync(IReadOnlyList<EventRow[]> batches, CancellationToken ct)
    {
        var next = -1;
        long inserted = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(writers.Select(w => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
                Interlocked.Add(ref inserted, await w.InsertAsync(batches[i], ct));
        }, ct)));
        return (clock.Elapsed, inserted);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var w in writers) await w.DisposeAsync();
    }

    sealed class Writer(NpgsqlConnection connection) : IAsyncDisposable
    {
        readonly Dictionary<int, NpgsqlCommand> statements = [];

        public async Task PrepareAsync(int rows, CancellationToken ct) => await StatementAsync(rows, ct);

        public async Task<int> InsertAsync(EventRow[] rows, CancellationToken ct)
        {
            var command = await StatementAsync(rows.Length, ct);
            var p = command.Parameters;
            for (var r = 0; r < rows.Length; r++)
            {
                var row = rows[r];
                ((NpgsqlParameter<string>)p[(r * 5) + 0]).TypedValue = row.Id;
                ((NpgsqlParameter<string>)p[(r * 5) + 1]).TypedValue = row.Type;
                ((NpgsqlParameter<DateTime>)p[(r * 5) + 2]).TypedValue = row.At;
                ((NpgsqlParameter<string>)p[(r * 5) + 3]).TypedValue = row.Entity;
                ((NpgsqlParameter<string>)p[(r * 5) + 4]).TypedValue = row.Body;
            }
            // No explicit BEGIN/COMMIT: one statement in autocommit is one transaction, with no extra round trips.
            return await command.ExecuteNonQueryAsync(ct);
        }

        async Task<NpgsqlCommand> StatementAsync(int rows, CancellationToken ct)
        {
            if (statements.TryGetValue(rows, out var prepared)) return prepared;
            var sql = new StringBuilder("insert into events (id, type, at, entity, body) values ");
            var command = new NpgsqlCommand { Connection = connection };
            for (var r = 0; r < rows; r++)
            {
                var n = r * 5;
                sql.Append(r == 0 ? "" : ", ").Append($"(${n + 1}, ${n + 2}, ${n + 3}, ${n + 4}, ${n + 5})");
                command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz });
                command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Jsonb });
            }
            command.CommandText = sql.Append(" on conflict (id) do nothing").ToString();
            await command.PrepareAsync(ct);
            statements[rows] = command;
            return command;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var s in statements.Values) await s.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
