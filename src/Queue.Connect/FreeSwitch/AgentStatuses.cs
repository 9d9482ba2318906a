namespace Queue.Connect.FreeSwitch;

/// <summary>
/// mod_callcenter's two words for an agent — its <em>status</em> (set by the agent or an operator) and its
/// <em>state</em> (set by the queue as calls come and go) — made into the contract's one status:
/// <list type="table">
/// <item><term>status Available, Available (On Demand)</term><description>available</description></item>
/// <item><term>status On Break</term><description>break</description></item>
/// <item><term>status Logged Out</term><description>offline</description></item>
/// <item><term>state Waiting</term><description>available (ready for the next call)</description></item>
/// <item><term>state Receiving, Reserved</term><description>busy (a call is being offered, or the agent is held for one)</description></item>
/// <item><term>state In a queue call</term><description>busy</description></item>
/// <item><term>state Idle</term><description>wrap_up (logged in, taking no calls: after a call under On Demand, until the agent is ready again)</description></item>
/// </list>
/// A state counts only while the status takes calls (Available or On Demand, or not known yet).
/// </summary>
internal static class AgentStatuses
{
    public static string? OfStatus(string status) => status switch
    {
        "Available" or "Available (On Demand)" => "available",
        "On Break" => "break",
        "Logged Out" => "offline",
        _ => null,
    };

    public static string? OfState(string state) => state switch
    {
        "Waiting" => "available",
        "Receiving" or "Reserved" or "In a queue call" => "busy",
        "Idle" => "wrap_up",
        _ => null,
    };

    public static bool TakesCalls(string status) => status is "Available" or "Available (On Demand)";
}
