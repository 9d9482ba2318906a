using Queue.Connect;
using Queue.Connect.FreeSwitch;
using static Queue.Tests.Connect.CallCenterFiles;

namespace Queue.Tests.Connect;

/// <summary>SPEC §9's mod_callcenter mapping, on a hand-written day of call center events (Files/callcenter.events).</summary>
public sealed class CallCenterMappingTests
{
    static readonly (List<WireEvent> Events, CallCenterMapper Mapper) Mapped = Map(Day);

    static List<WireEvent> Of(string callId) => Mapped.Events.Of(callId);

    static List<WireEvent> Statuses(string agent) => [.. Mapped.Events.Where(e => e.AgentId == agent && e.Type == "agent.status")];

    [Fact]
    public void A_member_offered_missed_answered_and_hung_up_is_queued_missed_answered_completed()
    {
        var call = Of(Call(1));

        Assert.Equal("call.queued call.missed call.answered call.completed", call.Kinds());
        Assert.Equal(("support_default", "+79125550011"), (call[0].Queue, call[0].Caller));
        Assert.Equal(("1002_default", 15.0), (call[1].AgentId, call[1].RingSeconds));
        Assert.Equal("1001_default", call[2].AgentId);
        Assert.Null(call[3].Resolution);
    }

    [Fact]
    public void The_time_is_the_events_own_timestamp_in_microseconds()
    {
        var queued = Of(Call(1))[0];

        Assert.Equal(At(10).AddTicks(700 * 10), queued.At);
    }

    [Theory]
    [InlineData(2, "timeout")]
    [InlineData(3, "key")]
    [InlineData(5, "hangup")]
    [InlineData(7, "empty")]
    public void A_member_that_leaves_unanswered_is_abandoned_with_the_reason_its_cancel_gives(int call, string reason)
    {
        var events = Of(Call(call));

        Assert.Equal("call.queued", events[0].Type);
        var abandoned = events.Single(e => e.Type == "call.abandoned");
        Assert.Equal(reason, abandoned.Reason);
        Assert.Same(abandoned, events[^1]);
    }

    [Fact]
    public void An_offer_lost_to_another_agent_under_ring_all_is_no_miss()
    {
        Assert.Equal("call.queued call.answered call.completed", Of(Call(4)).Kinds());
        Assert.Equal(1, Mapped.Mapper.Counts.OffersWithdrawn);
        Assert.Equal("call.queued call.missed call.abandoned", Of(Call(5)).Kinds());
        Assert.Equal(20.0, Of(Call(5))[1].RingSeconds);
    }

    [Fact]
    public void Agent_states_follow_the_calls_and_a_state_change_while_on_break_is_not_taken_for_a_status()
    {
        var agent = Statuses("1002_default");

        // Available, Waiting, Receiving, Waiting, Receiving, Waiting, Receiving, On Break (Waiting ignored), Available.
        Assert.Equal(["available", "available", "busy", "available", "busy", "available", "busy", "break", "available"], agent.Select(s => s.Status));
        Assert.Equal(1, Mapped.Mapper.Counts.StatesWhileAway);
    }

    [Fact]
    public void An_on_demand_agent_left_idle_after_a_call_is_in_wrap_up_until_ready_and_logged_out_is_offline()
    {
        var agent = Statuses("1003_default");

        Assert.Equal(["available", "available", "busy", "busy", "wrap_up", "available", "offline"], agent.Select(s => s.Status));
        Assert.All(agent.Zip(agent.Skip(1)), p => Assert.True(p.First.At < p.Second.At));
    }

    [Fact]
    public void Ids_are_the_events_own_uuid_where_it_has_one_else_a_hash_of_its_body()
    {
        var loggedOut = Statuses("1003_default")[^1];
        Assert.Equal("fs:5e1f0a3c-7d2b-4c8e-9f10-aa00bb11cc22:s", loggedOut.Id);

        var again = Map(Day).Events;
        Assert.Equal(Mapped.Events.Select(WireJson.Serialize), again.Select(WireJson.Serialize));
        Assert.Equal(Mapped.Events.Count, Mapped.Events.Select(e => e.Id).Distinct().Count());
        Assert.All(Mapped.Events, e => Assert.True(Identifiers.IsValid(e.Id), e.Id));
    }

    [Fact]
    public void Events_of_other_actions_are_counted_by_action()
    {
        Assert.Equal(1, Mapped.Mapper.Counts.NotMapped["members-count"]);
        Assert.Equal(1, Mapped.Mapper.Counts.NotMapped["agent-max-no-answer"]);
    }

