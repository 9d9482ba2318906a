using System.Reflection;
using Queue.Figures;

namespace Queue.Tests.Figures;

/// <summary>Every count has its SQL column and every column its count: a row of any statement that counts reads into <see cref="FigureCounts"/> whole.</summary>
public sealed class FigureSqlTests
{
    [Fact]
    public void The_columns_are_the_counts_of_FigureCounts_in_order()
    {
        var counts = typeof(FigureCounts).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .Select(p => p.Name.ToLowerInvariant());
        Assert.Equal(counts, FigureSql.Columns);
    }

    [Fact]
    public void Each_part_names_only_known_columns_and_a_union_part_has_them_all()
    {
        var parts = FigureSql.LegCountsByQueue.Concat(FigureSql.CallCounts).Concat(FigureSql.VisitCounts).Select(c => c.Column).ToList();
        Assert.Equal(FigureSql.Columns.Order(), parts.Order());
        Assert.Equal(FigureSql.Columns.Count, FigureSql.SelectAll(FigureSql.CallCounts).Split(" as ").Length - 1);
    }
}
