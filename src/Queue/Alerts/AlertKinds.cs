using System.Globalization;
using System.Text.Json.Serialization;

namespace Queue.Alerts;

// The alert kinds of SPEC §4, each written once: its name, severity, what one alert is about, the unit of its figure,
// what the pages call it and what an escalation says of its figure. The rest is built from this list or held to it:
//   built     GET /api/alerts: its kind's validation, description and enum; GET /api/alerts/kinds, from which the
//             console's kind filter and both pages' labels and figures come; an escalation's figure (EscalationEmails);
//             which kinds group visits (AlertEvaluator); the queue_alerts_* series, one per kind from start-up (AlertMetrics)
//   held      the spec's §4 table, docs/api.md, docs/telemetry.md, ops/grafana/queue.json and what the pages' sources
//             still write of kinds (AlertKindCopiesTests); a rule for every kind (AlertKindsTests)
//
// Adding an alert kind: its constant and entry here, its rule in AlertRules, and its name in the docs above (the test
// says where). docs/architecture.md, "Adding an alert kind".

/// <summary>The kinds of alert, in the order the pages list them.</summary>
public static class AlertKinds
{
    public const string QueueWait = "queue.wait";
    public const string QueueAsa = "queue.asa";
    public const string QueueRemote = "queue.remote";
    public const string QueueServiceLevel = "queue.service_level";
    public const string QueueAbandonment = "queue.abandonment";
    public const string QueueForecast = "queue.forecast";
    public const string VisitLate = "visit.late";
    public const string VisitOverdue = "visit.overdue";
    public const string VisitsShare = "visits.share";

