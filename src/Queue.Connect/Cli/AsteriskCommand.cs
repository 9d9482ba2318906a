using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Queue.Connect.Asterisk;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;

namespace Queue.Connect;

/// <summary><c>asterisk</c>: Asterisk's queue_log, as a file (<c>--queue-log</c>) or as its realtime table (<c>--queue-log-table</c>).</summary>
internal static partial class AsteriskCommand
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    static readonly TimeSpan FlushDelay = TimeSpan.FromMilliseconds(200);

    public static Command Build()
    {
        var common = new ConnectCli.Common();
        var queueLog = new Option<string[]>("--queue-log") { Description = "queue_log files, oldest first (queue_log.2 queue_log.1 queue_log); one with --follow", AllowMultipleArgumentsPerToken = true };
        var table = new Option<bool>("--queue-log-table") { Description = "Read the queue_log table from PostgreSQL (connection string in QUEUE_LOG_DB or --db-file)" };
        var dbFile = new Option<string?>("--db-file") { Description = "A file holding the connection string of the queue_log table's database" };
        var tableName = new Option<string>("--table") { Description = "The table's name", DefaultValueFactory = _ => "queue_log" };
        var tableZone = new Option<string>("--table-time-zone") { Description = "IANA zone of the table's time column (UTC when queue_log_realtime_use_gmt is set)", DefaultValueFactory = _ => "UTC" };
        var follow = new Option<bool>("--follow") { Description = "Keep reading as Asterisk writes, through log rotation, keeping the position in --state" };
        var state = new Option<string?>("--state") { Description = "State file (default: beside the log, <log>.queue-connect.state)" };
        var rejects = new Option<string?>("--rejects") { Description = "Where refused events go (default: beside the state file or the first log, *.rejects.jsonl)" };
        var source = new Option<string>("--source") { Description = "Names this PBX: call ids and event ids are made under it", DefaultValueFactory = _ => "asterisk" };
        var prefix = new Option<string>("--queue-prefix") { Description = "Put before every queue name (PBXs with the same queue names)", DefaultValueFactory = _ => "" };
        var window = new Option<int>("--requeue-window") { Description = "Seconds within which an exit or transfer followed by a new entry is a transfer", DefaultValueFactory = _ => 120 };
        var members = new Option<string[]>("--member") { Description = "INTERFACE=NAME: a member's name where membership lines carry its interface (repeatable)" };

        var command = new Command("asterisk", "Asterisk (FreePBX, Issabel, …) queue_log, as a file or as its realtime table");
        foreach (var o in new Option[] { queueLog, table, dbFile, tableName, tableZone, follow, state, rejects, source, prefix, window, members }) command.Options.Add(o);
        common.AddTo(command);
        command.Validators.Add(r =>
        {
            var files = r.GetValue(queueLog) ?? [];
            if ((files.Length > 0) == r.GetValue(table)) r.AddError("give either --queue-log PATH… or --queue-log-table");
            if (r.GetValue(follow) && files.Length > 1) r.AddError("--follow follows one log: import the rotated ones first, without --follow");
            if (r.GetValue(source) is { } s && (s.Length > EventIds.MaxSourceLength || !Identifiers.IsValid(s)))
                r.AddError($"--source must be 1–{EventIds.MaxSourceLength} letters, digits, '.', '_', '-', ':'");
            if (r.GetValue(prefix) is { Length: > 0 } p && !Identifiers.IsValid(p)) r.AddError("--queue-prefix must be letters, digits, '.', '_', '-', ':'");
            if (r.GetValue(window) is < 0 or > 3600) r.AddError("--requeue-window is seconds, 0–3600");
            foreach (var m in r.GetValue(members) ?? [])
                if (m.Split('=', 2) is not [{ Length: > 0 }, { Length: > 0 }]) r.AddError($"--member {m}: expected INTERFACE=NAME");
        });
        command.SetAction((parse, ct) => ConnectCli.RunAsync(async log =>
        {
            var target = ServiceTarget.Resolve(parse.GetValue(common.Url), parse.GetValue(common.KeyFile), Environment.GetEnvironmentVariable);
            var mapping = new MappingOptions(parse.GetValue(source)!, parse.GetValue(prefix) ?? "",
                TimeSpan.FromSeconds(parse.GetValue(window)), MappingOptions.DefaultGhostAge,
                (parse.GetValue(members) ?? []).Select(m => m.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal));
            var files = parse.GetValue(queueLog) ?? [];
            var following = parse.GetValue(follow);
            var statePath = parse.GetValue(state)
                ?? (files.Length > 0 ? files[^1] + ".queue-connect.state" : $"queue_log_table.{mapping.Source}.state");
            var rejectPath = parse.GetValue(rejects)
                ?? (following || files.Length == 0 ? Path.ChangeExtension(statePath, ".rejects.jsonl") : files[^1] + ".queue-connect.rejects.jsonl");
            using var http = new HttpClient { BaseAddress = target.Url, Timeout = Timeout.InfiniteTimeSpan };
            var poster = new EventPoster(http, target.Key, new RejectFile(rejectPath, TimeProvider.System), log, TimeProvider.System);

            Pump<QueueLogLine> pump;
            QueueLogMapper mapper;
            if (files.Length > 0 && !following)
            {
                mapper = new QueueLogMapper(mapping);
                pump = AsteriskPump.Create(mapper, poster, log);
                await FileImport.RunAsync(files, pump, ct);
            }
            else if (files.Length > 0)
            {
                using var follower = new FileFollower(files[0], statePath, mapping, poster, TimeProvider.System, FlushDelay, log);
                (pump, mapper) = (follower.Pump, follower.Mapper);
                await Until(follower.RunAsync(Poll, ct));
            }
            else
            {
                var connection = ConnectionString(parse.GetValue(dbFile));
                await using var db = NpgsqlDataSource.Create(connection);
                var zone = TableZone(parse.GetValue(tableZone)!);
                var reader = new QueueLogTable(db, parse.GetValue(tableName)!, zone, TimeProvider.System, following ? QueueLogTable.GapWait : TimeSpan.Zero);
                var follower = new TableFollower(reader, statePath, mapping, poster, TimeProvider.System, FlushDelay, log);
                (pump, mapper) = (follower.Pump, follower.Mapper);
                if (following) await Until(follower.RunAsync(Poll, ct));
                else await follower.ImportAsync(ct);
            }
            Console.Out.Write(pump.Summary.Format(mapper.Counts));
            return 0;
        }, Stopped));
        return command;
    }

    // Following ends only when stopped (Ctrl+C, SIGTERM): that is a normal end, and the summary is printed.
    static async Task Until(Task following)
    {
        try
        {
            await following;
        }
        catch (OperationCanceledException)
        {
        }
    }

    static TimeZoneInfo TableZone(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException e)
        {
            throw new UsageException($"--table-time-zone: {e.Message}");
        }
    }

    static string ConnectionString(string? file)
    {
        if (file is not null)
        {
            if (!File.Exists(file)) throw new UsageException($"--db-file {file}: no such file");
            return File.ReadAllText(file).Trim();
        }
        return Environment.GetEnvironmentVariable("QUEUE_LOG_DB") is { Length: > 0 } s
            ? s
            : throw new UsageException("no database for --queue-log-table: set QUEUE_LOG_DB or give --db-file FILE");
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stopped: {Reason}. The position is kept; nothing after it was taken.")]
    static partial void Stopped(ILogger logger, string reason);
}
