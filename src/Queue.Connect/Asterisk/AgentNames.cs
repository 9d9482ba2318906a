namespace Queue.Connect.Asterisk;

/// <summary>
/// Who an agent is, one way for every line, so that an agent's status and its calls join up.
/// <para>
/// What queue_log writes in its agent column: the call lines (CONNECT, RINGNOANSWER, COMPLETECALLER/COMPLETEAGENT,
/// the transfers, ABANDON) and PAUSE/UNPAUSE carry the member's <em>name</em>, which Asterisk sets to the member's
/// interface when none is configured. ADDMEMBER/REMOVEMEMBER carry the <em>interface</em>, unless queues.conf has
/// <c>log_membername_as_agent = yes</c>. AGENTLOGIN/AGENTLOGOFF (app_agent_pool) carry the bare agent id
/// (<c>1001</c>), whose member interface is <c>Agent/1001</c>.
/// </para>
/// <para>
/// So the agent id is the member name as the call lines write it, mapped by <see cref="Identifiers"/>. A bare id in
/// AGENTLOGIN/AGENTLOGOFF is read as <c>Agent/{id}</c>. An interface that has a name of its own (membership lines
/// without <c>log_membername_as_agent</c>) is turned into that name by the <c>--member INTERFACE=NAME</c> pairs given;
/// where members have no names, interface and name are the same and nothing needs to be given.
/// </para>
/// </summary>
internal sealed class AgentNames(IReadOnlyDictionary<string, string> memberNames)
{
    readonly Dictionary<string, string> interfaceOf =
        memberNames.GroupBy(p => p.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Key, StringComparer.Ordinal);

    /// <summary>The agent id for what an agent column holds; null where it names no agent (empty, <c>NONE</c>).</summary>
    public string? Id(string column, bool agentLogin = false)
    {
        var name = Name(column, agentLogin);
        return name is null ? null : Identifiers.Map(name);
    }

    /// <summary>
    /// The extension an agent's own phone calls from (<c>SIP/1001</c>, <c>PJSIP/1001</c>, <c>Local/1001@ctx/n</c>,
    /// <c>Agent/1001</c> → <c>1001</c>), read from its interface; null for a name with no interface known.
    /// </summary>
    public string? Extension(string column)
    {
        var name = Name(column, false);
        if (name is null) return null;
        var iface = interfaceOf.GetValueOrDefault(name, name);
        var slash = iface.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return null;
        var rest = iface.AsSpan(slash + 1);
        var end = rest.IndexOfAny('@', '/');
        var ext = (end < 0 ? rest : rest[..end]).ToString();
        return ext.Length == 0 ? null : ext;
    }

    string? Name(string column, bool agentLogin)
    {
        var raw = column.Trim();
        if (raw.Length == 0 || raw == "NONE") return null;
        if (memberNames.TryGetValue(raw, out var named)) return named;
        if (agentLogin && !raw.Contains('/', StringComparison.Ordinal)) raw = "Agent/" + raw;
        return raw;
    }
}
