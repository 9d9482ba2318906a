using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Queue.Connect.FreeSwitch;

namespace Queue.Connect.Pumping;

/// <summary>How the event socket is followed.</summary>
/// <param name="FirstRetry">The wait before the first reconnection; it doubles (with jitter) up to <paramref name="MaxRetry"/>.</param>
/// <param name="Handshake">How long connecting, the password and the subscription may take.</param>
internal sealed record EslOptions(TimeSpan FirstRetry, TimeSpan MaxRetry, TimeSpan Handshake)
{
    public static readonly EslOptions Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
}

/// <summary>
/// <c>freeswitch --esl HOST:PORT</c>: follows mod_callcenter over the event socket for as long as it runs. A lost
/// connection, a switch that is down, a refused password: each is said plainly in the log and tried again with
/// exponential back-off and jitter, for as long as it takes; the password file is read again at every attempt, so an
/// operator can correct it without a restart.
/// <para>
/// Events go out as soon as none more are waiting on the socket (or a batch is full). While a batch waits for the
/// service, the socket is not read: the switch keeps the events in its queue for this connection (mod_event_socket
/// holds up to 100,000 and drops beyond), and this program's memory stays one batch. The socket has no replay: what
/// the switch sends while no connection is up is not to be had again.
/// </para>
/// </summary>
internal sealed partial class EslFollower(string host, int port, Func<string> password, Pump<EslEvent> pump, TimeProvider time, EslOptions options, ILogger log)
{
    /// <summary>Connections that completed the handshake.</summary>
    public int Connections { get; private set; }

    public async Task RunAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            string why;
            try
            {
                using var session = await EslSession.OpenAsync(host, port, password(), options.Handshake, ct);
                Connections++;
                failures = 0;
                Connected(log, host, port);
                why = await FollowAsync(session.Reader, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (EslRefusedException e)
            {
                var wait = Backoff(++failures);
                Refused(log, host, port, e.Message, wait);
                await Task.Delay(wait, time, ct);
                continue;
            }
            catch (Exception e) when (e is IOException or SocketException or TimeoutException or EslProtocolException)
            {
                why = e.Message;
            }
            // What was read before the connection went is posted, whatever became of it.
            await pump.FlushAsync(ct);
            var delay = Backoff(++failures);
            Lost(log, host, port, why, delay);
            await Task.Delay(delay, time, ct);
        }
    }

    /// <summary>Reads events until the connection ends; returns why it ended.</summary>
    async Task<string> FollowAsync(EslReader reader, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var frame = await reader.ReadAsync(ct);
                if (frame is null) return "the event socket closed the connection";
                switch (frame.ContentType)
                {
                    case "text/event-plain":
                        pump.Take(EslEvent.Parse(frame.Body));
                        break;
                    case "text/disconnect-notice":
                        return "the event socket hung up";
                }
                if (pump.Full || (!reader.HasBuffered && pump.Waiting > 0)) await pump.FlushAsync(ct);
            }
        }
        finally
        {
            if (!ct.IsCancellationRequested && pump.Waiting > 0) await pump.FlushAsync(ct);
        }
    }

    TimeSpan Backoff(int failures)
    {
        var exponent = Math.Min(failures - 1, 20);
        var full = Math.Min(options.MaxRetry.Ticks, options.FirstRetry.Ticks * (1L << exponent));
        // Jitter in [½, 1] of the full wait: connectors of several sites do not all knock at once.
        return TimeSpan.FromTicks(full / 2 + (long)(Random.Shared.NextDouble() * (full / 2)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Following call center events of {Host}:{Port}")]
    static partial void Connected(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event socket {Host}:{Port}: {Why}; connecting again in {Delay}")]
    static partial void Lost(ILogger logger, string host, int port, string why, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event socket {Host}:{Port}: {Why}. Check --password-file against event_socket.conf.xml; trying again in {Delay}")]
    static partial void Refused(ILogger logger, string host, int port, string why, TimeSpan delay);
}
