using System.CommandLine;
using Microsoft.Extensions.Logging;
using Queue.Connect.Posting;

namespace Queue.Connect;

/// <summary>
/// <c>Queue.Connect SOURCE [options]</c>: reads what a PBX writes and posts SPEC §2 events to a Queue service. One
/// command per kind of source; each maps its source one way, for history and for live following alike.
/// </summary>
internal static class ConnectCli
{
    public static Task<int> RunAsync(string[] args) => Build().Parse(args).InvokeAsync();

    public static RootCommand Build()
    {
        var root = new RootCommand("Reads what a PBX writes and posts Queue's events (SPEC §2) to POST /api/events.");
        root.Subcommands.Add(AsteriskCommand.Build());
        root.Subcommands.Add(FreeSwitchCommand.Build());
        root.Subcommands.Add(CsvCommand.Build());
        return root;
    }

    /// <summary>The console logs of a run: one line each, with the time.</summary>
    public static ILoggerFactory Logs() => LoggerFactory.Create(b => b
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
        .AddFilter("System.Net.Http", LogLevel.Warning)
        .SetMinimumLevel(LogLevel.Information));

    /// <summary>
    /// Runs a command with the console log: a usage error is said as it is (exit code 2); a key the service refuses
    /// stops the run, said by <paramref name="stopped"/> (exit code 3).
    /// </summary>
    public static async Task<int> RunAsync(Func<ILogger, Task<int>> body, Action<ILogger, string> stopped)
    {
        using var logs = Logs();
        var log = logs.CreateLogger("Queue.Connect");
        try
        {
            return await body(log);
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (KeyRefusedException e)
        {
            stopped(log, e.Message);
            return 3;
        }
    }

    /// <summary>The options every source shares: where to post, with which key.</summary>
    internal sealed class Common
    {
        public Option<string?> Url { get; } = new("--url") { Description = "The service's address (else QUEUE_URL), e.g. http://queue:8080" };
        public Option<string?> KeyFile { get; } = new("--key-file") { Description = "A file holding the API key (else QUEUE_KEY)" };
        public Option<string?> Key { get; } = new("--key") { Hidden = true };

        public void AddTo(Command command)
        {
            command.Options.Add(Url);
            command.Options.Add(KeyFile);
            command.Options.Add(Key);
            command.Validators.Add(result =>
            {
                if (result.GetResult(Key) is not null)
                    result.AddError("--key is not accepted: a key on the command line shows in the process list. Set QUEUE_KEY or use --key-file FILE.");
            });
        }
    }
}
