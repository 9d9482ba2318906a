using Queue.Connect;
using Queue.Connect.Asterisk;
using static Queue.Tests.Connect.ConnectFiles;

namespace Queue.Tests.Connect;

/// <summary>SPEC §9's queue_log mapping, on a hand-written day of a three-queue PBX (Files/day.queue_log).</summary>
public sealed class QueueLogMappingTests
{
    static readonly (List<WireEvent> Events, Queue.Connect.Pumping.RunSummary Summary, MappingCounts Counts) Day = Map("day.queue_log");

    [Fact]
    public void A_call_answered_after_a_missed_offer_is_queued_missed_answered_completed()
    {
        var call = Day.Events.Of(Call(1));

        Assert.Equal("call.queued call.missed call.answered call.completed", call.Kinds());
        Assert.Equal(("support", "+79125550011", At(10)), (call[0].Queue, call[0].Caller, call[0].At));
        Assert.Equal(("SIP:1002", 15.0), (call[1].AgentId, call[1].RingSeconds));
        Assert.Equal(("SIP:1001", At(30)), (call[2].AgentId, call[2].At));
        Assert.Null(call[3].Reason);
        Assert.Equal(At(200), call[3].At);
    }

    [Fact]
    public void An_exit_by_timeout_followed_by_an_entry_within_the_window_is_a_transfer_there()
    {
        var call = Day.Events.Of(Call(2));

        Assert.Equal("call.queued call.transferred call.answered call.completed", call.Kinds());
        Assert.Equal(("sales", At(101)), (call[1].ToQueue, call[1].At));
        Assert.Equal("PJSIP:1003", call[2].AgentId);
    }

    [Fact]
    public void An_exit_by_timeout_with_no_entry_after_is_an_abandon_with_its_reason_at_the_exit()
    {
        var call = Day.Events.Of(Call(3));

        Assert.Equal("call.queued call.abandoned", call.Kinds());
        Assert.Null(call[0].Caller);
        Assert.Equal(("timeout", At(110)), (call[1].Reason, call[1].At));
    }

    [Fact]
    public void Exits_by_an_empty_queue_and_by_a_key_are_abandons_with_those_reasons()
    {
        Assert.Equal("empty", Day.Events.Of(Call(9)).Single(e => e.Type == "call.abandoned").Reason);
        Assert.Equal("key", Day.Events.Of(Call(10)).Single(e => e.Type == "call.abandoned").Reason);
        var hangup = Day.Events.Of(Call(8));
        Assert.Equal("call.queued call.abandoned", hangup.Kinds());
        Assert.Equal(("hangup", At(730)), (hangup[1].Reason, hangup[1].At));
    }

    [Fact]
    public void A_blind_transfer_into_a_queue_is_a_transfer_and_one_out_of_the_queues_completes_the_call()
    {
        var into = Day.Events.Of(Call(4));
        Assert.Equal("call.queued call.answered call.transferred call.answered call.completed", into.Kinds());
        Assert.Equal(("vip", At(262)), (into[2].ToQueue, into[2].At));
        Assert.Equal("Agent:1004", into[3].AgentId);

        var away = Day.Events.Of(Call(5));
        Assert.Equal("call.queued call.answered call.completed", away.Kinds());
        Assert.Equal(At(280), away[2].At);
    }

    [Fact]
    public void The_consult_channel_of_an_attended_transfer_is_no_call_and_the_caller_moves_to_its_queue()
    {
        Assert.Empty(Day.Events.Of(Call(7)));
        Assert.Equal(1, Day.Counts.ConsultChannels);

        var call = Day.Events.Of(Call(6));
        Assert.Equal("call.queued call.answered call.transferred call.answered call.completed", call.Kinds());
        Assert.Equal(("vip", At(670)), (call[2].ToQueue, call[2].At));
        // The consult was answered before the transfer completed: the caller is with that agent from then on.
        Assert.Equal(("Agent:1004", At(670)), (call[3].AgentId, call[3].At));
        // The consult channel's own end is the call's end.
        Assert.Equal(At(900), call[4].At);
    }

    [Fact]
    public void A_connect_with_no_waiting_leg_starts_its_leg_at_connect_time_less_the_hold_time()
    {
        var call = Day.Events.Of(Call(11));

        Assert.Equal("call.queued call.answered call.completed", call.Kinds());
        Assert.Equal((At(760), "support"), (call[0].At, call[0].Queue));
        Assert.Equal(At(800), call[1].At);
    }

    [Fact]
    public void Lines_of_the_same_second_keep_file_order()
    {
        Assert.Equal("call.queued call.answered call.completed", Day.Events.Of(Call(12)).Kinds());

        var statuses = Day.Events.Where(e => e.AgentId == "SIP:1002" && FromStatusLine(e)).ToList();
        Assert.Equal(["available", "break", "available", "break"], statuses.Select(s => s.Status));
        // PAUSE then UNPAUSE in one second: the later line is the later instant.
        Assert.True(statuses[1].At < statuses[2].At);
        Assert.Equal(At(500), statuses[1].At);
    }

    [Fact]
    public void Pauses_carry_their_reasons_and_unpauses_none()
    {
        var statuses = Day.Events.Where(e => e.AgentId == "SIP:1002" && FromStatusLine(e)).ToList();

        Assert.Equal([null, "Lunch", null, "Training"], statuses.Select(s => s.Reason));
    }

    // A status a pause, membership or login line tells, not one read from the agent's calls.
    static bool FromStatusLine(Queue.Connect.WireEvent e) => e.Type == "agent.status" && e.Id.EndsWith(":s", StringComparison.Ordinal);

