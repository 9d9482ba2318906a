using System.Globalization;

namespace Queue.Simulator.QueueLog;

/// <summary>
/// How the simulated center's Asterisk names what it logs. Operators are SIP phones with no member names of their own
/// (<c>op-00042</c> → <c>SIP/1042</c>), so the interface is the name on every line. A channel's uniqueid is Asterisk's
/// <c>epoch.counter</c>: the caller's channel is made when the call arrives, the operator's when it starts to ring.
/// The counter is taken from the call's number in its simulated week — even for callers, odd for operators — so that
/// the same call always has the same uniqueid, whenever the log is written: a log written again is the same lines,
/// which a connector counts as duplicates.
/// </summary>
internal static class PbxNames
{
    /// <summary>The dialplan context a transfer sends a call to.</summary>
    public const string TransferContext = "from-internal";

    /// <summary>The member interface of a simulated operator.</summary>
    public static string Member(string operatorId) =>
        string.Create(CultureInfo.InvariantCulture, $"SIP/{1000 + Number(operatorId)}");

    /// <summary>The uniqueid of a caller's channel, made when the call arrived at <paramref name="epoch"/>.</summary>
    public static string CallerChannel(string callId, long epoch) =>
        string.Create(CultureInfo.InvariantCulture, $"{epoch}.{2 * Number(callId)}");

    /// <summary>The uniqueid of the operator's channel that rang from <paramref name="epoch"/> for this call.</summary>
    public static string MemberChannel(string callId, long epoch) =>
        string.Create(CultureInfo.InvariantCulture, $"{epoch}.{(2 * Number(callId)) + 1}");

    /// <summary>The call id a connector following this log gives the call (its <c>--source</c>, a colon, the uniqueid).</summary>
    public static string ConnectorCallId(string source, string callId, DateTimeOffset queuedAt) =>
        $"{source}:{CallerChannel(callId, queuedAt.ToUnixTimeSeconds())}";

    /// <summary>The number a simulated id ends with (<c>…-c0000042</c> → 42, <c>op-00007</c> → 7).</summary>
    public static long Number(string id)
    {
        var start = id.Length;
        while (start > 0 && char.IsAsciiDigit(id[start - 1])) start--;
        return start < id.Length ? long.Parse(id.AsSpan(start), NumberStyles.None, CultureInfo.InvariantCulture) : 0;
    }
}
