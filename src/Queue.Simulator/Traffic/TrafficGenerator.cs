using Queue.Ingest;

namespace Queue.Simulator.Traffic;

/// <summary>
/// A realistic event stream of a contact center, as its telephony and field-service systems would send it:
/// calls arriving (Poisson, at a rate that follows the operators on shift) in several queues, waiting,
/// answered by the operator idle the longest or abandoned when the caller's patience runs out, transferred,
/// completed (some with a field visit, resolved or cancelled hours later), and operators' status changes
/// through shifts and breaks. The same options and start always give the same stream.
/// </summary>
public sealed class TrafficGenerator
{
    readonly TrafficOptions options;

    public TrafficGenerator(TrafficOptions options)
    {
        options.Validate();
        this.options = options;
    }

    /// <summary>
    /// The events from <paramref name="start"/> on, in order of <c>at</c>, made lazily as they are read: up to
    /// <paramref name="end"/>, or for ever when it is null (a live feed paces itself by each event's <c>at</c>).
    /// The center starts with nobody waiting and every operator whose shift covers <paramref name="start"/> available.
    /// </summary>
    /// <remarks>From <paramref name="arrivalsUntil"/> on, no new call arrives: what has begun plays out (calls
    /// answered and completed, visits resolved up to 60 h later), and the stream then ends.</remarks>
    public IEnumerable<EventDocs.Event> Run(DateTimeOffset start, DateTimeOffset? end = null, DateTimeOffset? arrivalsUntil = null) =>
        new Simulation(options, start).Run(end ?? DateTimeOffset.MaxValue, arrivalsUntil);
}
