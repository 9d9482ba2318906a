using Queue.Events;

namespace Queue.Alerts;

/// <summary>An open visit past a deadline: its id and when it was created.</summary>
public readonly record struct LateVisit(string VisitId, DateTimeOffset Created);

/// <summary>
/// Pure: the visits of one queue (<see cref="AlertSubjects.NoQueue"/>: of none) past one deadline, oldest first. One
/// alert of the kind stands for them while there are any (SPEC §4: visits come by the dozen, an alert each buries a
/// supervisor); visits join it and leave it, and it clears when none is left.
/// </summary>
public sealed record VisitGroup(string Kind, string Subject, IReadOnlyList<LateVisit> Visits)
{
    /// <summary>
    /// The most visits an alert's details name. A queue whose visits pile up (a CRM down for a day) would otherwise
    /// push and store hundreds of ids with every change; the count (<c>samples</c>) stays whole.
    /// </summary>
    public const int Listed = 200;

    /// <summary>Where the alert shows: the queue, or null for the visits with no call.</summary>
    public string? Queue => QueueOf(Subject);

    public bool Holds => Visits.Count > 0;

    public static string SubjectOf(string? queue) => queue ?? AlertSubjects.NoQueue;

    public static string? QueueOf(string subject) => subject == AlertSubjects.NoQueue ? null : subject;

    /// <summary>The deadline a visit alert's kind is about: 24 h for <c>visit.late</c>, 48 h for <c>visit.overdue</c>.</summary>
    public static TimeSpan DeadlineOf(string kind) => kind == AlertKinds.VisitOverdue ? VisitState.Deadline48 : VisitState.Deadline24;

    /// <summary>The alert's details now: how late the oldest is, the deadline, how many, and the first <see cref="Listed"/> of them.</summary>
    public VisitAlertFigures Figures(DateTimeOffset now) => new(
        Holds ? (now - Visits[0].Created).TotalHours : null, DeadlineOf(Kind).TotalHours, Visits.Count, "now",
        [.. Visits.Take(Listed).Select(v => v.VisitId)]);

    /// <summary>The visits that join and leave an alert that lists <paramref name="listed"/> when it becomes this group.</summary>
    public (IReadOnlyList<string> Joined, IReadOnlyList<string> Left) Since(IReadOnlySet<string> listed)
    {
        var now = Visits.Select(v => v.VisitId).ToHashSet(StringComparer.Ordinal);
        return ([.. Visits.Select(v => v.VisitId).Where(v => !listed.Contains(v))],
            [.. listed.Where(v => !now.Contains(v)).Order(StringComparer.Ordinal)]);
    }
}

/// <summary>
/// A visit alert's details: <see cref="Value"/> the hours since the oldest visit was created, <see cref="Target"/> the
/// deadline in hours, <see cref="Samples"/> how many visits, <see cref="Visits"/> their ids, oldest first, at most
/// <see cref="VisitGroup.Listed"/>; all as of the alert's last change.
/// </summary>
public sealed record VisitAlertFigures(double? Value, double Target, long Samples, string Window, IReadOnlyList<string> Visits);
