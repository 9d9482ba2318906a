namespace Queue.Connect.Asterisk;

/// <summary>How one PBX's queue_log is mapped.</summary>
/// <param name="Source">Namespaces the call ids and event ids of this PBX (two PBXs both have a uniqueid 1700000000.1).</param>
/// <param name="QueuePrefix">Put before every queue name, where two PBXs use the same queue names.</param>
/// <param name="RequeueWindow">An exit or transfer followed by the call entering a queue within it is a transfer.</param>
/// <param name="GhostAge">A leg with no end that started this long before the end of what was read is a ghost.</param>
/// <param name="MemberNames">Member interface → member name, for PBXs whose membership lines carry the interface.</param>
internal sealed record MappingOptions(
    string Source,
    string QueuePrefix,
    TimeSpan RequeueWindow,
    TimeSpan GhostAge,
    IReadOnlyDictionary<string, string> MemberNames)
{
    public static readonly TimeSpan DefaultRequeueWindow = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan DefaultGhostAge = TimeSpan.FromHours(1);

    public static MappingOptions For(string source, string queuePrefix = "") =>
        new(source, queuePrefix, DefaultRequeueWindow, DefaultGhostAge, new Dictionary<string, string>(StringComparer.Ordinal));
}

/// <summary>What the mapping dropped or set aside, for the summary a run prints.</summary>
internal sealed class MappingCounts
{
    /// <summary>Legs that never ended, started more than the ghost age before the end of what was read: never sent.</summary>
    public long GhostLegsDropped { get; set; }
    /// <summary>Legs found to be ghosts after their <c>call.queued</c> had gone out (following live, a PBX restarted).</summary>
    public long GhostLegsAlreadySent { get; set; }
    /// <summary>Consult channels of attended transfers: calls an agent placed into a queue, not callers.</summary>
    public long ConsultChannels { get; set; }
    /// <summary>Lines of events the mapping does not turn into events (RINGCANCELED, CONFIGRELOAD…), by event.</summary>
    public SortedDictionary<string, long> NotMapped { get; } = new(StringComparer.Ordinal);
}
