using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Queue.Connect.Reading;

/// <summary>
/// Which file a path or an open handle is: its device and inode (what logrotate's rename keeps and its create
/// changes), and a fingerprint of its first bytes (what copytruncate keeps in the copy and loses in the original).
/// </summary>
internal readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    public const int FingerprintBytes = 1024;

    /// <summary>The identity of the file at <paramref name="path"/>; null where it is missing or stat is not to be had.</summary>
    public static FileIdentity? Of(string path)
    {
        try
        {
            return Native.stat(path, out var buf) == 0 ? new FileIdentity(buf.Device, buf.Inode) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>SHA-256 (hex) of the first <paramref name="length"/> bytes, or null where the file is shorter.</summary>
    public static string? Fingerprint(FileStream file, int length)
    {
        if (file.Length < length) return null;
        var buffer = new byte[length];
        var position = file.Position;
        file.Position = 0;
        file.ReadExactly(buffer);
        file.Position = position;
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }

    public static string? Fingerprint(string path, int length)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return Fingerprint(file, length);
        }
        catch (IOException)
        {
            return null;
        }
    }

    static class Native
    {
        // 64-bit Linux (x86-64 and arm64 alike) starts struct stat with st_dev and st_ino, 8 bytes each.
        [StructLayout(LayoutKind.Sequential, Size = 256)]
        public struct StatBuffer
        {
            public ulong Device;
            public ulong Inode;
        }

        [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
#pragma warning disable SYSLIB1054, CA5392 // a plain libc call; the generated form needs unsafe code for nothing here.
        public static extern int stat(string path, out StatBuffer buffer);
#pragma warning restore SYSLIB1054, CA5392
    }
}

/// <summary>
/// Where reading stands in a log: the file (identity, and a fingerprint of its first
/// <see cref="FingerprintLength"/> bytes) and the offset just past the last line taken.
/// </summary>
internal sealed record FilePosition(ulong Device, ulong Inode, long Offset, string? Fingerprint, int FingerprintLength);
