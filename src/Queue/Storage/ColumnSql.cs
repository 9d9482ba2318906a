using Npgsql;
using NpgsqlTypes;

namespace Queue.Storage;

/// <summary>Statements that take whole columns as array parameters (for <c>unnest</c> and <c>= any</c>): bulk work in one round trip.</summary>
internal static class ColumnSql
{
    public static NpgsqlBatchCommand Command(string sql, params Array[] columns)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var column in columns) command.Parameters.Add(Column(column));
        return command;
    }

    public static NpgsqlParameter Column(Array values) => new() { Value = values, NpgsqlDbType = ArrayType(values) };

    static NpgsqlDbType ArrayType(Array column) => column switch
    {
        int[] => NpgsqlDbType.Array | NpgsqlDbType.Integer,
        byte[][] => NpgsqlDbType.Array | NpgsqlDbType.Bytea,
        DateTime[] or DateTime?[] => NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        _ => NpgsqlDbType.Array | NpgsqlDbType.Text,
    };
}
