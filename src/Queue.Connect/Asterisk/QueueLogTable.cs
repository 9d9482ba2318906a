using System.Globalization;
using System.Text;
using Npgsql;

namespace Queue.Connect.Asterisk;

/// <summary>
/// The realtime form of queue_log: a table (<c>id, time, callid, queuename, agent, event, data1…data5</c>, as
/// Asterisk's own schema makes it) that Asterisk inserts into, one row per line. Rows become the same
/// <see cref="QueueLogLine"/>s as the file's, read in id order.
/// <para>
/// Ids come from a sequence and become visible out of order (a row that took 41 can commit after one that took 42),
/// so a reader that moved past 41 on seeing 42 would skip it for ever. A gap in the ids stops the read before it
/// until the gap has been seen for <see cref="GapWait"/>: each row is one short insert, so by then it is either
/// committed or never will be.
/// </para>
/// <para><c>time</c> has no zone: it is local time of the PBX unless <c>queue_log_realtime_use_gmt</c> is set; the zone is an option.</para>
/// </summary>
internal sealed class QueueLogTable(NpgsqlDataSource db, string table, TimeZoneInfo zone, TimeProvider time, TimeSpan gapWait)
{
    /// <summary>How long a gap in the ids is waited for when following; an import of history takes none.</summary>
    public static readonly TimeSpan GapWait = TimeSpan.FromSeconds(10);

    (long Id, DateTimeOffset Since)? gap;

    /// <summary>Rows after <paramref name="after"/>, at most <paramref name="max"/>, stopping at a gap that may still fill.</summary>
    public async Task<IReadOnlyList<(long Id, ParsedLine Line)>> ReadAsync(long after, int max, CancellationToken ct)
    {
        var sql = $"""
            select id, "time", callid, queuename, agent, event, data1, data2, data3, data4, data5
            from {Quote(table)} where id > $1 order by id limit $2
            """;
        await using var command = db.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = after });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        await using var rows = await command.ExecuteReaderAsync(ct);
        var result = new List<(long, ParsedLine)>();
        var expected = after + 1;
        while (await rows.ReadAsync(ct))
        {
            var id = rows.GetInt64(0);
            if (id != expected && !GapClosed(expected)) break;
            gap = null;
            result.Add((id, Parse(rows)));
            expected = id + 1;
        }
        return result;
    }

    bool GapClosed(long expected)
    {
        var now = time.GetUtcNow();
        if (gap is not { } g || g.Id != expected) gap = (expected, now);
        return now - gap.Value.Since >= gapWait;
    }

    ParsedLine Parse(NpgsqlDataReader row)
    {
        string Text(int i) => row.IsDBNull(i) ? "" : row.GetValue(i).ToString() ?? "";
        if (row.IsDBNull(1)) return new ParsedLine(null, SkipCause.Time, false);
        DateTimeOffset at;
        var value = row.GetValue(1);
        if (value is DateTime dt) at = dt.Kind == DateTimeKind.Utc ? new DateTimeOffset(dt) : Local(dt);
        else if (!DateTime.TryParse(Text(1), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) return new ParsedLine(null, SkipCause.Time, false);
        else at = Local(parsed);
        var data = Enumerable.Range(6, 5).Select(Text).ToArray();
        var count = data.Length;
        while (count > 0 && data[count - 1].Length == 0) count--;
        var fields = new[] { at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), Text(2), Text(3), Text(4), Text(5) }.Concat(data[..count]);
        var canonical = string.Join('|', fields);
        if (Text(5).Length == 0) return new ParsedLine(null, SkipCause.Fields, false);
        var line = new QueueLogLine(at, Text(2), Text(3), Text(4), Text(5), data[..count], EventIds.LineKey(Encoding.UTF8.GetBytes(canonical)));
        return new ParsedLine(line, null, false);
    }

    DateTimeOffset Local(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    static string Quote(string name) => string.Join('.', name.Split('.').Select(p => "\"" + p.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""));
}
