using System.Collections.Immutable;
using HangfireLevel = Hangfire.Logging.LogLevel;

namespace Queue.Jobs;

/// <summary>
/// Hangfire logs through one process-wide provider (LibLog). Given a service's <see cref="ILoggerFactory"/> directly,
/// it would keep using that factory after the service stopped and disposed it (and throw, in every other service of the
/// process: tests run several). This one looks the factory up at each message: the latest service still running.
/// </summary>
internal sealed class HangfireLogs : Hangfire.Logging.ILogProvider
{
    public static readonly HangfireLogs Instance = new();
    static ImmutableList<ILoggerFactory> factories = [];

    /// <summary>Logs Hangfire's messages to <paramref name="factory"/> until the returned handle is disposed.</summary>
    public static IDisposable Attach(ILoggerFactory factory)
    {
        ImmutableInterlocked.Update(ref factories, list => list.Add(factory));
        return new Detach(factory);
    }

    public Hangfire.Logging.ILog GetLogger(string name) => new Logger(name);

    sealed class Detach(ILoggerFactory factory) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref factories, list => list.Remove(factory));
    }

    sealed class Logger(string name) : Hangfire.Logging.ILog
    {
        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var factory = factories.LastOrDefault();
            if (factory is null) return false;
            ILogger logger;
            try
            {
                logger = factory.CreateLogger(name);
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
            var level = logLevel switch
            {
                HangfireLevel.Trace => LogLevel.Trace,
                HangfireLevel.Debug => LogLevel.Debug,
                HangfireLevel.Info => LogLevel.Information,
                HangfireLevel.Warn => LogLevel.Warning,
                HangfireLevel.Error => LogLevel.Error,
                _ => LogLevel.Critical,
            };
            if (messageFunc is null) return logger.IsEnabled(level);
            if (!logger.IsEnabled(level)) return false;
#pragma warning disable CA1848, CA2254 // Hangfire's messages are made already; there is no template to keep
            logger.Log(level, exception, messageFunc());
#pragma warning restore CA1848, CA2254
            return true;
        }
    }
}