    [Fact]
    public void On_a_call_an_agent_is_busy_and_after_it_back_to_what_the_log_last_said()
    {
        var anna = Day.Events.Where(e => e.AgentId == "SIP:1001" && e.Type == "agent.status" && !FromStatusLine(e)).ToList();
        // CONNECT of call 1 at +30 s, its COMPLETECALLER at +200 s.
        Assert.Equal(("busy", At(30)), (anna[0].Status, anna[0].At));
        Assert.Equal(("available", At(200)), (anna[1].Status, anna[1].At));

        // SIP/1002 paused for training at +501 s takes call 11 at +800 s: busy, then on its break again with its reason.
        var bea = Day.Events.Where(e => e.AgentId == "SIP:1002" && e.Type == "agent.status" && e.At >= At(800) && e.At <= At(900)).ToList();
        Assert.Equal(["busy", "break"], bea.Select(e => e.Status));
        Assert.Equal(("Training", At(850)), (bea[1].Reason, bea[1].At));
    }

    [Fact]
    public void Membership_is_sent_as_the_whole_set_of_queues_the_agent_serves()
    {
        var anna = Day.Events.Where(e => e.AgentId == "SIP:1001" && FromStatusLine(e)).ToList();

        Assert.Equal(["support"], anna[0].Queues!);
        Assert.Equal(["sales", "support"], anna[1].Queues!);
        // Removed from one queue of two: still available in the other; from the last: offline, serving none.
        Assert.Equal("available", anna[2].Status);
        Assert.Equal(["support"], anna[2].Queues!);
        Assert.Equal("offline", anna[3].Status);
        Assert.Empty(anna[3].Queues!);
        // Two statuses of one agent in one second keep their order.
        Assert.Equal(At(0).AddMilliseconds(1), anna[1].At);
    }

    [Fact]
    public void An_agent_login_and_its_calls_join_up_under_one_id()
    {
        var agent = Day.Events.Where(e => e.AgentId == "Agent:1004" && (e.Type != "agent.status" || FromStatusLine(e))).ToList();

        // AGENTLOGIN writes the bare agent id, the calls the member Agent/1004: one agent.
        Assert.Equal("agent.status call.answered call.answered agent.status", agent.Kinds());
        Assert.Equal(["available", "offline"], agent.Where(e => e.Type == "agent.status").Select(e => e.Status));
    }

    [Fact]
    public void A_crash_leaves_a_nul_run_a_ghost_leg_and_a_cut_line_which_are_skipped_and_counted()
    {
        Assert.Empty(Day.Events.Of(Call(13)));
        Assert.Equal(1, Day.Counts.GhostLegsDropped);
        Assert.Equal(1, Day.Summary.Skipped[SkipCause.Nul]);
        Assert.Equal(1, Day.Summary.Skipped[SkipCause.Truncated]);
        Assert.Equal(1, Day.Summary.Skipped[SkipCause.Fields]);
        Assert.Equal(1, Day.Summary.Skipped[SkipCause.Time]);
        // The first line after the NUL run (QUEUESTART) and the calls after the restart are read.
        Assert.Equal("call.queued call.answered call.completed", Day.Events.Of(Call(14)).Kinds());
        Assert.Equal(1, Day.Counts.NotMapped["CONFIGRELOAD"]);
    }

    [Fact]
    public void A_leg_with_no_end_started_over_an_hour_before_the_end_of_the_log_is_a_ghost_and_a_recent_one_is_sent()
    {
        var (events, _, counts) = Map("ghost.queue_log");

        Assert.Empty(events.Of(Call(1)));
        Assert.Empty(events.Of(Call(3)));
        Assert.Equal(2, counts.GhostLegsDropped);
        Assert.Equal("call.queued", events.Of(Call(5)).Kinds());
        Assert.Equal("call.queued call.answered call.completed", events.Of(Call(4)).Kinds());
    }

    [Fact]
    public void Every_event_is_a_valid_contract_event()
    {
        foreach (var e in Day.Events)
        {
            Assert.True(e.Id.Length <= 100 && Identifiers.IsValid(e.Id), e.Id);
            foreach (var id in new[] { e.CallId, e.Queue, e.AgentId, e.ToQueue }.OfType<string>()) Assert.True(Identifiers.IsValid(id), id);
        }
        Assert.Equal(Day.Events.Count, Day.Events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void Reading_the_same_lines_again_gives_the_same_events_with_the_same_ids()
    {
        var again = Map("day.queue_log").Events;

        Assert.Equal(Day.Events.Select(WireJson.Serialize), again.Select(WireJson.Serialize));
    }

    [Fact]
    public void Two_sources_keep_two_pbxs_with_the_same_uniqueids_and_queues_apart()
    {
        var one = Map("day.queue_log", MappingOptions.For("pbx1", "one.")).Events;
        var two = Map("day.queue_log", MappingOptions.For("pbx2", "two.")).Events;

        Assert.Empty(one.Select(e => e.Id).Intersect(two.Select(e => e.Id)));
        Assert.Empty(one.Select(e => e.CallId).OfType<string>().Intersect(two.Select(e => e.CallId).OfType<string>()));
        Assert.All(one.Select(e => e.Queue ?? e.ToQueue).OfType<string>(), q => Assert.StartsWith("one.", q, StringComparison.Ordinal));
        Assert.StartsWith($"pbx2:{Base}.", two.First(e => e.CallId is not null).CallId, StringComparison.Ordinal);
    }
}
