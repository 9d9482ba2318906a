using Queue.Figures;
using Queue.Staffing;
using Queue.Targets;

namespace Queue.Staffing;

/// <summary>
/// A queue's staffing now (ADR 0006, "Live staffing"): the agents <see cref="Needed"/> to meet its ASA target at the
/// recent load (Erlang C), the agents it <see cref="Has"/> (logged in to it: available, busy or in wrap-up), and what
/// the model expects at that staffing — Erlang A with the callers' observed patience when some abandoned in the last
/// hour (<see cref="Model"/> <c>erlang-a</c>), Erlang C otherwise. Null figures: no handle time is known yet (no call
/// answered in the queue completed in the last hour) while calls arrive.
/// </summary>
public sealed record LiveStaffing(
    int? Needed, int Has, double? Erlangs, bool? Stable, double? ExpectedAsaSeconds, double? ExpectedAbandonment, string Model, string State,
    LiveStaffingInputs Inputs);

/// <summary>
/// What the staffing figures stand on: legs that entered the queue in the last 15 and 60 minutes and the calls an hour
/// they make (⅔ of the quarter's rate, ⅓ of the hour's); calls completed after an answer in the last hour and their mean
/// talk time; the wrap-up episodes of the queue's agents that ended in the last hour and their mean length (null with
/// none); the handle time, talk + wrap-up; the abandons of the last hour and the mean patience they show.
/// </summary>
public sealed record LiveStaffingInputs(
    long Arrived15, long Arrived60, double CallsPerHour15, double CallsPerHour60, double CallsPerHour, long Handled60, double? TalkSeconds,
    long WrapUps60, double? WrapUpSeconds, double? HandleSeconds, long Abandoned60, double? PatienceSeconds, double AsaTargetSeconds);

/// <summary>The model behind <see cref="LiveStaffing"/>'s expected figures.</summary>
public static class StaffingModels
{
    public const string ErlangA = "erlang-a";
    public const string ErlangC = "erlang-c";
    public const string None = "none";
}

/// <summary>Pure: a queue's counts and targets → its live staffing.</summary>
public static class StaffingNow
{
    /// <summary>Agents that serve the queue now: logged in to it and not on a break or offline.</summary>
    public static int Has(IReadOnlyDictionary<string, long> agentsByStatus) =>
        (int)(agentsByStatus.GetValueOrDefault("available") + agentsByStatus.GetValueOrDefault("busy") + agentsByStatus.GetValueOrDefault("wrap_up"));

    /// <summary>The recent load: calls an hour from the quarter's and the hour's arrivals (see <see cref="Traffic.RecentWeight"/>).</summary>
    public static double CallsPerHour(StaffingCounts s) =>
        Traffic.RecentWeight * s.Arrived15 / s.Span15.TotalHours + (1 - Traffic.RecentWeight) * s.Arrived60 / s.Span60.TotalHours;

    /// <summary>What the model projects from these figures (null while the handle time is unknown).</summary>
    public static ForecastInputs? Forecasting(LiveStaffing s, TargetOptions t) => s.Inputs.HandleSeconds is { } aht
        ? new ForecastInputs(s.Inputs.CallsPerHour, s.Inputs.CallsPerHour15, s.Inputs.CallsPerHour60, TimeSpan.FromSeconds(aht), s.Has,
            s.Inputs.PatienceSeconds is { } p ? TimeSpan.FromSeconds(p) : null, t.ServiceLevelThreshold,
            Forecast.TrendNoise(s.Inputs.Arrived15, s.Inputs.Arrived60, s.Inputs.CallsPerHour15, s.Inputs.CallsPerHour60))
        : null;

