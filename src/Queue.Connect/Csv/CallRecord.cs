namespace Queue.Connect.Csv;

/// <summary>
/// One leg of a call as a CSV export gives it, checked and with its names made identifiers (SPEC §9's columns).
/// <see cref="Key"/> is the hash of the row's normalized content, from which its events' ids are made.
/// </summary>
internal sealed record CallRecord(
    string Key,
    string CallId,
    string Queue,
    DateTimeOffset QueuedAt,
    LegOutcome Outcome,
    DateTimeOffset EndedAt,
    string? AgentId,
    DateTimeOffset? CompletedAt,
    string? Resolution,
    string? TransferredTo,
    string? Region,
    string? Language,
    string? Segment,
    string? Caller);

/// <summary>How a leg's wait ended.</summary>
internal enum LegOutcome { Answered, Abandoned, Transferred }

/// <summary>Why a row gave no leg. Bad rows are skipped, counted by cause and written to the reject file; never fatal.</summary>
internal enum RowFault
{
    /// <summary>The row is not a well-formed CSV record (bad quoting, another number of fields than the header).</summary>
    Shape,
    /// <summary>A required field is empty: call_id, queue, queued_at, outcome, ended_at; agent_id of an answered leg, transferred_to of a transferred one.</summary>
    Missing,
    /// <summary>A timestamp that does not parse, does not exist in the zone, or has no offset and no <c>--time-zone</c> to read it in.</summary>
    Time,
    /// <summary>An outcome other than answered, abandoned, transferred.</summary>
    Outcome,
    /// <summary>Times out of order: ended before queued, or completed before ended.</summary>
    Order,
    /// <summary>A value the contract does not take: a resolution not one of resolved, field_visit, escalated, unresolved.</summary>
    Value,
}

/// <summary>What is wrong with a row: its cause, and a reason an operator can act on (never the caller's number).</summary>
internal sealed record RowProblem(RowFault Cause, string Reason);
