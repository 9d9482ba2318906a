using Queue.Figures;
using Queue.Live;
using Queue.Staffing;
using Queue.Targets;

namespace Queue.Alerts;

/// <summary>Whether an alert's condition holds for a subject now, and the figures behind it.</summary>
public sealed record AlertCondition(string Kind, string Subject, string? Queue, bool Holds, AlertFigures Figures);

/// <summary>The figure an alert is about, its target, and the samples it stands on.</summary>
public sealed record AlertFigures(double? Value, double Target, long? Samples, string Window);

/// <summary>
/// Pure: live figures and targets → which alerts should be open. A breach is strictly past its target (a wait of
/// exactly 30 s is on target). A rate needs the minimum sample to raise an alert; once raised, it clears only when
/// the rate is back inside its target by a margin (a share of the target for the average wait and the abandonment
/// limit, a share of the room between the target and 100 % for the other shares), or when its samples fall under the
/// minimum: a rate hovering at the target does not raise and clear an alert on every call.
/// </summary>
public static class AlertRules
{
    public static IEnumerable<AlertCondition> OfQueue(QueueSnapshot s, TargetOptions t, Func<string, bool> isOpen, double clearMargin, TimeSpan? forecastHorizon = null)
    {
        var queue = s.Queue!;
        var wait = t.Wait.TotalSeconds;
        yield return new(AlertKinds.QueueWait, queue, queue, s.LongestWaitSeconds > wait,
            new(s.LongestWaitSeconds, wait, s.CallsWaiting, "now"));

        var m60 = s.Windows.M60;
        yield return new(AlertKinds.QueueAsa, queue, queue,
            Rate(isOpen(AlertKinds.QueueAsa), m60.AsaSeconds, m60.Answered, t.MinimumSample,
                breached: v => v > wait, recovered: v => v <= wait * (1 - clearMargin) + Rounding),
            new(m60.AsaSeconds, wait, m60.Answered, "m60"));

        // Judged only where the queue has the target (SPEC §1: none by default); an alert open when it is removed clears.
        var offered = m60.Answered + m60.Abandoned;
        yield return new(AlertKinds.QueueServiceLevel, queue, queue,
            t.ServiceLevel is { } level && Rate(isOpen(AlertKinds.QueueServiceLevel), m60.ServiceLevel, offered, t.MinimumSample,
                breached: v => v < level, recovered: v => v >= level + (1 - level) * clearMargin - Rounding),
            new(m60.ServiceLevel, t.ServiceLevel ?? 0, offered, "m60"));
        yield return new(AlertKinds.QueueAbandonment, queue, queue,
            t.Abandonment is { } limit && Rate(isOpen(AlertKinds.QueueAbandonment), m60.AbandonmentRate, offered, t.MinimumSample,
                breached: v => v > limit, recovered: v => v <= limit * (1 - clearMargin) + Rounding),
            new(m60.AbandonmentRate, t.Abandonment ?? 0, offered, "m60"));

        var today = s.Windows.Today;
        yield return new(AlertKinds.QueueRemote, queue, queue,
            Rate(isOpen(AlertKinds.QueueRemote), today.RemoteResolution, today.Completed - today.ResolutionUnknown, t.MinimumSample,
                breached: v => v < t.Remote, recovered: v => v >= t.Remote + (1 - t.Remote) * clearMargin - Rounding),
            new(today.RemoteResolution, t.Remote, today.Completed - today.ResolutionUnknown, "today"));

        var visits = s.Visits;
        yield return new(AlertKinds.VisitsShare, queue, queue,
            Rate(isOpen(AlertKinds.VisitsShare), visits.Visit24, visits.Due24, t.MinimumSample,
                breached: v => v < t.Visit24, recovered: v => v >= t.Visit24 + (1 - t.Visit24) * clearMargin - Rounding),
            new(visits.Visit24, t.Visit24, visits.Due24, "7d"));

        yield return Forecasting(s, t, isOpen(AlertKinds.QueueForecast), clearMargin, forecastHorizon ?? DefaultForecastHorizon);
    }

    public static readonly TimeSpan DefaultForecastHorizon = TimeSpan.FromMinutes(15);

