using System.Security.Cryptography;
using System.Text;

namespace Queue.Connect;

/// <summary>
/// Names of a PBX (queues, members, unique ids) made into the contract's identifiers — 1 to 100 letters, digits,
/// <c>.</c>, <c>_</c>, <c>-</c>, <c>:</c> — one fixed way, so that the same name always gives the same identifier:
/// <list type="bullet">
/// <item>a valid character is kept as it is (letters of any script, as the contract allows);</item>
/// <item><c>/</c> becomes <c>:</c> (<c>SIP/1001</c> → <c>SIP:1001</c>, <c>Local/1001@from-queue/n</c> →
/// <c>Local:1001_from-queue:n</c>);</item>
/// <item>any other character (space, <c>@</c>, <c>#</c>, a control character…) becomes <c>_</c>;</item>
/// <item>a result longer than 100 characters keeps its first 83 and ends with <c>-</c> and 16 hex digits of the
/// SHA-256 of the whole original name, so that two long names alike at the start stay apart.</item>
/// </list>
/// The mapping is readable rather than reversible: <c>Alice Smith</c> and <c>Alice_Smith</c> meet, which a PBX
/// that names two members that way has to live with.
/// </summary>
internal static class Identifiers
{
    public const int MaxLength = 100;
    const int KeptOnTruncation = 83;

    /// <summary>The identifier for <paramref name="name"/> with <paramref name="prefix"/> (already valid) before it; null for an empty name.</summary>
    public static string? Map(string name, string prefix = "")
    {
        if (name.Length == 0) return null;
        var b = new StringBuilder(prefix.Length + name.Length).Append(prefix);
        foreach (var ch in name)
            b.Append(IsValidChar(ch) ? ch : ch == '/' ? ':' : '_');
        if (b.Length <= MaxLength) return b.ToString();
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prefix + name)), 0, 8);
        return b.ToString(0, KeptOnTruncation) + "-" + hash;
    }

    public static bool IsValid(string s) => s.Length is > 0 and <= MaxLength && s.All(IsValidChar);

    static bool IsValidChar(char ch) => char.IsLetterOrDigit(ch) || ch is '.' or '_' or '-' or ':';
}