    public static LiveStaffing Of(StaffingCounts s, WindowCounts m60, IReadOnlyDictionary<string, long> agentsByStatus, TargetOptions t)
    {
        var has = Has(agentsByStatus);
        var callsPerHour = CallsPerHour(s);
        double? talk = s.Talked60 == 0 ? null : s.TalkMicros60 / 1e6 / s.Talked60;
        // A call's wrap-up is the mean episode of the queue's agents: with none ended in the hour, agents did not wrap up.
        double? wrapUp = s.WrapUps60 == 0 ? null : s.WrapUpMicros60 / 1e6 / s.WrapUps60;
        double? handle = talk is { } x && x > 0 ? x + (wrapUp ?? 0) : null;
        var abandoned = m60.Counts.Abandoned + m60.Counts.ShortAbandoned;
        var patience = ErlangA.Patience(abandoned, TimeSpan.FromSeconds(m60.Counts.WaitSeconds) + TimeSpan.FromTicks(s.AbandonWaitMicros60 * 10));
        var inputs = new LiveStaffingInputs(s.Arrived15, s.Arrived60, s.Arrived15 / s.Span15.TotalHours, s.Arrived60 / s.Span60.TotalHours, callsPerHour, s.Talked60, talk, s.WrapUps60, wrapUp, handle, abandoned,
            patience?.TotalSeconds, t.Wait.TotalSeconds);

        if (callsPerHour == 0) return new LiveStaffing(0, has, 0, true, 0, 0, StaffingModels.None, FigureState.Ok, inputs);
        if (handle is not { } aht) return new LiveStaffing(null, has, null, null, null, null, StaffingModels.None, FigureState.None, inputs);

        var traffic = new Traffic(callsPerHour, TimeSpan.FromSeconds(aht));
        var needed = ErlangC.FewestAgents(traffic, new StaffingTargets(t.Wait > TimeSpan.Zero ? t.Wait : null, t.ServiceLevel, t.ServiceLevelThreshold));
        var stable = traffic.Erlangs < has;
        var (model, asa, abandonment) = Expected(traffic, has, patience, t.ServiceLevelThreshold);
        var state = needed is not { } n || has >= n ? FigureState.Ok
            : s.Arrived60 < t.MinimumSample || stable ? FigureState.Warning
            : FigureState.Breach;
        return new LiveStaffing(needed, has, traffic.Erlangs, stable, asa, abandonment, model, state, inputs);
    }

    /// <summary>The expected ASA and abandonment at <paramref name="agents"/>: Erlang A with a known patience, Erlang C (no abandonment, no ASA when unstable) without.</summary>
    public static (string Model, double? AsaSeconds, double? Abandonment) Expected(Traffic traffic, int agents, TimeSpan? patience, TimeSpan serviceLevelTime)
    {
        if (patience is { } p && traffic.CallsPerHour / 3600 * p.TotalSeconds <= ErlangA.MaxArrivalsPerPatience)
        {
            var a = ErlangA.Evaluate(traffic, agents, p);
            return (StaffingModels.ErlangA, a.Asa?.TotalSeconds, a.Abandonment);
        }
        var c = ErlangC.Evaluate(traffic, agents, serviceLevelTime);
        return (StaffingModels.ErlangC, c.Asa?.TotalSeconds, null);
    }
}

/// <summary>
/// GET /api/queues/{queue}/ewt: a caller's expected wait at <see cref="Position"/> (mean, and 10–90 % range), from
/// the agents serving the queue, the handle time and the patience of its live staffing. Nulls and a
/// <see cref="Note"/> when the model has nothing to go on.
/// </summary>
public sealed record ExpectedWaitAnswer(
    string Queue, DateTimeOffset AsOf, int Position, long CallsWaiting, int Agents, int AgentsAvailable,
    double? HandleSeconds, double? PatienceSeconds, double? MeanSeconds, double? LowSeconds, double? HighSeconds, string? Note)
{
    /// <summary>Pure: what a queue's snapshot holds of it (calls waiting, agents by status, live staffing) and a position (default: calls waiting + 1) → the answer.</summary>
    public static ExpectedWaitAnswer Of(string queue, DateTimeOffset asOf, long callsWaiting, IReadOnlyDictionary<string, long> agents, LiveStaffing st, int? position)
    {
        var at = position ?? (int)Math.Min(100_000, callsWaiting + 1);
        var available = (int)agents.GetValueOrDefault("available");
        var handle = st.Inputs.HandleSeconds;
        var patience = st.Inputs.PatienceSeconds;
        ExpectedWaitAnswer Answer(WaitEstimate? w, string? note) => new(queue, asOf, at, callsWaiting, st.Has, available, handle, patience,
            w?.MeanSeconds, w?.LowSeconds, w?.HighSeconds, note);
        if (at <= available) return Answer(new WaitEstimate(0, 0, 0, 0), null);
        if (st.Has == 0) return Answer(null, "No agent serves the queue now.");
        if (handle is not { } aht) return Answer(null, "No call of the last hour has completed: the handle time is not known yet.");
        return Answer(ExpectedWait.Of(at, available, st.Has, TimeSpan.FromSeconds(aht), patience is { } p ? TimeSpan.FromSeconds(p) : null), null);
    }
}