    /// <summary>
    /// <c>queue.forecast</c>: the model (<see cref="Forecast"/>) says the queue breaches its ASA target within the
    /// horizon at its current arrivals, trend and staffing. It needs the minimum sample of arrivals in the last hour and
    /// a handle time. Once raised, it clears when the projection stays under the target less the margin and under
    /// the agents all through the horizon.
    /// </summary>
    static AlertCondition Forecasting(QueueSnapshot s, TargetOptions t, bool open, double clearMargin, TimeSpan horizon)
    {
        var queue = s.Queue!;
        var wait = t.Wait.TotalSeconds;
        var window = $"next {horizon.TotalMinutes.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} min";
        if (s.Staffing is not { } st || st.Inputs.Arrived60 < t.MinimumSample || wait <= 0
            || StaffingNow.Forecasting(st, t) is not { } inputs)
            return new(AlertKinds.QueueForecast, queue, queue, false, new(null, wait, s.Staffing?.Inputs.Arrived60, window));
        var limit = open ? t.Wait * (1 - clearMargin) : t.Wait;
        var first = Forecast.FirstBreach(inputs, horizon, limit);
        if (first is not null)
            window = $"in {first.After.TotalMinutes.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} min";
        return new(AlertKinds.QueueForecast, queue, queue, first is not null, new(first?.AsaSeconds, wait, st.Inputs.Arrived60, window));
    }

    // Shares are ratios of counts: 91 of 100 must count as back at 0.91, whatever the rounding of 0.9 + 0.01.
    const double Rounding = 1e-9;

    static bool Rate(bool open, double? value, long samples, int minimum, Func<double, bool> breached, Func<double, bool> recovered)
    {
        if (value is not { } v || samples < minimum) return false;
        return open ? !recovered(v) : breached(v);
    }

    /// <summary>The first instant at which the queue's longest wait is past its target, if a call is waiting.</summary>
    public static DateTimeOffset? WaitBreachAt(DateTimeOffset? oldestWaitingSince, TargetOptions t) =>
        oldestWaitingSince is { } since ? since + t.Wait + TimeSpan.FromTicks(10) : null;

    /// <summary>
    /// Open visits (id, queue, created) → per queue, the visits past their 24 h deadline (<c>visit.late</c>) and those
    /// past their 48 h deadline (<c>visit.overdue</c>) now, strictly, oldest first; a group only where there are some.
    /// A visit resolved or cancelled is no longer open: it leaves its groups.
    /// </summary>
    /// <remarks>
    /// A deadline passed more than <paramref name="history"/> ago (the ingest lateness) is history — a visit loaded with
    /// an import key, never resolved as far as the history tells — and joins no group; a visit the group's alert lists
    /// already (<paramref name="isListed"/>: kind, subject, visit) stays in it while it stays open.
    /// </remarks>
    public static IEnumerable<VisitGroup> OfVisits(IEnumerable<(string VisitId, string? Queue, DateTimeOffset Created)> open, DateTimeOffset now,
        TimeSpan? history = null, Func<string, string, string, bool>? isListed = null)
    {
        var groups = new Dictionary<(string Kind, string Subject), List<LateVisit>>();
        foreach (var (visit, queue, created) in open)
        {
            var late = now - created;
            var subject = VisitGroup.SubjectOf(queue);
            foreach (var kind in (string[])[AlertKinds.VisitLate, AlertKinds.VisitOverdue])
            {
                var deadline = VisitGroup.DeadlineOf(kind);
                if (late <= deadline || (history is { } h && late - deadline > h && isListed?.Invoke(kind, subject, visit) != true)) continue;
                if (!groups.TryGetValue((kind, subject), out var visits)) groups[(kind, subject)] = visits = [];
                visits.Add(new LateVisit(visit, created));
            }
        }
        return groups.OrderBy(g => g.Key.Kind, StringComparer.Ordinal).ThenBy(g => g.Key.Subject, StringComparer.Ordinal)
            .Select(g => new VisitGroup(g.Key.Kind, g.Key.Subject, [.. g.Value.OrderBy(v => v.Created).ThenBy(v => v.VisitId, StringComparer.Ordinal)]));
    }

    /// <summary>The first instant after <paramref name="now"/> at which an open visit passes a deadline.</summary>
    public static DateTimeOffset? NextVisitDeadline(IEnumerable<DateTimeOffset> createdOfOpenVisits, DateTimeOffset now)
    {
        DateTimeOffset? next = null;
        foreach (var created in createdOfOpenVisits)
        {
            foreach (var deadline in (TimeSpan[])[Events.VisitState.Deadline24, Events.VisitState.Deadline48])
            {
                var at = created + deadline + TimeSpan.FromTicks(10);
                if (at > now && (next is null || at < next)) next = at;
            }
        }
        return next;
    }
}
