using System.Security.Cryptography;

namespace Queue.Connect;

/// <summary>
/// Event ids derived from the source, never from where it was read: <c>{source}:{line}:{role}</c>, where
/// <c>line</c> is 32 hex digits of the SHA-256 of the line's own bytes and <c>role</c> one letter telling which of a
/// line's events it is. The same line read again — after a crash, from a stale state file, from the rotated copy —
/// gives the same ids, and the service counts it as a duplicate.
/// </summary>
internal static class EventIds
{
    public const int MaxSourceLength = 40;

    /// <summary>The key of a line's content (32 hex digits).</summary>
    public static string LineKey(ReadOnlySpan<byte> line) => Convert.ToHexStringLower(SHA256.HashData(line).AsSpan(0, 16));

    public static string Of(string source, string lineKey, char role) => $"{source}:{lineKey}:{role}";
}
