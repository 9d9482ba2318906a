namespace Queue.Figures;

/// <summary>
/// How a leg is judged, once in C# (live state) and once in SQL (every statement that counts, through
/// <see cref="FigureSql"/>), side by side; <c>LegRulesTests</c> holds the two equal at and around each threshold.
/// </summary>
public static class LegRules
{
    /// <summary>An abandon that waited less than the threshold is a short abandon: in no rate.</summary>
    public static bool IsShortAbandon(TimeSpan wait, TimeSpan threshold) => wait < threshold;

    /// <summary>An answer within T (a wait of exactly T is within it) counts in the service level.</summary>
    public static bool InServiceLevel(TimeSpan wait, TimeSpan t) => wait <= t;

    internal static string ShortAbandonSql(string wait, string threshold) => $"{wait} < {threshold}";

    internal static string InServiceLevelSql(string wait, string t) => $"{wait} <= {t}";
}
