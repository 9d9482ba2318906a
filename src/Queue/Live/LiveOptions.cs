using System.ComponentModel.DataAnnotations;

namespace Queue.Live;

/// <summary>Live state in Redis and its pushes, from <c>Queue:Live</c>. The Redis server is <c>ConnectionStrings:Redis</c>.</summary>
public sealed class LiveOptions
{
    public const string Section = "Queue:Live";

    /// <summary>Put before every Redis key and SignalR channel, to share one Redis between deployments.</summary>
    [RegularExpression(@"^[A-Za-z0-9_.:-]{0,50}$")]
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// Pushes per queue are coalesced to at most one per interval; the last state is always sent. This is the shortest
    /// interval: with more watching screens than <see cref="ScreenMessagesPerSecond"/> allows at it, it stretches.
    /// </summary>
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// About how many messages a second this node may send its watching screens (each gets at most one a round): the
    /// push interval is at least the screens' count ÷ this, so that a growing floor slows every screen's pushes a little
    /// rather than overwhelming the node (docs/performance.md).
    /// </summary>
    [Range(100, 10_000_000)]
    public int ScreenMessagesPerSecond { get; set; } = 10_000;

    /// <summary>The push interval of a node that <paramref name="screens"/> screens watch: the configured one, or as long as its message budget needs.</summary>
    public TimeSpan IntervalFor(int screens) =>
        TimeSpan.FromTicks(Math.Max(PublishInterval.Ticks, TimeSpan.FromSeconds((double)screens / ScreenMessagesPerSecond).Ticks));

    /// <summary>
    /// The longest a round's first snapshot waits for the round's others to be read (the center's read is the slowest),
    /// so that a screen gets one message a round for all it watches; then the round is written with what it has.
    /// </summary>
    public TimeSpan RoundHold { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>
    /// A leg still waiting after this long is taken for a ghost — a call a restarted PBX never ended, or history loaded
    /// without its end — and no live figure counts it (SPEC §9 calls a leg that never ends, an hour old, a ghost).
    /// </summary>
    public TimeSpan GhostAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the log is looked at when it had nothing new and this node cannot hear other nodes' commits (the
    /// listening connection is down), and while events committed are held back behind a running transaction; also the
    /// least time between the starts of two looks, but to go on with a full page.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Events a second coming into the log above which looks start further apart than <see cref="PollInterval"/>, in
    /// proportion to the rate (twice this rate, twice the interval), up to <see cref="BusyPollInterval"/>: a look has a
    /// fixed cost, and a log growing by thousands a second is read in fewer, larger looks.
    /// </summary>
    [Range(1, 10_000_000)]
    public int PollStretchRate { get; set; } = 1_000;

    /// <summary>The longest the least time between the starts of two looks stretches to under a busy log (<see cref="PollStretchRate"/>).</summary>
    public TimeSpan BusyPollInterval { get; set; } = TimeSpan.FromMilliseconds(60);

    /// <summary>
    /// How often the log is looked at when it had nothing new while this node hears commits (they wake it at once), in
    /// case a notification was lost: what a lost one can delay an event by.
    /// </summary>
    public TimeSpan ListeningPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a node removes parts that have aged out of every live window.</summary>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events read from the log per step.</summary>
    [Range(1, 50_000)]
    public int FeedBatch { get; set; } = 5_000;

    /// <summary>How long an ended leg or a completed call stays in live state: today and the rolling hour, with a margin.</summary>
    public TimeSpan RetainEnded { get; set; } = TimeSpan.FromHours(26);

    /// <summary>How long a closed visit stays: the rolling 7 days of visit24 after its 48 h deadline, with a margin.</summary>
    public TimeSpan RetainVisits { get; set; } = TimeSpan.FromDays(8);

}
