namespace Queue.Ingest;

/// <summary>Identifier rules of SPEC §2. Braces and spaces are excluded, which keeps Redis hash tags sound.</summary>
public static class Identifiers
{
    public const string Rule = "must be a string of 1 to 100 characters: letters, digits, '.', '_', '-', ':'";

    public static bool IsValid(string value)
    {
        if (value.Length is 0 or > 100) return false;
        foreach (var ch in value)
        {
            if (!(char.IsLetterOrDigit(ch) || ch is '.' or '_' or '-' or ':')) return false;
        }
        return true;
    }

    /// <summary>An event id is free text (1–100 characters) but never a control character: PostgreSQL text cannot hold NUL.</summary>
    public static bool IsEventId(string value)
    {
        if (value.Length is 0 or > 100) return false;
        for (var i = 0; i < value.Length; i++)
        {
            var ch = value[i];
            if (char.IsControl(ch)) return false;
            if (char.IsHighSurrogate(ch) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(ch)) return false;
        }
        return true;
    }
}
