using System.CommandLine;
using Microsoft.Extensions.Logging;
using Queue.Connect.Csv;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;

namespace Queue.Connect;

/// <summary><c>csv FILE…</c>: call records exported by any system, one row per leg (SPEC §9), imported whole.</summary>
internal static partial class CsvCommand
{
    public static Command Build()
    {
        var common = new ConnectCli.Common();
        var files = new Argument<string[]>("FILE") { Description = "Call-record files (a header row, one row per leg)", Arity = ArgumentArity.OneOrMore };
        var columns = new Option<string[]>("--column") { Description = "FIELD=HEADER: the header a field is read from, e.g. queued_at=EnterTime (repeatable)" };
        var zone = new Option<string?>("--time-zone") { Description = "IANA zone of timestamps written without an offset, e.g. Asia/Yekaterinburg" };
        var source = new Option<string>("--source") { Description = "Names the system: call ids and event ids are made under it", DefaultValueFactory = _ => "csv" };
        var prefix = new Option<string>("--queue-prefix") { Description = "Put before every queue name", DefaultValueFactory = _ => "" };
        var rejects = new Option<string?>("--rejects") { Description = "Where bad rows and refused events go (default: beside the first file, *.rejects.jsonl)" };

        var command = new Command("csv", "Call records (CSV, one row per leg) from any system, imported whole");
        command.Arguments.Add(files);
        foreach (var o in new Option[] { columns, zone, source, prefix, rejects }) command.Options.Add(o);
        common.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(source) is { } s && (s.Length > EventIds.MaxSourceLength || !Identifiers.IsValid(s)))
                r.AddError($"--source must be 1–{EventIds.MaxSourceLength} letters, digits, '.', '_', '-', ':'");
            if (r.GetValue(prefix) is { Length: > 0 } p && !Identifiers.IsValid(p)) r.AddError("--queue-prefix must be letters, digits, '.', '_', '-', ':'");
        });
        command.SetAction((parse, ct) => ConnectCli.RunAsync(async log =>
        {
            var target = ServiceTarget.Resolve(parse.GetValue(common.Url), parse.GetValue(common.KeyFile), Environment.GetEnvironmentVariable);
            var paths = parse.GetValue(files)!;
            var mapping = new CsvMapping(parse.GetValue(source)!, parse.GetValue(prefix) ?? "", Zone(parse.GetValue(zone)),
                CsvColumns.Parse(parse.GetValue(columns) ?? []));
            var rejectPath = parse.GetValue(rejects) ?? paths[0] + ".queue-connect.rejects.jsonl";
            var rejectFile = new RejectFile(rejectPath, TimeProvider.System);
            using var http = new HttpClient { BaseAddress = target.Url, Timeout = Timeout.InfiniteTimeSpan };
            var poster = new EventPoster(http, target.Key, rejectFile, log, TimeProvider.System);
            var mapper = new CallRecordMapper(mapping.Source);
            var pump = new Pump<CallRecord>(mapper, poster, log);
            await CsvImport.RunAsync(paths, mapping, pump, rejectFile, ct);
            Console.Out.Write(pump.Summary.Format("rows", [$"rows repeated:       {mapper.RepeatedRows}"]));
            if (pump.Summary.Skipped.Count > 0) SkippedRows(log, pump.Summary.Skipped.Values.Sum(), rejectPath);
            return 0;
        }, Stopped));
        return command;
    }

    static TimeZoneInfo? Zone(string? id)
    {
        if (id is null) return null;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new UsageException($"--time-zone {id}: no such zone (an IANA id, e.g. Asia/Yekaterinburg)");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} rows skipped; each is in {RejectFile} with its reason")]
    static partial void SkippedRows(ILogger logger, long count, string rejectFile);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stopped: {Reason}. Events acknowledged so far are kept; import again to send the rest (duplicates are counted, never doubled).")]
    static partial void Stopped(ILogger logger, string reason);
}
