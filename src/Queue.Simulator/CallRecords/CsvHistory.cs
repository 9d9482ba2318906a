using Queue.Ingest;
using Queue.Simulator.Traffic;

namespace Queue.Simulator.CallRecords;

/// <summary>
/// The part of the demo center's history that reaches the service as call records rather than as its events: the calls
/// queued in [<see cref="From"/>, <see cref="Until"/>) and over by <see cref="Until"/>, imported by the connector under
/// <see cref="Source"/>. The simulation is the same whenever it is run, so the file's writer and the demo feeding the
/// rest both know which calls those are, and the demo leaves them out: no call reaches the service twice under two ids.
/// </summary>
internal sealed record CsvHistory(TrafficOptions Center, DateTimeOffset From, DateTimeOffset Until, string Source)
{
    /// <summary>The zone the records' times are written in: the center's.</summary>
    public const string ZoneId = "Asia/Yekaterinburg";

    public static TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(ZoneId);

    /// <summary>The calls of the <paramref name="days"/> days before <paramref name="until"/>, imported under <paramref name="source"/>.</summary>
    public static CsvHistory Of(TrafficOptions center, DateTimeOffset until, int days, string source = "csv") =>
        new(center, until.AddDays(-days), until, source);

    /// <summary>The records, a call's rows together when it ends.</summary>
    public IEnumerable<CallRecordRow> Rows() => CallRecordLegs.Of(DemoTraffic.Run(Center, From), Until);

    /// <summary>The call id the connector gives a call of the records (its <c>--source</c>, a colon, the <c>call_id</c>).</summary>
    public string ConnectorCallId(string callId) => $"{Source}:{callId}";

    /// <summary>
    /// <paramref name="events"/> (the demo center's, in order of <c>at</c>) without the calls the records hold; a visit
    /// made on one of those calls names it as the connector does, so that the two join up in the service.
    /// </summary>
    public IEnumerable<EventDocs.Event> Without(IEnumerable<EventDocs.Event> events)
    {
        var imported = CallRecordLegs.CallIds(DemoTraffic.Run(Center, From), Until);
        foreach (var e in events)
        {
            if (e is EventDocs.VisitCreated { CallId: { } call } v && imported.Contains(call)) yield return v with { CallId = ConnectorCallId(call) };
            else if (CallOf(e) is not { } id || !imported.Contains(id)) yield return e;
        }
    }

    static string? CallOf(EventDocs.Event e) => e switch
    {
        EventDocs.CallQueued q => q.CallId,
        EventDocs.CallAnswered a => a.CallId,
        EventDocs.CallMissed m => m.CallId,
        EventDocs.CallTransferred t => t.CallId,
        EventDocs.CallAbandoned b => b.CallId,
        EventDocs.CallCompleted c => c.CallId,
        EventDocs.CallResolution r => r.CallId,
        _ => null,
    };
}
