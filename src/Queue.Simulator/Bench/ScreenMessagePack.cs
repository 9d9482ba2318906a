using System.Buffers;
using System.Globalization;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Queue.Simulator.Bench;

/// <summary>
/// How the bench's screens read an <c>Updated</c> in MessagePack: straight into the few fields they measure by
/// (<see cref="ScreenChanges"/>), stepping over every other value by its length. The screens share this machine's two
/// cores with the service they measure; a page reads the whole message on a machine of its own. Every other message is
/// read as the service's resolver reads it (<see cref="Queue.Live.LiveMessagePack"/>).
/// </summary>
internal static class ScreenMessagePack
{
    public static MessagePackSerializerOptions Options { get; } = Queue.Live.LiveMessagePack.Options.WithResolver(
        CompositeResolver.Create([new ChangesFormatter()], [Queue.Live.LiveMessagePack.Options.Resolver]));

    sealed class ChangesFormatter : IMessagePackFormatter<ScreenChanges>
    {
        public void Serialize(ref MessagePackWriter writer, ScreenChanges value, MessagePackSerializerOptions options) =>
            throw new NotSupportedException("The screens only read updates.");

        public ScreenChanges Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
            new(Member<List<ScreenChange>>(ref reader, "queues"u8, static (ref r) =>
            {
                var changes = new List<ScreenChange>();
                for (var items = r.ReadArrayHeader(); items > 0; items--) changes.Add(Change(ref r));
                return changes;
            }) ?? []);

        static ScreenChange Change(ref MessagePackReader reader)
        {
            string? queue = null;
            long seq = 0, @base = 0;
            var set = new ScreenSet(null, null);
            for (var fields = reader.ReadMapHeader(); fields > 0; fields--)
            {
                var name = Name(ref reader);
                if (reader.TryReadNil()) continue;
                if (name.SequenceEqual("queue"u8)) queue = reader.ReadString();
                else if (name.SequenceEqual("seq"u8)) seq = reader.ReadInt64();
                else if (name.SequenceEqual("base"u8)) @base = reader.ReadInt64();
                else if (name.SequenceEqual("set"u8)) set = Set(ref reader);
                else reader.Skip();
            }
            return new ScreenChange(queue!, seq, @base, set);
        }

        static ScreenSet Set(ref MessagePackReader reader)
        {
            long? waiting = null, answered = null;
            DateTimeOffset? asOf = null;
            for (var fields = reader.ReadMapHeader(); fields > 0; fields--)
            {
                var name = Name(ref reader);
                if (reader.TryReadNil()) continue;
                if (name.SequenceEqual("callsWaiting"u8)) waiting = reader.ReadInt64();
                else if (name.SequenceEqual("asOf"u8)) asOf = DateTimeOffset.Parse(reader.ReadString()!, CultureInfo.InvariantCulture);
                else if (name.SequenceEqual("windows"u8)) answered = TodayAnswered(ref reader);
                else reader.Skip();
            }
            return new ScreenSet(waiting, asOf, answered is { } n ? new ScreenWindows(new ScreenWindow(n)) : null);
        }

        // Of a snapshot's windows (or their change), today's answered count.
        static long? TodayAnswered(ref MessagePackReader reader) =>
            Member<long?>(ref reader, "today"u8, static (ref r) => Member<long?>(ref r, "answered"u8, static (ref a) => a.ReadInt64()));

        delegate T ReadValue<T>(ref MessagePackReader reader);

        // The member named name of the map that comes next, read by read (default when absent or nil); every other member stepped over.
        static T? Member<T>(ref MessagePackReader reader, ReadOnlySpan<byte> name, ReadValue<T> read)
        {
            T? value = default;
            for (var fields = reader.ReadMapHeader(); fields > 0; fields--)
            {
                var found = Name(ref reader).SequenceEqual(name);
                if (reader.TryReadNil()) continue;
                if (found) value = read(ref reader);
                else reader.Skip();
            }
            return value;
        }

        static ReadOnlySpan<byte> Name(ref MessagePackReader reader) =>
            reader.TryReadStringSpan(out var span) ? span : reader.ReadStringSequence() is { } split ? split.ToArray() : [];
    }
}
