using System.Buffers;

namespace Queue.Events;

/// <summary>Identifier rules of SPEC §2. Braces and spaces are excluded, which keeps Redis hash tags sound.</summary>
public static class Identifiers
{
    public const string Rule = "must be a string of 1 to 100 characters: letters, digits, '.', '_', '-', ':'";

    static readonly SearchValues<char> AsciiAllowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:");

    public static bool IsValid(string value)
    {
        if (value.Length is 0 or > 100) return false;
        // Almost every identifier is plain ASCII: one vectorised scan, then the Unicode rule from the first other character.
        var first = value.AsSpan().IndexOfAnyExcept(AsciiAllowed);
        if (first < 0) return true;
        foreach (var ch in value.AsSpan(first))
        {
            if (!(char.IsLetterOrDigit(ch) || ch is '.' or '_' or '-' or ':')) return false;
        }
        return true;
    }

    /// <summary>An event id is free text (1–100 characters) but never a control character: PostgreSQL text cannot hold NUL.</summary>
    public static bool IsEventId(string value)
    {
        if (value.Length is 0 or > 100) return false;
        // Printable ASCII needs no further look; control characters and surrogates are all outside it.
        var first = value.AsSpan().IndexOfAnyExceptInRange(' ', '~');
        if (first < 0) return true;
        for (var i = first; i < value.Length; i++)
        {
            var ch = value[i];
            if (char.IsControl(ch)) return false;
            if (char.IsHighSurrogate(ch) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(ch)) return false;
        }
        return true;
    }
}
