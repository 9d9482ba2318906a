using System.Text.RegularExpressions;

namespace Queue.Tests.Ops;

/// <summary>
/// The metric names the dashboard and the alert rules may use: those the service exports under its Meter "Queue"
/// (the metrics contract), and the standard ones it exports beside them (ASP.NET Core's request histogram, the .NET
/// runtime's process metrics) or that Prometheus makes itself (up) — plus, for rules only, the blackbox exporter's
/// probe_success for /health/ready.
/// </summary>
internal static partial class MetricNames
{
    static readonly string[] Histograms = ["queue_ingest_duration_seconds", "http_server_request_duration_seconds"];

    public static readonly IReadOnlySet<string> Exported = new HashSet<string>(
    [
        "queue_events_accepted_total",
        "queue_events_duplicate_total",
        "queue_events_rejected_total",
        "queue_live_lag_seconds",
        "queue_alerts_raised_total",
        "queue_alerts_open",
        "queue_signalr_connections",
        "queue_report_sends_total",
        "queue_notifications_total",
        "dotnet_process_cpu_time_seconds_total",
        "dotnet_process_memory_working_set_bytes",
        "up",
        .. Histograms.SelectMany(h => new[] { h + "_bucket", h + "_count", h + "_sum" }),
    ], StringComparer.Ordinal);

    public static readonly IReadOnlySet<string> ForRules = new HashSet<string>([.. Exported, "probe_success"], StringComparer.Ordinal);

    static readonly HashSet<string> Keywords = new(
        ["and", "or", "unless", "offset", "bool", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"],
        StringComparer.OrdinalIgnoreCase);

    /// <summary>The metric names a PromQL expression selects (not its functions, labels, keywords or durations).</summary>
    public static IReadOnlyList<string> In(string expr)
    {
        var s = Strings().Replace(expr, "\"\"");
        s = Matchers().Replace(s, "{}");
        s = Grouping().Replace(s, " ");
        s = Ranges().Replace(s, "");
        return [.. Identifiers().Matches(s).Select(m => m.Value).Where(name => !Keywords.Contains(name)).Distinct()];
    }

    /// <summary>The names in <paramref name="expr"/> that are not in <paramref name="allowed"/>.</summary>
    public static IReadOnlyList<string> Unknown(string expr, IReadOnlySet<string> allowed) => [.. In(expr).Where(n => !allowed.Contains(n))];

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    // A name not preceded by a word character or a dot (so not the exponent of 1e3) and not called as a function.
    [GeneratedRegex(@"(?<![\w.$])[A-Za-z_:][A-Za-z0-9_:]*(?!\s*\()(?![\w:])")]
    private static partial Regex Identifiers();
}
