using System.Text.Json;
using Queue.Connect;
using Queue.Connect.Asterisk;

namespace Queue.Tests.Connect;

public sealed class WireTests
{
    [Theory]
    [InlineData("SIP/1001", "SIP:1001")]
    [InlineData("PJSIP/1001", "PJSIP:1001")]
    [InlineData("Local/1001@from-queue/n", "Local:1001_from-queue:n")]
    [InlineData("Иванова Анна", "Иванова_Анна")]
    [InlineData("support", "support")]
    public void Names_map_to_identifiers_one_fixed_way(string name, string id) => Assert.Equal(id, Identifiers.Map(name));

    [Fact]
    public void An_over_long_name_keeps_its_start_and_a_hash_of_the_whole()
    {
        var a = Identifiers.Map(new string('q', 120) + "a")!;
        var b = Identifiers.Map(new string('q', 120) + "b")!;

        Assert.Equal(100, a.Length);
        Assert.NotEqual(a, b);
        Assert.True(Identifiers.IsValid(a));
        Assert.Null(Identifiers.Map(""));
    }

    [Fact]
    public void An_event_is_camel_case_json_with_absent_fields_left_out_and_an_rfc3339_instant()
    {
        var e = WireEvent.Missed("pbx:k:m", DateTimeOffset.FromUnixTimeSeconds(1772442025), "pbx:1.1", "SIP:1002", 15);

        Assert.Equal("""{"id":"pbx:k:m","type":"call.missed","at":"2026-03-02T09:00:25Z","callId":"pbx:1.1","agentId":"SIP:1002","ringSeconds":15}""", WireJson.Serialize(e));
        var completed = JsonDocument.Parse(WireJson.Serialize(WireEvent.Completed("x", DateTimeOffset.UnixEpoch.AddMilliseconds(1), "c"))).RootElement;
        Assert.False(completed.TryGetProperty("resolution", out _));
        Assert.Equal("1970-01-01T00:00:00.001Z", completed.GetProperty("at").GetString());
    }

    [Fact]
    public void Agent_ids_are_member_names_and_a_bare_login_id_is_the_agent_channel()
    {
        var names = new AgentNames(new Dictionary<string, string> { ["SIP/1005"] = "Boris" });

        Assert.Equal("Agent:1004", names.Id("1004", agentLogin: true));
        Assert.Equal("Agent:1004", names.Id("Agent/1004"));
        Assert.Equal("Boris", names.Id("SIP/1005"));
        Assert.Equal("1005", names.Extension("Boris"));
        Assert.Equal("1001", names.Extension("Local/1001@from-queue/n"));
        Assert.Null(names.Id("NONE"));
    }
}
