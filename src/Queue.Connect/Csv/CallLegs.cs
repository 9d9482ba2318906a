namespace Queue.Connect.Csv;

/// <summary>The legs of one call in the order the call went through them, whatever their order in the file.</summary>
internal static class CallLegs
{
    /// <summary>
    /// Legs by queued_at (then ended_at, then key, so that the order is always the same). Where that is not enough —
    /// legs queued in the same second, as an overflow moves a call at once — a transfer decides: after a leg that was
    /// transferred comes the earliest remaining leg in the queue it was transferred to (queued no earlier than it);
    /// and the first leg is one no other leg of its second was transferred into.
    /// </summary>
    public static List<CallRecord> Order(IReadOnlyCollection<CallRecord> legs)
    {
        var rest = legs.OrderBy(l => l.QueuedAt).ThenBy(l => l.EndedAt).ThenBy(l => l.Key, StringComparer.Ordinal).ToList();
        var ordered = new List<CallRecord>(rest.Count);
        CallRecord? previous = null;
        while (rest.Count > 0)
        {
            var next = previous is { Outcome: LegOutcome.Transferred, TransferredTo: { } to }
                ? rest.FirstOrDefault(l => l.Queue == to && l.QueuedAt >= previous.QueuedAt)
                : null;
            next ??= previous is null ? rest.FirstOrDefault(l => !IsTransferTarget(l, rest)) : null;
            next ??= rest[0];
            rest.Remove(next);
            ordered.Add(next);
            previous = next;
        }
        return ordered;
    }

    static bool IsTransferTarget(CallRecord leg, List<CallRecord> others) =>
        others.Any(o => !ReferenceEquals(o, leg) && o.Outcome == LegOutcome.Transferred && o.TransferredTo == leg.Queue && o.QueuedAt <= leg.QueuedAt);
}
