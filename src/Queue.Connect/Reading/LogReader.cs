namespace Queue.Connect.Reading;

/// <summary>A whole line read from a log (without its newline), and the position just past it.</summary>
internal sealed record RawLine(byte[] Bytes, FilePosition After);

/// <summary>
/// Reads a log that a PBX appends to, line by line, as far as it is written, and keeps reading it through logrotate:
/// <list type="bullet">
/// <item><b>rename and create</b>: the path names a new file (another inode). The old one is read to its end first —
/// Asterisk writes on into it until it reopens its logs — and left once the new one has something in it.</item>
/// <item><b>copytruncate</b>: the open file shrank below the position, or its first bytes changed. The lines past the
/// position are in the copy, found beside the log by the fingerprint of its first bytes, and are read from there;
/// then the log is read again from its start. (Lines written between logrotate's copy and its truncation are lost
/// by logrotate itself.)</item>
/// </list>
/// It never writes and never locks: the PBX is never held up. Driven step by step by <see cref="Read"/>.
/// </summary>
internal sealed class LogReader(string path) : IDisposable
{
    const int Chunk = 64 * 1024;
    // A line longer than this is no queue_log line: a NUL run after a crash, or garbage. Dropped, counted as skipped.
    const int MaxLine = 64 * 1024;

    FileStream? file;
    FileIdentity? identity;
    long offset;
    string? fingerprint;
    int fingerprintLength;
    readonly List<byte> partial = [];
    long squeezed;
    bool discarding;

    public string Path => path;

    /// <summary>Lines dropped by the reader itself: longer than any queue_log line (a NUL run with no newline).</summary>
    public long Overlong { get; private set; }

    /// <summary>Truncations whose copy was not found beside the log: lines past the position there are lost.</summary>
    public int LostToTruncation { get; private set; }

    /// <summary>Unfinished last lines of files left behind by a rotation: writes cut short.</summary>
    public long CutLines { get; private set; }

    /// <summary>Rotations followed so far.</summary>
    public int Rotations { get; private set; }

    /// <summary>Where the next line starts.</summary>
    public FilePosition Position =>
        new(identity?.Device ?? 0, identity?.Inode ?? 0, offset, fingerprint, fingerprintLength);

    /// <summary>
    /// Opens the log at <paramref name="resume"/>: in the file the path names if it is that file, else in the rotated
    /// file beside it that is (the connector was away over a rotation), and then the new one from its start.
    /// </summary>
    public void Open(FilePosition? resume)
    {
        if (resume is not null && Locate(resume) is { } found)
        {
            Attach(found, resume.Offset);
            return;
        }
        // Not there yet when following: read from its start once the PBX makes it.
        if (File.Exists(path)) Attach(path, 0);
    }

    /// <summary>Appends the whole lines written so far (at most <paramref name="max"/>); false when there were none to read.</summary>
    public bool Read(List<RawLine> lines, int max)
    {
        var before = lines.Count;
        // Checked before reading: a log truncated and written again past the position would otherwise be read from the middle.
        if (Truncated()) ReadCopyThenRestart(lines, max);
        else ReadCurrent(lines, max);
        if (lines.Count == before && lines.Count < max) FollowRotation(lines, max);
        return lines.Count > before;
    }

    /// <summary>True when an unfinished line waits at the end: an import's last line cut short.</summary>
    public bool HasPartialLine => partial.Count > 0 && !discarding;

    void ReadCurrent(List<RawLine> lines, int max)
    {
        if (file is null)
        {
            if (!File.Exists(path)) return;
            Attach(path, 0);
        }
        var buffer = new byte[Chunk];
        while (lines.Count < max)
        {
            file!.Position = offset + squeezed + partial.Count;
            var n = file.Read(buffer, 0, buffer.Length);
            if (n == 0) return;
            Take(buffer.AsSpan(0, n), lines, max);
        }
    }

