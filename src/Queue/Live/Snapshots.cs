using Queue.Events;
using Queue.Figures;
using Queue.Ingest;
using Queue.Staffing;
using Queue.Targets;

namespace Queue.Live;

/// <summary>The SPEC §3 figures of one live window [from, to).</summary>
public sealed record LiveWindow(
    DateTimeOffset From, DateTimeOffset To,
    long Answered, long Abandoned, long ShortAbandoned, double? AsaSeconds, double? ServiceLevel, double? AbandonmentRate,
    long Completed, long ResolvedRemotely, long ResolutionUnknown, double? RemoteResolution,
    LiveWindowStates States);

/// <summary>States of a window's figures; <see cref="ServiceLevel"/> is <c>none</c> unless a service-level target is set.</summary>
public sealed record LiveWindowStates(string Asa, string RemoteResolution, string ServiceLevel, string AbandonmentRate);

/// <summary>Visits now, and visit24 and 48 h breaches of deadlines in the rolling 7 days [from, to).</summary>
public sealed record LiveVisits(
    long Open, long Late, long Overdue,
    DateTimeOffset From, DateTimeOffset To, long Due24, long ResolvedBy24, double? Visit24, long Overdue48);

public sealed record LiveWindows3(LiveWindow M15, LiveWindow M60, LiveWindow Today);

/// <summary>States of the figures that are not per window.</summary>
public sealed record LiveStates(string LongestWait, string Visit24, string Visit48);

/// <summary>
/// One queue's live state (or the whole center's, with <see cref="Queue"/> null). <see cref="Seq"/> orders pushed
/// snapshots of one queue: a client keeps the highest it has seen. <see cref="OldestWaitingSince"/> lets a screen
/// tick the longest wait between pushes. <see cref="Staffing"/> is a queue's (null for the center: its agents serve
/// different queues, so one pooled figure would promise what no queue gets).
/// </summary>
public sealed record QueueSnapshot(
    string? Queue,
    long Seq,
    DateTimeOffset AsOf,
    long CallsWaiting,
    double? LongestWaitSeconds,
    DateTimeOffset? OldestWaitingSince,
    IReadOnlyDictionary<string, long> Agents,
    LiveWindows3 Windows,
    LiveVisits Visits,
    LiveTargets Targets,
    LiveStates States,
    LiveStaffing? Staffing);

public sealed record WaitingLeg(string CallId, int Leg, DateTimeOffset Since, double WaitSeconds, string? Region, string? Language, string? Segment);

/// <summary>
/// An agent of a queue now: its status, the reason its status event gave, since when; answered, the average time from
/// answer to completion and offers missed in the queue today.
/// </summary>
public sealed record AgentLive(string AgentId, string Status, DateTimeOffset Since, double StatusSeconds, long AnsweredToday, double? AverageHandleSeconds,
    IReadOnlyList<string>? Queues, string? Reason, long MissedToday);

/// <summary>A queue in full: its snapshot, every waiting leg longest first (never a caller), and its agents.</summary>
public sealed record QueueDetail(QueueSnapshot Snapshot, IReadOnlyList<WaitingLeg> Waiting, IReadOnlyList<AgentLive> AgentList);

/// <summary>Pure: counts and targets → the snapshot people see.</summary>
public static class Snapshot
{
    public static QueueSnapshot Of(string? queue, long seq, QueueCounts c, TargetOptions t)
    {
        double? longest = c.OldestWaiting is { } since ? Math.Max(0, (c.Now - since).TotalSeconds) : null;
        var agents = Wire.Statuses.Keys.ToDictionary(s => s, _ => 0L, StringComparer.Ordinal);
        foreach (var a in c.Agents.Values) agents[a.Status] = agents.GetValueOrDefault(a.Status) + 1;
        var v = c.Visits;
        var visits = new FigureCounts { Due24 = v.Due24, ResolvedBy24 = v.ResolvedBy24, Overdue48 = v.Overdue48 };
        var visit24 = visits.Visit24;
        return new QueueSnapshot(queue, seq, c.Now, c.Waiting, longest, c.OldestWaiting, agents,
            new LiveWindows3(Window(c.M15, t), Window(c.M60, t), Window(c.Today, t)),
            new LiveVisits(v.Open, v.Late, v.Overdue, v.From, v.To, v.Due24, v.ResolvedBy24, visit24, v.Overdue48),
            TargetStates.Of(t),
            new LiveStates(
                TargetStates.AtMost(longest, t.Wait.TotalSeconds, samples: int.MaxValue, t.MinimumSample),
                FigureStates.Visit24(visits, t),
                v.Overdue > 0 && t.Visit48 >= 1.0 ? FigureState.Breach : v.Late > 0 ? FigureState.Warning : FigureState.Ok),
            queue is null ? null : StaffingNow.Of(c.Staffing ?? StaffingCounts.None, c.M60, agents, t));
    }

    static LiveWindow Window(WindowCounts w, TargetOptions t)
    {
        var c = w.Counts;
        return new LiveWindow(w.From, w.To, c.Answered, c.Abandoned, c.ShortAbandoned, c.AsaSeconds, c.ServiceLevel, c.AbandonmentRate,
            c.Completed, c.Resolved, c.ResolutionUnknown, c.RemoteResolution,
            new LiveWindowStates(FigureStates.Asa(c, t), FigureStates.RemoteResolution(c, t), FigureStates.ServiceLevel(c, t),
                FigureStates.Abandonment(c, t)));
    }
}
