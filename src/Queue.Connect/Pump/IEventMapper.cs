namespace Queue.Connect.Pumping;

/// <summary>
/// A source's mapping as a <see cref="Pump{TItem}"/> drives it: pure — items of the source go in, in the order read,
/// events of SPEC §2 come out, appended to the list given; no I/O, no clock (the time comes in as arguments). The same
/// mapping serves an import of history and live following.
/// </summary>
/// <typeparam name="TItem">One unit the source gives: a queue_log line, a CSV row, an event-socket event.</typeparam>
internal interface IEventMapper<in TItem>
{
    /// <summary>Maps one item, appending its events (and any earlier ones it decides) to <paramref name="events"/>.</summary>
    /// <returns>Why the item gave nothing, when it is broken (a value of the source's own cause enum); null otherwise.</returns>
    Enum? Map(TItem item, List<WireEvent> events);

    /// <summary>The reader has read all the source has for now, at <paramref name="now"/>: what time alone decides is decided.</summary>
    void CaughtUp(DateTimeOffset now, List<WireEvent> events);

    /// <summary>Nothing more will be read (an import's end): every pending decision is taken now.</summary>
    void End(List<WireEvent> events);
}
