using Npgsql;
using Queue.Figures;
using Queue.Tests.Infrastructure;

namespace Queue.Tests.Figures;

/// <summary>
/// A leg's rules are written twice, in C# for live state and in SQL for every statement that counts
/// (<see cref="LegRules"/>): PostgreSQL, asked the SQL rule, answers what the C# rule answers at each threshold, a
/// microsecond either side of it, and far from it.
/// </summary>
public sealed class LegRulesTests
{
    static readonly TimeSpan[] Thresholds = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.Zero];

    static IEnumerable<(TimeSpan Wait, TimeSpan Threshold)> Cases() =>
        from t in Thresholds
        from wait in new[] { TimeSpan.Zero, t - TimeSpan.FromMicroseconds(1), t, t + TimeSpan.FromMicroseconds(1), t * 2 + TimeSpan.FromHours(1) }
        where wait >= TimeSpan.Zero
        select (wait, t);

    [Fact]
    public async Task The_short_abandon_rule_is_the_same_in_CSharp_and_in_SQL() =>
        await AssertSameAsync(LegRules.ShortAbandonSql("@wait", "@threshold"), LegRules.IsShortAbandon);

    [Fact]
    public async Task The_service_level_rule_is_the_same_in_CSharp_and_in_SQL() =>
        await AssertSameAsync(LegRules.InServiceLevelSql("@wait", "@threshold"), LegRules.InServiceLevel);

    static async Task AssertSameAsync(string sql, Func<TimeSpan, TimeSpan, bool> rule)
    {
        await using var connection = new NpgsqlConnection(TestDatabase.BaseConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var differences = new List<string>();
        foreach (var (wait, threshold) in Cases())
        {
            await using var command = new NpgsqlCommand($"select {sql}", connection);
            command.Parameters.AddWithValue("wait", wait);
            command.Parameters.AddWithValue("threshold", threshold);
            var inSql = (bool)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
            if (inSql != rule(wait, threshold)) differences.Add($"wait {wait}, threshold {threshold}: SQL {inSql}, C# {!inSql}");
        }
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.Contains(Cases(), c => rule(c.Wait, c.Threshold));
        Assert.Contains(Cases(), c => !rule(c.Wait, c.Threshold));
    }
}
