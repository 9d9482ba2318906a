using System.Text;
using Queue.EventLog;

namespace Queue.Redis;

/// <summary>
/// The full names of live state's keys (<see cref="RedisLayout"/>), hash-tagged by queue (<c>{queue}</c>) so Redis
/// Cluster keeps one queue's keys in one slot and a Lua script can touch them together. State that belongs to no queue
/// (every agent, visits without a call, the log cursor) lives under the tag <see cref="Center"/>, which no queue can
/// be named (see Identifiers).
/// </summary>
public sealed class LiveKeys(string prefix)
{
    /// <summary>The center-wide pseudo-queue: "~" is not an identifier character.</summary>
    public const string Center = CommittedEvents.Center;

    public string Prefix { get; } = prefix;

    /// <summary>A queue's key by its name after the tag (the names parts store).</summary>
    public string Of(string queue, string name) => $"{Prefix}live:{{{queue}}}:{name}";

    public string Of(string queue, LayoutKey key) => Of(queue, key.Name);

    public string Cursor => Of(Center, RedisLayout.Cursor);
    public string RebuildLock => Of(Center, RedisLayout.RebuildLock);
    public string Queues => Of(Center, RedisLayout.Queues);
    public string PublishedCenter => Of(Center, RedisLayout.PublishedCenter);
    public string PublishedTeams => Of(Center, RedisLayout.PublishedTeams);

    /// <summary>A <c>SCAN MATCH</c> pattern for every key of live state under this prefix.</summary>
    public string Pattern
    {
        get
        {
            var escaped = new StringBuilder();
            foreach (var c in Prefix)
            {
                if (c is '*' or '?' or '[' or ']' or '\\') escaped.Append('\\');
                escaped.Append(c);
            }
            return escaped.Append("live:*").ToString();
        }
    }

    /// <summary>
    /// Whether a key of live state under this prefix is one a rebuild leaves in place (<see cref="LayoutKey.Kept"/>):
    /// anything else, including keys this layout does not know, an older layout's, is cleared.
    /// </summary>
    public bool IsKept(string key)
    {
        var tagEnd = key.IndexOf("}:", Prefix.Length, StringComparison.Ordinal);
        if (tagEnd < 0) return false;
        var name = key[(tagEnd + 2)..];
        return RedisLayout.Keys.Any(k => k.Kept && k.Name == name);
    }
}
