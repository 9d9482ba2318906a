using CsCheck;
using static Queue.Tests.Ingest.Scenarios.Scenario;

namespace Queue.Tests.Ingest.Scenarios;

/// <summary>
/// Random multi-call scenarios with transfers, visits and agents, leaning on the edges of SPEC §2–3: waits of
/// exactly 5 s and 30 s (and 1 µs either side), visits closed exactly at their 24 h and 48 h deadlines, events
/// of one call or visit at the same instant, and ids whose ordinal order differs from dictionary order.
/// </summary>
public static class ScenarioGen
{
    public static readonly string[] QueueNames = ["q1", "q2", "q3"];
    static readonly string[] Agents = ["ag1", "ag2", "ag3"];
    static readonly string[] Callers = ["+7 912 555-00-11", "+7 (343) 210-99-87", "8 800 100 20 30"];

    static readonly Gen<long> Wait = Gen.Frequency(
        (3, Gen.Long[0, 5 * Minute]),
        (3, Gen.OneOf(0L, 5 * Second - 1, 5 * Second, 5 * Second, 5 * Second + 1, 30 * Second - 1, 30 * Second, 30 * Second, 30 * Second + 1)));

    static readonly Gen<long> Talk = Gen.Frequency((1, Gen.Const(0L)), (3, Gen.Long[Second, 20 * Minute]));

    static readonly Gen<long> VisitDelay = Gen.Frequency(
        (2, Gen.Long[0, 60 * Hour]),
        (3, Gen.OneOf(0L, 24 * Hour - 1, 24 * Hour, 24 * Hour, 24 * Hour + 1, 48 * Hour - 1, 48 * Hour, 48 * Hour, 48 * Hour + 1)));

    // Where in the accepted week a call or visit sits; a third of them in the last day, so deadlines fall on both sides of
    // now, and some in the last minutes, so that calls still wait (a leg waiting over an hour is a ghost).
    static readonly Gen<double> Position = Gen.Frequency((4, Gen.Double[0, 1]), (2, Gen.Double[0.85, 1]), (1, Gen.Double[0.999, 1]));

    static Gen<string?> Maybe(params string[] values) => Gen.OneOf(values).Null(0.4);

    static readonly Gen<LegDraft> Leg =
        Gen.Select(Wait, Gen.Bool, Talk, Gen.OneOf(QueueNames), Gen.OneOf(Agents), (w, a, t, q, ag) => new LegDraft(w, a, t, q, ag));

    static readonly Gen<string> Outcome = Gen.OneOf("resolved", "resolved", "field_visit", "escalated", "unresolved");

    static readonly Gen<CompletionDraft?> Completion =
        Gen.Select(Talk, Gen.Frequency((4, Outcome.Select(o => (string?)o)), (2, Gen.Const((string?)null))),
                Gen.Frequency((2, Gen.Const((int?)null)), (3, Gen.Int[0, 20].Select(i => (int?)i)), (1, Gen.Const<int?>(-1))),
                (t, r, v) => new CompletionDraft(t, r, v))
            .Null(0.35);

    // Told from an hour before the completion to a day after it; a third at its very instant, so the tie order shows.
    static readonly Gen<ToldDraft> Told =
        Gen.Select(Gen.Frequency((2, Gen.Long[-Hour, Day]), (1, Gen.Const(0L))), Outcome,
            Gen.Frequency((3, Gen.Const((int?)null)), (1, Gen.Int[0, 20].Select(i => (int?)i))), (o, r, v) => new ToldDraft(o, r, v));

    static readonly Gen<MissedDraft?> Missed =
        Gen.Select(Gen.OneOf(Agents), Gen.Frequency((1, Gen.Const((double?)null)), (2, Gen.Double[0, 60].Select(s => (double?)Math.Round(s, 3)))),
            (a, r) => new MissedDraft(a, r)).Null(0.6);

    static readonly Gen<CallDraft> CallShape =
        from queue in Gen.OneOf(QueueNames)
        from region in Maybe("ural", "volga", "siberia")
        from language in Maybe("ru", "tt")
        from segment in Maybe("b2c", "b2b")
        from caller in Maybe(Callers)
        from legs in Leg.Array[1, 3]
        from last in Gen.Frequency((4, LastLeg.Answered), (3, LastLeg.Abandoned), (2, LastLeg.Waiting))
        from completion in Completion
        from tie in Gen.Frequency(
            (8, CallTie.None), (1, CallTie.SecondAnswer), (1, CallTie.AbandonAtAnswer), (1, CallTie.TransferAtAnswer),
            (1, CallTie.TransferAtQueued), (1, CallTie.QueuedAgainWhileWaiting), (1, CallTie.QueuedAgainAfterEnd))
        from position in Position
        select new CallDraft(queue, region, language, segment, caller, legs, last, completion, tie, position);