    // Splits what was read into lines. Only whole lines move the position; a partial line waits for its newline.
    void Take(ReadOnlySpan<byte> data, List<RawLine> lines, int max)
    {
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != (byte)'\n') continue;
            var length = partial.Count + (i - start);
            if (!discarding)
            {
                var bytes = new byte[length];
                partial.CopyTo(bytes);
                data[start..i].CopyTo(bytes.AsSpan(partial.Count));
                offset += squeezed + length + 1;
                squeezed = 0;
                Remember();
                lines.Add(new RawLine(bytes, Position));
            }
            else
            {
                offset += length + 1;
                discarding = false;
            }
            partial.Clear();
            start = i + 1;
            if (lines.Count >= max)
            {
                return;
            }
        }
        var rest = data[start..];
        if (discarding)
        {
            // Count the dropped bytes into the position as they pass, so a restart does not read them again.
            offset += rest.Length;
            return;
        }
        foreach (var b in rest) partial.Add(b);
        if (partial.Count > MaxLine && partial.LastIndexOf(0) is var nul and > 0)
        {
            // A long NUL run: keep its last NUL (the parser counts the run by it) and what follows, a line perhaps.
            squeezed += nul;
            partial.RemoveRange(0, nul);
        }
        if (partial.Count > MaxLine)
        {
            Overlong++;
            offset += partial.Count;
            partial.Clear();
            discarding = true;
        }
    }

    void FollowRotation(List<RawLine> lines, int max)
    {
        if (file is null || !File.Exists(path)) return;
        var now = FileIdentity.Of(path);
        var other = now is { } id && identity is { } mine
            ? id != mine
            : fingerprint is not null && FileIdentity.Fingerprint(path, fingerprintLength) != fingerprint;
        if (other && new FileInfo(path).Length > 0)
        {
            // Rename and create: this file was read to its end just now, and the PBX writes to the new one.
            Rotations++;
            if (HasPartialLine) CutLines++;
            Restart(lines, max);
        }
    }

    // copytruncate: the open file shrank below the position, or its first bytes are not those read.
    bool Truncated() =>
        file is not null && (file.Length < offset + squeezed + partial.Count
            || (fingerprint is not null && FileIdentity.Fingerprint(file, fingerprintLength) != fingerprint));

    // What followed the position is in the copy beside the log; then the log is read from its start.
    void ReadCopyThenRestart(List<RawLine> lines, int max)
    {
        Rotations++;
        var copy = FindCopy();
        if (copy is null) LostToTruncation++;
        else
        {
            using var reader = new LogReader(copy);
            reader.Attach(copy, offset);
            reader.partial.AddRange(partial);
            reader.squeezed = squeezed;
            while (reader.Read(lines, int.MaxValue)) { }
            if (reader.HasPartialLine) CutLines++;
        }
        Restart(lines, max);
    }

    void Restart(List<RawLine> lines, int max)
    {
        partial.Clear();
        squeezed = 0;
        discarding = false;
        Attach(path, 0);
        ReadCurrent(lines, max);
    }

    string? FindCopy()
    {
        if (fingerprint is null) return null;
        foreach (var candidate in Siblings())
        {
            if (new FileInfo(candidate).Length < offset) continue;
            if (FileIdentity.Fingerprint(candidate, fingerprintLength) == fingerprint) return candidate;
        }
        return null;
    }

    string? Locate(FilePosition at)
    {
        bool Matches(string p)
        {
            if (at.Inode != 0 && FileIdentity.Of(p) is { } id && (id.Device != at.Device || id.Inode != at.Inode)) return false;
            if (new FileInfo(p).Length < at.Offset) return false;
            return at.Fingerprint is null || FileIdentity.Fingerprint(p, at.FingerprintLength) == at.Fingerprint;
        }
        if (File.Exists(path) && Matches(path)) return path;
        return Siblings().FirstOrDefault(Matches);
    }

    /// <summary>Rotated copies beside the log: names that start with its name (queue_log.1, queue_log-20260301…).</summary>
    IEnumerable<string> Siblings()
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var name = System.IO.Path.GetFileName(path);
        return Directory.EnumerateFiles(dir, name + "*")
            .Where(p => System.IO.Path.GetFileName(p) != name && !p.EndsWith(".gz", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    void Attach(string file, long at)
    {
        this.file?.Dispose();
        this.file = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        identity = FileIdentity.Of(file);
        offset = at;
        fingerprint = null;
        fingerprintLength = 0;
        Remember();
    }

    // The fingerprint grows with what was read, up to its full length: bytes once written never change.
    void Remember()
    {
        var length = (int)Math.Min(offset, FileIdentity.FingerprintBytes);
        if (length == fingerprintLength || file is null) return;
        fingerprint = length == 0 ? null : FileIdentity.Fingerprint(file, length);
        fingerprintLength = fingerprint is null ? 0 : length;
    }

    public void Dispose() => file?.Dispose();
}