    public static readonly IReadOnlyList<AlertKind> All =
    [
        new(QueueWait, AlertSeverity.Warning, AlertSubjects.Queue, AlertUnits.Seconds, "Longest wait over target",
            f => $"longest wait {N(f.Value, "0")} s, target {N(f.Target, "0")} s ({f.Samples} waiting)"),
        new(QueueAsa, AlertSeverity.Breach, AlertSubjects.Queue, AlertUnits.Seconds, "ASA over target (60 min)",
            f => $"average wait {N(f.Value, "0.#")} s over the last 60 min, target {N(f.Target, "0")} s ({f.Samples} answered)"),
        new(QueueRemote, AlertSeverity.Breach, AlertSubjects.Queue, AlertUnits.Share, "Remote resolution under target (today)",
            f => $"resolved remotely today {N(f.Value * 100, "0.#")} %, target {N(f.Target * 100, "0.#")} % ({f.Samples} completed)"),
        new(QueueServiceLevel, AlertSeverity.Breach, AlertSubjects.Queue, AlertUnits.Share, "Service level under target (60 min)",
            f => $"answered within T over the last 60 min {N(f.Value * 100, "0.#")} %, target {N(f.Target * 100, "0.#")} % ({f.Samples} answered or abandoned)"),
        new(QueueAbandonment, AlertSeverity.Warning, AlertSubjects.Queue, AlertUnits.Share, "Abandonment over limit (60 min)",
            f => $"abandoned over the last 60 min {N(f.Value * 100, "0.#")} %, limit {N(f.Target * 100, "0.#")} % ({f.Samples} answered or abandoned)"),
        // No expected ASA: the queue is expected to take more calls than it has agents, where a wait has no bound.
        new(QueueForecast, AlertSeverity.Warning, AlertSubjects.Queue, AlertUnits.Seconds, "ASA forecast to pass its target",
            f => f.Value is null
                ? $"expected to take more calls than it has agents {f.Window}, ASA target {N(f.Target, "0")} s ({f.Samples} arrived in the last hour)"
                : $"expected ASA {N(f.Value, "0.#")} s {f.Window}, target {N(f.Target, "0")} s ({f.Samples} arrived in the last hour)"),
        // One alert per queue for its visits past the deadline (SPEC §4): the figure is the oldest of them.
        new(VisitLate, AlertSeverity.Warning, AlertSubjects.Queue, AlertUnits.Hours, "Visits past their 24 h deadline", Unresolved, ListsVisits: true),
        new(VisitOverdue, AlertSeverity.Breach, AlertSubjects.Queue, AlertUnits.Hours, "Visits past their 48 h deadline", Unresolved, ListsVisits: true),
        new(VisitsShare, AlertSeverity.Breach, AlertSubjects.Queue, AlertUnits.Share, "Visits within 24 h under target (7 days)",
            f => $"visits resolved within 24 h over 7 days {N(f.Value * 100, "0.#")} %, target {N(f.Target * 100, "0.#")} % ({f.Samples} due)"),
    ];

    /// <summary>Every kind's name, in the order of <see cref="All"/>.</summary>
    public static readonly IReadOnlyList<string> Names = [.. All.Select(k => k.Name)];

    /// <summary>Every kind by its name.</summary>
    public static readonly IReadOnlyDictionary<string, AlertKind> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    /// <summary>Every kind's severity, by its name.</summary>
    public static readonly IReadOnlyDictionary<string, string> Severity = All.ToDictionary(k => k.Name, k => k.Severity, StringComparer.Ordinal);

    /// <summary>Whether an alert of the kind stands for the visits it lists (a kind no longer known does not).</summary>
    public static bool GroupsVisits(string kind) => ByName.TryGetValue(kind, out var k) && k.ListsVisits;

    // A group's count and its oldest visit; an alert of an older release, about one visit, as it was worded then.
    static string Unresolved(AlertReading f) => f is { Samples: { } n, Visits: [var oldest, ..] }
        ? $"{n} {(n == 1 ? "visit" : "visits")} unresolved past the {N(f.Target, "0")} h deadline, the oldest ({oldest}) {N(f.Value, "0.#")} h after creation"
        : $"unresolved {N(f.Value, "0.#")} h after creation, deadline {N(f.Target, "0")} h";

    static string N(double? x, string format) => x is { } n ? n.ToString(format, CultureInfo.InvariantCulture) : "—";
}

/// <summary>
/// One kind of alert, as <c>GET /api/alerts/kinds</c> serves it (less its escalation's words).
/// <see cref="Subject"/>: what one alert is about; its alerts' <c>subject</c> is that queue's id.
/// <see cref="Unit"/>: the unit of its figure, the <c>value</c> and <c>target</c> of its alerts' details.
/// <see cref="Label"/>: what the pages call it. <see cref="Escalation"/>: its figure in the words of an escalation.
/// <see cref="ListsVisits"/>: one alert stands for the queue's visits past a deadline, listed in its details.
/// </summary>
public sealed record AlertKind(
    string Name, string Severity, string Subject, string Unit, string Label,
    [property: JsonIgnore] Func<AlertReading, string> Escalation, bool ListsVisits = false);

public static class AlertSeverity
{
    public const string Warning = "warning";
    public const string Breach = "breach";

    public static readonly IReadOnlyList<string> All = [Warning, Breach];
}

/// <summary>
/// What one alert is about: a queue, whose id is the alert's subject. The visits with no call belong to no queue: their
/// alerts' subject is <see cref="NoQueue"/>, which no identifier can be (SPEC §2), and their <c>queue</c> is null.
/// </summary>
public static class AlertSubjects
{
    public const string Queue = "queue";

    /// <summary>The subject of the alerts of visits with no call: the name live state gives the center's own (<see cref="Redis.LiveKeys.Center"/>).</summary>
    public const string NoQueue = Redis.LiveKeys.Center;

    public static readonly IReadOnlyList<string> All = [Queue];

    /// <summary>A subject as people read it: the queue, or "no queue".</summary>
    public static string Shown(string subject) => subject == NoQueue ? "no queue" : subject;
}

/// <summary>The units of alert figures: seconds, shares (0–1), hours.</summary>
public static class AlertUnits
{
    public const string Seconds = "seconds";
    public const string Share = "share";
    public const string Hours = "hours";

    public static readonly IReadOnlyList<string> All = [Seconds, Share, Hours];
}
