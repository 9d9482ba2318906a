using System.Globalization;
using System.Text;
using System.Text.Json;
using Queue.Events;
using Queue.Figures;

namespace Queue.Live;

/// <summary>
/// What <c>GET /api/live/check</c> answers: whether live state equals PostgreSQL for the center and <see cref="Queues"/>
/// queues (or the one queue asked for), and each figure where it does not.
/// </summary>
public sealed record LiveCheckReport(bool Equal, DateTimeOffset CheckedAt, string? Queue, int Queues, IReadOnlyList<LiveDifference> Differences)
{
    /// <summary>The report as lines for a terminal (<c>ops/live-check</c>): the verdict first, then a line per difference.</summary>
    public string Text()
    {
        var scope = (Queue is null ? $"the center and {Many(Queues, "queue")}" : $"queue {Queue}") + $", checked at {Rfc3339.Format(CheckedAt)}";
        var text = new StringBuilder(Equal
            ? $"live state equals PostgreSQL: {scope}\n"
            : $"live state differs from PostgreSQL in {Many(Differences.Count, "figure")}: {scope}\n");
        foreach (var d in Differences)
        {
            text.Append(CultureInfo.InvariantCulture, $"{d.Queue ?? "center"} {d.Window} {d.Figure}: live {Number(d.Live)}, PostgreSQL {Number(d.Postgres)}");
            if (d.From is { } from && d.To is { } to) text.Append(CultureInfo.InvariantCulture, $" (from {Rfc3339.Format(from)} to {Rfc3339.Format(to)})");
            text.Append('\n');
        }
        return text.ToString();
    }

    static string Many(int count, string what) => string.Create(CultureInfo.InvariantCulture, $"{count} {what}{(count == 1 ? "" : "s")}");

    static string Number(double? value) => value is { } v ? v.ToString("0.######", CultureInfo.InvariantCulture) : "none";
}

/// <summary>
/// A figure live state shows otherwise than PostgreSQL counts it, in every reading of a check. <see cref="Queue"/> is null
/// for the whole center. <see cref="Window"/> is <c>m15</c>, <c>m60</c>, <c>today</c> or <c>visits</c> (the rolling 7 days
/// of visit deadlines), with its bounds (<c>/api/metrics</c> over them gives PostgreSQL's figure), or <c>now</c>:
/// <c>callsWaiting</c>, and <c>waiting</c> (the legs the queue's detail lists), against the legs open in PostgreSQL.
/// </summary>
public sealed record LiveDifference(string? Queue, string Window, DateTimeOffset? From, DateTimeOffset? To, string Figure, double? Live, double? Postgres);

/// <summary>
/// One reading of a queue (or the center, <see cref="Queue"/> null): its live snapshot at an instant, PostgreSQL's figures
/// over the bounds of each of its windows, and the legs waiting on each side (<c>{call}#{leg}</c>).
/// </summary>
internal sealed record LiveReading(
    string? Queue, QueueSnapshot Live, WindowFigures M15, WindowFigures M60, WindowFigures Today, WindowFigures Visits,
    IReadOnlySet<string> Listed, IReadOnlySet<string> Open);

/// <summary>A difference found in a reading, with what shows it (the legs it is about, or the figure alone).</summary>
internal sealed record Found(LiveDifference Difference, IReadOnlySet<string> Witnesses)
{
    public (string?, string, string) Key => (Difference.Queue, Difference.Window, Difference.Figure);
}

/// <summary>Pure: a reading → its differences; several readings → the differences every one of them shows.</summary>
internal static class LiveComparison
{
    const double Tolerance = 1e-6;
    // A figure of a window at a fixed instant differs by itself: every reading that shows it witnesses it.
    static readonly IReadOnlySet<string> ByItself = new HashSet<string>(StringComparer.Ordinal) { "" };

    // Every figure a live window (and the live visits) shows that /api/metrics gives under the same name: a figure added
    // to both is checked with no list to extend.
    static readonly Figure[] PerWindow = Shared(typeof(LiveWindow));
    static readonly Figure[] PerVisits = Shared(typeof(LiveVisits));

    sealed record Figure(string Name, Func<object, double?> Live, Func<WindowFigures, double?> Postgres);

    static Figure[] Shared(Type live) =>
    [
        .. from l in live.GetProperties()
           let p = typeof(WindowFigures).GetProperty(l.Name)
           where p is not null && IsNumber(l.PropertyType) && IsNumber(p.PropertyType)
           select new Figure(JsonNamingPolicy.CamelCase.ConvertName(l.Name), o => Number(l.GetValue(o)), f => Number(p.GetValue(f))),
    ];

    static bool IsNumber(Type t) => (Nullable.GetUnderlyingType(t) ?? t) is var u && (u == typeof(long) || u == typeof(double));

    static double? Number(object? value) => value switch { long l => l, double d => d, _ => null };

    public static List<Found> Differences(LiveReading r)
    {
        var found = new List<Found>();
        var windows = r.Live.Windows;
        foreach (var (name, live, postgres) in new[] { ("m15", windows.M15, r.M15), ("m60", windows.M60, r.M60), ("today", windows.Today, r.Today) })
            foreach (var figure in PerWindow)
                Compare(found, r.Queue, name, live.From, live.To, figure.Name, figure.Live(live), figure.Postgres(postgres));
        foreach (var figure in PerVisits)
            Compare(found, r.Queue, "visits", r.Live.Visits.From, r.Live.Visits.To, figure.Name, figure.Live(r.Live.Visits), figure.Postgres(r.Visits));

        // What is waiting changes with every call: a leg that differs only while its event is on its way shows in one
        // reading and not the next, so a difference stands by the legs that show it in every reading.
        var legs = new HashSet<string>(r.Listed, StringComparer.Ordinal);
        legs.SymmetricExceptWith(r.Open);
        var counted = r.Live.CallsWaiting;
        if (counted != r.Open.Count)
        {
            var witnesses = new HashSet<string>(legs, StringComparer.Ordinal);
            if (counted != r.Listed.Count) witnesses.Add($"unlisted {counted - r.Listed.Count}");
            found.Add(new Found(new LiveDifference(r.Queue, "now", null, null, "callsWaiting", counted, r.Open.Count), witnesses));
        }
        if (legs.Count > 0)
            found.Add(new Found(new LiveDifference(r.Queue, "now", null, null, "waiting", r.Listed.Count, r.Open.Count), legs));
        return found;
    }

    /// <summary>The differences of <paramref name="latest"/> that every reading before showed too, by the same witness.</summary>
    public static List<Found> Persisting(IReadOnlyList<Found> before, IReadOnlyList<Found> latest)
    {
        var earlier = before.ToDictionary(f => f.Key);
        var kept = new List<Found>();
        foreach (var f in latest)
        {
            if (!earlier.TryGetValue(f.Key, out var seen)) continue;
            var witnesses = new HashSet<string>(f.Witnesses, StringComparer.Ordinal);
            witnesses.IntersectWith(seen.Witnesses);
            if (witnesses.Count > 0) kept.Add(f with { Witnesses = witnesses });
        }
        return kept;
    }

    static void Compare(List<Found> found, string? queue, string window, DateTimeOffset from, DateTimeOffset to, string figure, double? live, double? postgres)
    {
        var same = live is null ? postgres is null : postgres is { } p && Math.Abs(live.Value - p) <= Tolerance;
        if (!same) found.Add(new Found(new LiveDifference(queue, window, from, to, figure, live, postgres), ByItself));
    }
}
