using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Queue.Events;

namespace Queue.Ingest;

/// <summary>Every field of the ingest contract (SPEC §2); a field's place is its index in <see cref="EventSchema.Names"/> and its bit in the masks.</summary>
internal enum EventField
{
    Unknown = -1, Id, Type, At, CallId, Queue, Region, Language, Segment, Caller, AgentId, ToQueue, Resolution, VisitId, Status, Queues,
    Reason, RingSeconds, Count,
}

/// <summary>
/// The per-type rules of the ingest contract: which fields an event type takes, in the order missing ones are
/// reported, which of them it requires, and the event built from its values. Id, type and at are common to all.
/// </summary>
internal sealed record EventSchema(EventType Type, params (EventField Field, bool Required)[] Fields)
{
    /// <summary>Every field name, in the order of <see cref="EventField"/>.</summary>
    public static readonly string[] Names =
        ["id", "type", "at", "callId", "queue", "region", "language", "segment", "caller", "agentId", "toQueue", "resolution", "visitId", "status", "queues",
         "reason", "ringSeconds"];
    static readonly byte[][] Utf8Names = [.. Names.Select(Encoding.UTF8.GetBytes)];

    static readonly EventSchema[] Schemas =
    [
        new(EventType.CallQueued, (EventField.CallId, true), (EventField.Queue, true), (EventField.Region, false), (EventField.Language, false),
            (EventField.Segment, false), (EventField.Caller, false)),
        new(EventType.CallAnswered, (EventField.CallId, true), (EventField.AgentId, true)),
        new(EventType.CallAbandoned, (EventField.CallId, true), (EventField.Reason, false)),
        new(EventType.CallTransferred, (EventField.CallId, true), (EventField.ToQueue, true)),
        new(EventType.CallCompleted, (EventField.CallId, true), (EventField.Resolution, false), (EventField.VisitId, false)),
        new(EventType.AgentStatus, (EventField.AgentId, true), (EventField.Status, true), (EventField.Queues, false), (EventField.Reason, false)),
        new(EventType.VisitCreated, (EventField.VisitId, true), (EventField.CallId, false), (EventField.Region, false)),
        new(EventType.VisitResolved, (EventField.VisitId, true)),
        new(EventType.VisitCancelled, (EventField.VisitId, true)),
        new(EventType.CallResolution, (EventField.CallId, true), (EventField.Resolution, true), (EventField.VisitId, false)),
        new(EventType.CallMissed, (EventField.CallId, true), (EventField.AgentId, true), (EventField.RingSeconds, false)),
    ];

    public static EventSchema Of(EventType type) => Schemas[(int)type];

    public int Allowed { get; } = Fields.Aggregate(0, (mask, f) => mask | Bit(f.Field));
    public int Required { get; } = Fields.Where(f => f.Required).Aggregate(0, (mask, f) => mask | Bit(f.Field));

    public static int Bit(EventField field) => 1 << (int)field;

    // Names are compared as raw UTF-8, without making a string per property. An escaped name ("t\u0079pe")
    // means its unescaped text; such names are rare, so they take the slow way.
    public static EventField FieldOf(JsonProperty p)
    {
        var name = JsonMarshal.GetRawUtf8PropertyName(p);
        if (name.Contains((byte)'\\')) name = Encoding.UTF8.GetBytes(p.Name);
        for (var f = 0; f < Utf8Names.Length; f++)
        {
            if (name.SequenceEqual(Utf8Names[f])) return (EventField)f;
        }
        return EventField.Unknown;
    }

    /// <summary>The event of this type from its values, all checked and every required one present.</summary>
    public QueueEvent Build(ref FieldValues v)
    {
        var id = v.Text[(int)EventField.Id]!;
        var at = v.At;
        var t = v.Text;
        string S(EventField field) => t[(int)field]!;
        string? O(EventField field) => t[(int)field];
        return Type switch
        {
            EventType.CallQueued => new CallQueued(id, at, S(EventField.CallId), S(EventField.Queue), O(EventField.Region), O(EventField.Language), O(EventField.Segment), O(EventField.Caller)),
            EventType.CallAnswered => new CallAnswered(id, at, S(EventField.CallId), S(EventField.AgentId)),
            EventType.CallAbandoned => new CallAbandoned(id, at, S(EventField.CallId), v.AbandonReason),
            EventType.CallTransferred => new CallTransferred(id, at, S(EventField.CallId), S(EventField.ToQueue)),
            EventType.CallCompleted => new CallCompleted(id, at, S(EventField.CallId), v.Resolution, O(EventField.VisitId)),
            EventType.CallResolution => new CallResolutionTold(id, at, S(EventField.CallId), v.Resolution!.Value, O(EventField.VisitId)),
            EventType.CallMissed => new CallMissed(id, at, S(EventField.CallId), S(EventField.AgentId), v.RingSeconds),
            EventType.AgentStatus => new AgentStatusChanged(id, at, S(EventField.AgentId), v.Status, v.Queues, O(EventField.Reason)),
            EventType.VisitCreated => new VisitCreated(id, at, S(EventField.VisitId), O(EventField.CallId), O(EventField.Region)),
            EventType.VisitResolved => new VisitResolved(id, at, S(EventField.VisitId)),
            EventType.VisitCancelled => new VisitCancelled(id, at, S(EventField.VisitId)),
            _ => throw new ArgumentOutOfRangeException(nameof(v), Type, "no event of this type"),
        };
    }
}
