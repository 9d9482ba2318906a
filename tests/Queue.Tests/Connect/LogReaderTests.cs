using System.Text;
using Queue.Connect.Reading;

namespace Queue.Tests.Connect;

/// <summary>The reader on real files in a directory of its own, driven step by step: rotation by rename and create, and by copytruncate.</summary>
public sealed class LogReaderTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("queue-connect-").FullName;
    string Log => Path.Combine(dir, "queue_log");

    static string Line(int n) => $"{1772442000 + n}|1772442000.{n}|support|NONE|ENTERQUEUE||+7912555{n:D4}|1";

    static void Append(string path, params int[] ns) => File.AppendAllText(path, string.Concat(ns.Select(n => Line(n) + "\n")));

    static List<string> ReadAll(LogReader reader)
    {
        var all = new List<string>();
        var lines = new List<RawLine>();
        while (reader.Read(lines, 2))
        {
            all.AddRange(lines.Select(l => Encoding.UTF8.GetString(l.Bytes)));
            lines.Clear();
        }
        return all;
    }

    [Fact]
    public void Rename_and_create_reads_the_old_file_to_its_end_then_the_new_one()
    {
        Append(Log, 1, 2);
        using var reader = new LogReader(Log);
        reader.Open(null);
        Assert.Equal([Line(1), Line(2)], ReadAll(reader));

        File.Move(Log, Log + ".1");
        Append(Log + ".1", 3);          // the PBX writes on into the renamed file until it reopens its log
        Assert.Equal([Line(3)], ReadAll(reader));
        Append(Log, 4, 5);              // …and then into the new one

        Assert.Equal([Line(4), Line(5)], ReadAll(reader));
        Assert.Equal(1, reader.Rotations);
    }

    [Fact]
    public void Copytruncate_mid_file_takes_the_rest_from_the_copy_then_the_log_from_its_start()
    {
        Append(Log, 1, 2);
        using var reader = new LogReader(Log);
        reader.Open(null);
        Assert.Equal([Line(1), Line(2)], ReadAll(reader));
        Append(Log, 3, 4);              // written, not yet read, when logrotate copies and truncates

        File.Copy(Log, Log + ".1");
        using (var truncate = new FileStream(Log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) truncate.SetLength(0);
        Append(Log, 5);

        Assert.Equal([Line(3), Line(4), Line(5)], ReadAll(reader));
        Assert.Equal(1, reader.Rotations);
    }

    [Fact]
    public void A_truncation_that_grew_back_past_the_position_is_still_seen_by_the_first_bytes()
    {
        Append(Log, 1);
        using var reader = new LogReader(Log);
        reader.Open(null);
        ReadAll(reader);

        File.Copy(Log, Log + ".1");
        using (var truncate = new FileStream(Log, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) truncate.SetLength(0);
        Append(Log, 7, 8, 9);

        Assert.Equal([Line(7), Line(8), Line(9)], ReadAll(reader));
    }

    [Fact]
    public void A_position_in_a_file_since_rotated_away_resumes_there_then_goes_on_in_the_new_one()
    {
        Append(Log, 1, 2);
        FilePosition position;
        using (var first = new LogReader(Log))
        {
            first.Open(null);
            var lines = new List<RawLine>();
            first.Read(lines, 1);
            position = lines[0].After;
        }
        File.Move(Log, Log + ".1");
        Append(Log, 3);

        using var reader = new LogReader(Log);
        reader.Open(position);

        Assert.Equal([Line(2), Line(3)], ReadAll(reader));
    }

    [Fact]
    public void An_unfinished_last_line_waits_for_its_newline()
    {
        File.WriteAllText(Log, Line(1) + "\n" + Line(2)[..20]);
        using var reader = new LogReader(Log);
        reader.Open(null);
        Assert.Equal([Line(1)], ReadAll(reader));
        Assert.True(reader.HasPartialLine);

        File.AppendAllText(Log, Line(2)[20..] + "\n");

        Assert.Equal([Line(2)], ReadAll(reader));
        Assert.False(reader.HasPartialLine);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