    [Fact]
    public void A_call_is_its_callers_channel_the_same_in_every_queue_it_waits_in()
    {
        var body = string.Join('\n',
            "Event-Name: CUSTOM", "Core-UUID: c0", "Event-Sequence: 9", "Event-Date-Timestamp: 1772442000000000",
            "Event-Subclass: callcenter%3A%3Ainfo", "CC-Action: member-queue-start", "CC-Queue: sales%40default",
            "CC-Member-UUID: other-member-uuid", "CC-Member-Session-UUID: the-channel", "CC-Member-CID-Number: _undef_", "");
        var events = new List<WireEvent>();

        Assert.Null(new CallCenterMapper("fs", "chel.").Map(EslEvent.Parse(System.Text.Encoding.UTF8.GetBytes(body)), events));

        var queued = Assert.Single(events);
        Assert.Equal(("fs:the-channel", "chel.sales_default"), (queued.CallId, queued.Queue));
        Assert.Null(queued.Caller);
    }

    [Fact]
    public void An_event_with_no_timestamp_or_no_call_is_broken_and_says_why()
    {
        var noTime = EslEvent.Parse("Event-Subclass: callcenter%3A%3Ainfo\nCC-Action: bridge-agent-start\n"u8);
        var noCall = EslEvent.Parse("Event-Subclass: callcenter%3A%3Ainfo\nEvent-Date-Timestamp: 1\nCC-Action: bridge-agent-start\nCC-Agent: a\n"u8);
        var mapper = new CallCenterMapper("fs");

        Assert.Equal(EslFault.Time, mapper.Map(noTime, []));
        Assert.Equal(EslFault.Data, mapper.Map(noCall, []));
    }
}

/// <summary>Overflow: an exit by the queue's own rules followed within the requeue window by an entry into another queue is a transfer there.</summary>
public sealed class CallCenterOverflowTests
{
    static EslEvent Event(long second, string action, string queue, string extra = "") => EslEvent.Parse(System.Text.Encoding.UTF8.GetBytes(
        $"Event-Name: CUSTOM\nEvent-Subclass: callcenter%3A%3Ainfo\nEvent-Date-Timestamp: {(ConnectFiles.Base + second) * 1_000_000}\n" +
        $"Event-UUID: ev-{second}-{action}\nCC-Action: {action}\nCC-Queue: {queue}%40default\nCC-Member-Session-UUID: s-1\n{extra}"));

    static EslEvent Heartbeat(long second) => EslEvent.Parse(System.Text.Encoding.UTF8.GetBytes(
        $"Event-Name: HEARTBEAT\nEvent-Date-Timestamp: {(ConnectFiles.Base + second) * 1_000_000}\nEvent-UUID: hb-{second}\n"));

    [Fact]
    public void A_timeout_followed_by_an_entry_into_another_queue_is_a_transfer_at_that_entry()
    {
        var mapper = new CallCenterMapper("fs");
        var events = new List<WireEvent>();
        mapper.Map(Event(0, "member-queue-start", "support"), events);
        mapper.Map(Event(60, "member-queue-end", "support", "CC-Cause: Cancel\nCC-Cancel-Reason: TIMEOUT\n"), events);
        mapper.Map(Event(61, "member-queue-start", "sales"), events);
        mapper.End(events);

        Assert.Equal("call.queued call.transferred", events.Kinds());
        Assert.Equal(("sales_default", ConnectFiles.At(61)), (events[1].ToQueue, events[1].At));
    }

    [Fact]
    public void A_timeout_with_no_entry_within_the_window_is_an_abandon_decided_by_a_later_heartbeat()
    {
        var mapper = new CallCenterMapper("fs");
        var events = new List<WireEvent>();
        mapper.Map(Event(0, "member-queue-start", "support"), events);
        mapper.Map(Event(60, "member-queue-end", "support", "CC-Cause: Cancel\nCC-Cancel-Reason: NO_AGENT_TIMEOUT\n"), events);
        mapper.Map(Heartbeat(160), events);
        Assert.Equal("call.queued", events.Kinds()); // still within the window
        mapper.Map(Heartbeat(181), events);

        Assert.Equal("call.queued call.abandoned", events.Kinds());
        Assert.Equal(("empty", ConnectFiles.At(60)), (events[1].Reason, events[1].At));
        // The same call entering a queue later is a new wait, after its abandon.
        mapper.Map(Event(300, "member-queue-start", "sales"), events);
        Assert.Equal("call.queued call.abandoned call.queued", events.Kinds());
    }

    [Fact]
    public void A_caller_who_hangs_up_has_abandoned_at_once()
    {
        var mapper = new CallCenterMapper("fs");
        var events = new List<WireEvent>();
        mapper.Map(Event(0, "member-queue-start", "support"), events);
        mapper.Map(Event(20, "member-queue-end", "support", "CC-Cause: Cancel\nCC-Cancel-Reason: BREAK_OUT\n"), events);

        Assert.Equal("call.queued call.abandoned", events.Kinds());
    }
}
