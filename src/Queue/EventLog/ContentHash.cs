using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Queue.Events;

namespace Queue.EventLog;

/// <summary>
/// SHA-256 of an event's parsed content — its type, the instant of <c>at</c> (not how it was written), its
/// fields, the caller already hashed — which decides "duplicate" versus "conflict" for a repeated id. Taken
/// over a plain length-prefixed encoding rather than JSON: it is computed for every event of every batch.
/// </summary>
public static class ContentHash
{
    [ThreadStatic] static ArrayBufferWriter<byte>? buffer;

    public static byte[] Of(QueueEvent e)
    {
        var b = buffer ??= new ArrayBufferWriter<byte>(512);
        b.ResetWrittenCount();
        Text(b, Wire.Name(e.Type));
        BinaryPrimitives.WriteInt64LittleEndian(b.GetSpan(8), e.At.UtcTicks);
        b.Advance(8);
        Text(b, e.Id);
        switch (e)
        {
            case CallQueued q: Texts(b, q.CallId, q.Queue, q.Region, q.Language, q.Segment, q.CallerHash); break;
            case CallAnswered a: Texts(b, a.CallId, a.AgentId); break;
            // Fields added to a type since are encoded only when present, so that the events stored before keep their hash.
            case CallAbandoned x:
                Texts(b, x.CallId);
                if (x.Reason is { } reason) Text(b, Wire.Name(reason));
                break;
            case CallTransferred t: Texts(b, t.CallId, t.ToQueue); break;
            case CallCompleted c: Texts(b, c.CallId, c.Resolution is { } outcome ? Wire.Name(outcome) : null, c.VisitId); break;
            case CallResolutionTold r: Texts(b, r.CallId, Wire.Name(r.Resolution), r.VisitId); break;
            case CallMissed m:
                Texts(b, m.CallId, m.AgentId);
                BinaryPrimitives.WriteDoubleLittleEndian(b.GetSpan(8), m.RingSeconds ?? -1);
                b.Advance(8);
                break;
            case AgentStatusChanged s:
                Texts(b, s.AgentId, Wire.Name(s.Status));
                Length(b, s.Queues?.Count ?? -1);
                foreach (var queue in s.Queues ?? []) Text(b, queue);
                if (s.Reason is not null) Text(b, s.Reason);
                break;
            case VisitCreated v: Texts(b, v.VisitId, v.CallId, v.Region); break;
            case VisitResolved r: Texts(b, r.VisitId); break;
            case VisitCancelled x: Texts(b, x.VisitId); break;
            default: throw new ArgumentOutOfRangeException(nameof(e));
        }
        return SHA256.HashData(b.WrittenSpan);
    }

    static void Texts(ArrayBufferWriter<byte> b, params ReadOnlySpan<string?> values)
    {
        foreach (var value in values) Text(b, value);
    }

    // Length-prefixed UTF-16, -1 for absent: no two different field lists encode the same.
    static void Text(ArrayBufferWriter<byte> b, string? value)
    {
        Length(b, value?.Length ?? -1);
        if (value is null) return;
        var bytes = MemoryMarshal.AsBytes(value.AsSpan());
        bytes.CopyTo(b.GetSpan(bytes.Length));
        b.Advance(bytes.Length);
    }

    static void Length(ArrayBufferWriter<byte> b, int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(b.GetSpan(4), length);
        b.Advance(4);
    }
}
