using System.Reflection;
using System.Security.Claims;

namespace Queue.Api;

/// <summary>
/// The queues a key may see: all of them (<see cref="Queues"/> null), or a team's. Every endpoint, hub method, report
/// and export that shows queues narrows them through this, and shows the center as the sum of the key's queues
/// (SPEC §6). A queue outside the scope is answered as if it did not exist.
/// </summary>
public sealed class KeyScope
{
    /// <summary>The claim a scoped key carries once per queue.</summary>
    public const string QueueClaim = "queue";

    /// <summary>The claim that marks a key as scoped (a scope may not be empty, but a principal's claims could be).</summary>
    public const string ScopedClaim = "scoped";

    public static readonly KeyScope All = new(null);

    KeyScope(IReadOnlySet<string>? queues) => Queues = queues;

    /// <summary>The key's queues, or null for every queue.</summary>
    public IReadOnlySet<string>? Queues { get; }

    public bool IsScoped => Queues is not null;

    /// <summary>The team's queues in order, or null for every queue.</summary>
    public IReadOnlyList<string>? Team => Queues?.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// A name for the team, the same for every key scoped to the same queues: the SignalR group its center goes to.
    /// Null for every queue.
    /// </summary>
    public string? TeamId => Team is { } team ? TeamIdOf(team) : null;

    public static string TeamIdOf(IEnumerable<string> queues) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join('\n', queues.Order(StringComparer.Ordinal)))))[..32];

    public bool Allows(string queue) => Queues is null || Queues.Contains(queue);

    /// <summary>Of these queues, the ones the key sees, in their order.</summary>
    public IReadOnlyList<string> Filter(IEnumerable<string> queues) => Queues is null ? [.. queues] : [.. queues.Where(Queues.Contains)];

    /// <summary>
    /// What a query asking for <paramref name="queue"/> (null: every queue) is narrowed to: not visible when the key may not
    /// see that queue (answer 404); else the team's queues when none is named (null for an unscoped key: the whole center).
    /// </summary>
    public (bool Visible, IReadOnlyList<string>? Team) Narrow(string? queue) =>
        queue is not null ? (Allows(queue), null) : (true, Team);

    public static KeyScope Of(IEnumerable<string>? queues) =>
        queues is null ? All : new KeyScope(new HashSet<string>(queues, StringComparer.Ordinal));

    public static KeyScope Of(ClaimsPrincipal user) =>
        user.HasClaim(c => c.Type == ScopedClaim) ? Of(user.FindAll(QueueClaim).Select(c => c.Value)) : All;

    /// <summary>Lets a minimal-API handler take the caller's scope as a parameter.</summary>
    public static ValueTask<KeyScope?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult<KeyScope?>(Of(context.User));

    public static IEnumerable<Claim> Claims(IReadOnlyList<string>? queues) =>
        queues is null ? [] : [new Claim(ScopedClaim, "true"), .. queues.Select(q => new Claim(QueueClaim, q))];

    public override string ToString() => Queues is null ? "all queues" : string.Join(", ", Queues.Order(StringComparer.Ordinal));
}
