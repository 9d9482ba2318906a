using System.Text;

namespace Queue.Tests.Ingest.Scenarios;

/// <summary>One post of an event: the original, an exact copy, or the same event re-written.</summary>
public sealed record Send(int Event, bool Copy, bool Rewritten);

/// <summary>The order and batching in which a scenario's events (and their duplicates) reach the API.</summary>
public sealed record Delivery(IReadOnlyList<IReadOnlyList<Send>> Batches)
{
    public int Sends => Batches.Sum(b => b.Count);

    public static Delivery Of(int events, (int Event, bool Rewritten)[] duplicates, int[] keys, int[] sizes)
    {
        var sends = Enumerable.Range(0, events).Select(i => new Send(i, false, false))
            .Concat(duplicates.Select(d => new Send(d.Event, true, d.Rewritten)))
            .Select((s, i) => (Send: s, Key: keys[i], Index: i))
            .OrderBy(s => s.Key).ThenBy(s => s.Index)
            .Select(s => s.Send)
            .ToList();
        var batches = new List<IReadOnlyList<Send>>();
        for (int at = 0, i = 0; at < sends.Count; i++)
        {
            var size = Math.Min(sizes[i % sizes.Length], sends.Count - at);
            batches.Add(sends.GetRange(at, size));
            at += size;
        }
        return new Delivery(batches);
    }
}

public enum WindowKind { Everything, Random, Anchored }

/// <summary>A window [from, to) relative to the ingest clock; anchored windows start and end on scenario instants (± 1 µs).</summary>
public sealed record WindowPlan(WindowKind Kind, long FromUs, long LengthUs, int A, int B, int NudgeA, int NudgeB, int Style)
{
    public (TimeSpan From, TimeSpan To) Resolve(Scenario scenario)
    {
        switch (Kind)
        {
            case WindowKind.Everything:
                return (TimeSpan.FromDays(-8), TimeSpan.FromDays(3));
            case WindowKind.Random:
                return (Scenario.Us(FromUs), Scenario.Us(FromUs + LengthUs));
            default:
                var instants = scenario.Instants;
                var from = instants[A % instants.Count] + Scenario.Us(NudgeA);
                var to = instants[B % instants.Count] + Scenario.Us(NudgeB);
                return to > from ? (from, to) : (from, from + Scenario.Us(LengthUs));
        }
    }
}

/// <summary>How far the clock moves after ingest: onto a visit deadline still ahead (or 1 µs past it), or some hours.</summary>
public sealed record AdvancePlan(bool ToDeadline, int Index, int NudgeUs, long AmountUs)
{
    public TimeSpan Resolve(Scenario scenario)
    {
        var ahead = scenario.Deadlines.Where(d => d > TimeSpan.Zero).Order().ToList();
        return ToDeadline && ahead.Count > 0 ? ahead[Index % ahead.Count] + Scenario.Us(NudgeUs) : Scenario.Us(AmountUs);
    }
}

/// <summary>A whole generated case: the scenario, how it is delivered, the windows asked for, and the clock's move.</summary>
public sealed record Case(Scenario Scenario, Delivery Delivery, WindowPlan[] Windows, AdvancePlan Advance)
{
    /// <summary>The scenario in source order per call, visit and agent, then its delivery: what a failure needs to be read.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        var events = Scenario.Events;
        text.AppendLine($"{events.Count} distinct events, {Delivery.Sends} posts in {Delivery.Batches.Count} batches; times relative to the clock at ingest (t₀)");
        foreach (var group in events.GroupBy(e => (Kind: e.IsCall ? 0 : e.IsVisit ? 1 : 2, e.Subject)).OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.Subject, StringComparer.Ordinal))
        {
            text.AppendLine($"  {group.Key.Subject}:");
            foreach (var e in group.OrderBy(e => e.At).ThenBy(e => Reference.Rank(e.Type)).ThenBy(e => e.Id, StringComparer.Ordinal))
                text.AppendLine($"    {e}");
        }
        text.Append("  batches:");
        foreach (var batch in Delivery.Batches)
            text.Append(" [").Append(string.Join(" ", batch.Select(s => events[s.Event].Id + (s.Rewritten ? "~" : s.Copy ? "=" : "")))).Append(']');
        text.AppendLine().AppendLine("  (= exact copy, ~ the same event re-written with another offset)");
        foreach (var w in Windows)
        {
            var (from, to) = w.Resolve(Scenario);
            text.AppendLine($"  window [{Wire.Relative(from)}, {Wire.Relative(to)}) ({w.Kind})");
        }
        text.AppendLine($"  then the clock moves to {Wire.Relative(Advance.Resolve(Scenario))}");
        return text.ToString();
    }
}