    // After CallShape: static fields are set in the order they are written.
    static readonly Gen<CallDraft> Call =
        from draft in CallShape
        from told in Gen.Frequency((5, Gen.Const(Array.Empty<ToldDraft>())), (3, Told.Array[1, 3]))
        from missed in Missed
        from reason in Maybe("hangup", "timeout", "empty", "key")
        select draft with { Told = told, Missed = missed, AbandonReason = reason };

    static readonly Gen<VisitDraft> Visit =
        from link in Gen.Frequency((3, VisitLink.None), (4, VisitLink.Call), (1, VisitLink.UnknownCall))
        from call in Gen.Int[0, 20]
        from region in Maybe("ural", "volga")
        from end in Gen.Frequency(
            (3, VisitEnd.Open), (4, VisitEnd.Resolved), (3, VisitEnd.Cancelled), (1, VisitEnd.ResolvedAndCancelled),
            (1, VisitEnd.ResolvedAndCancelledAtOnce), (1, VisitEnd.ResolvedWithoutCreated))
        from first in VisitDelay
        from second in VisitDelay
        from twice in Gen.Frequency((9, false), (1, true))
        from position in Position
        select new VisitDraft(link, call, region, end, first, second, twice, position);

    static readonly Gen<AgentDraft> Agent =
        // Wrap-up twice as often as another status, and three in four in the last 70 minutes (of about 7 days): the
        // wrap-up episodes that ended in the last hour count in live staffing.
        Gen.Select(Gen.OneOf(Agents), Gen.OneOf("available", "busy", "wrap_up", "wrap_up", "break", "offline"),
            Gen.OneOf(QueueNames).Array[0, 3].Null(0.5), Gen.Frequency((2, false), (1, true)), Gen.Frequency((1, Gen.Double[0, 1]), (3, Gen.Double[0.993, 1])),
            (a, s, q, tie, p) => new AgentDraft(a, s, q, tie, p))
        .SelectMany(d => Maybe("lunch", "training", "Toilet break", "Тех. перерыв").Select(r => d with { Reason = r }));

    static Gen<Delivery> DeliveryOf(int events) =>
        from duplicates in Gen.Select(Gen.Int[0, events - 1], Gen.Bool).Array[0, events / 2]
        from keys in Gen.Int.Array[events + duplicates.Length]
        from sizes in Gen.Frequency((4, Gen.Int[1, 4]), (3, Gen.Int[5, 30]), (1, Gen.Const(5_000))).Array[1, 40]
        select Delivery.Of(events, duplicates, keys, sizes);

    static readonly Gen<WindowPlan> Window =
        from kind in Gen.Frequency((1, WindowKind.Random), (2, WindowKind.Anchored))
        from start in Gen.Long[-8 * Day, 2 * Day]
        from length in Gen.Long[1, 4 * Day]
        from a in Gen.Int[0, 1000]
        from b in Gen.Int[0, 1000]
        from nudgeA in Gen.Int[-1, 1]
        from nudgeB in Gen.Int[-1, 1]
        from style in Gen.Int[0, 8]
        select new WindowPlan(kind, start, length, a, b, nudgeA, nudgeB, style);

    static readonly Gen<AdvancePlan> Advance =
        Gen.Select(Gen.Frequency((2, true), (1, false)), Gen.Int[0, 100], Gen.Int[0, 1], Gen.Long[0, 50 * Hour],
            (toDeadline, index, nudge, amount) => new AdvancePlan(toDeadline, index, nudge, amount));

    public static readonly Gen<Case> Case =
        from calls in Call.Array[1, 10]
        from visits in Visit.Array[0, 8]
        from agents in Agent.Array[0, 8]
        from salt in Gen.Int[0, 999]
        let scenario = Build(calls, visits, agents, salt)
        from delivery in DeliveryOf(scenario.Events.Count)
        from windows in Window.Array[2, 4]
        from advance in Advance
        select new Case(scenario, delivery, [new WindowPlan(WindowKind.Everything, 0, 0, 0, 0, 0, 0, 0), .. windows], advance);
}
