using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Queue.Connect.FreeSwitch;
using Queue.Connect.Posting;
using Queue.Connect.Pumping;

namespace Queue.Connect;

/// <summary><c>freeswitch --esl HOST:PORT --password-file F</c>: mod_callcenter's events over the inbound event socket, followed live.</summary>
internal static partial class FreeSwitchCommand
{
    public static Command Build()
    {
        var common = new ConnectCli.Common();
        var esl = new Option<string>("--esl") { Description = "The event socket, HOST:PORT (FreeSWITCH listens on 8021 by default)", Required = true };
        var passwordFile = new Option<string>("--password-file") { Description = "A file holding the event socket's password (event_socket.conf.xml), read at every connection", Required = true };
        var source = new Option<string>("--source") { Description = "Names this switch: call ids and event ids are made under it", DefaultValueFactory = _ => "freeswitch" };
        var prefix = new Option<string>("--queue-prefix") { Description = "Put before every queue name", DefaultValueFactory = _ => "" };
        var rejects = new Option<string>("--rejects") { Description = "Where refused events go", DefaultValueFactory = _ => "freeswitch.rejects.jsonl" };

        var command = new Command("freeswitch", "FreeSWITCH mod_callcenter over the event socket (ESL), followed live, reconnecting for as long as it takes");
        foreach (var o in new Option[] { esl, passwordFile, source, prefix, rejects }) command.Options.Add(o);
        common.AddTo(command);
        command.Validators.Add(r =>
        {
            if (r.GetValue(esl) is { } e && Endpoint(e) is null) r.AddError($"--esl {e}: expected HOST:PORT, e.g. 127.0.0.1:8021");
            if (r.GetValue(source) is { } s && (s.Length > EventIds.MaxSourceLength || !Identifiers.IsValid(s)))
                r.AddError($"--source must be 1–{EventIds.MaxSourceLength} letters, digits, '.', '_', '-', ':'");
            if (r.GetValue(prefix) is { Length: > 0 } p && !Identifiers.IsValid(p)) r.AddError("--queue-prefix must be letters, digits, '.', '_', '-', ':'");
        });
        command.SetAction((parse, ct) => ConnectCli.RunAsync(async log =>
        {
            var (host, port) = Endpoint(parse.GetValue(esl)!)!.Value;
            var secretFile = parse.GetValue(passwordFile)!;
            var target = ServiceTarget.Resolve(parse.GetValue(common.Url), parse.GetValue(common.KeyFile), Environment.GetEnvironmentVariable);
            if (!File.Exists(secretFile)) throw new UsageException($"--password-file {secretFile}: no such file");
            using var http = new HttpClient { BaseAddress = target.Url, Timeout = Timeout.InfiniteTimeSpan };
            var poster = new EventPoster(http, target.Key, new RejectFile(parse.GetValue(rejects)!, TimeProvider.System), log, TimeProvider.System);
            var mapper = new CallCenterMapper(parse.GetValue(source)!, parse.GetValue(prefix) ?? "");
            var pump = new Pump<EslEvent>(mapper, poster, log);
            var follower = new EslFollower(host, port, () => ReadPassword(secretFile), pump, TimeProvider.System, EslOptions.Default, log);
            try
            {
                await follower.RunAsync(ct);
            }
            catch (OperationCanceledException)
            {
            }
            // Stopped: exits still held for the requeue window are abandons as far as anyone will know; posted if the
            // service answers within a few seconds.
            pump.End();
            using (var last = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                try
                {
                    await pump.FlushAsync(last.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
            Console.Out.Write(pump.Summary.Format("events", Notes(mapper.Counts)));
            return 0;
        }, Stopped));
        return command;
    }

    static IEnumerable<string> Notes(CallCenterCounts counts)
    {
        yield return $"offers withdrawn:    {counts.OffersWithdrawn}";
        yield return $"states while away:   {counts.StatesWhileAway}";
        if (counts.NotMapped.Count > 0) yield return $"events of other actions: {string.Join(", ", counts.NotMapped.Select(p => $"{p.Key} {p.Value}"))}";
    }

    // Read at each attempt: a corrected file is taken without a restart. An unreadable one is an attempt refused.
    static string ReadPassword(string file)
    {
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (IOException e)
        {
            throw new EslRefusedException($"--password-file {file} cannot be read ({e.GetType().Name})");
        }
        catch (UnauthorizedAccessException)
        {
            throw new EslRefusedException($"--password-file {file} cannot be read (no permission)");
        }
    }

    internal static (string Host, int Port)? Endpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535) return null;
        var host = text[..colon].Trim('[', ']');
        return host.Length == 0 ? null : (host, port);
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Stopped: {Reason}.")]
    static partial void Stopped(ILogger logger, string reason);
}
