using System.Buffers;
using System.Text.Json;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Queue.Live;

/// <summary>
/// The hub's messages in MessagePack (ADR 0009) carry the very shape they have in JSON: the same camelCase names, the
/// same ISO 8601 instants, the same nulls. One contract, written once by System.Text.Json and checked against the pages'
/// TypeScript (LiveContractTests), serves both protocols; MessagePack only makes it smaller and cheaper to parse.
/// Messages of Queue's own types (and a client's <see cref="JsonElement"/>, read as JSON) are written by this resolver;
/// everything else (the client's string arrays, the protocol's own frames) by MessagePack's standard resolvers.
/// </summary>
public static class LiveMessagePack
{
    /// <summary>What the hub's MessagePack protocol (server and .NET clients) serializes with.</summary>
    public static MessagePackSerializerOptions Options { get; } =
        MessagePackSerializerOptions.Standard.WithResolver(CompositeResolver.Create(AsJsonResolver.Instance, ContractlessStandardResolver.Instance));

    // As the JSON hub protocol writes them: web defaults (camelCase, case-insensitive reading).
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    sealed class AsJsonResolver : IFormatterResolver
    {
        public static readonly AsJsonResolver Instance = new();

        public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

        static class Cache<T>
        {
            public static readonly IMessagePackFormatter<T>? Formatter =
                (typeof(T).Assembly == typeof(LiveMessagePack).Assembly && !typeof(T).IsEnum) || typeof(T) == typeof(JsonElement)
                    ? new AsJsonFormatter<T>()
                    : null;
        }
    }

    sealed class AsJsonFormatter<T> : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) =>
            Write(ref writer, JsonSerializer.SerializeToElement(value, Json));

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer)) Read(ref reader, json);
            return JsonSerializer.Deserialize<T>(buffer.WrittenSpan, Json)!;
        }
    }

    static void Write(ref MessagePackWriter writer, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var _ in e.EnumerateObject()) count++;
                writer.WriteMapHeader(count);
                foreach (var p in e.EnumerateObject())
                {
                    writer.Write(p.Name);
                    Write(ref writer, p.Value);
                }
                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(e.GetArrayLength());
                foreach (var item in e.EnumerateArray()) Write(ref writer, item);
                break;
            case JsonValueKind.String:
                writer.Write(e.GetString());
                break;
            case JsonValueKind.Number:
                // Counts stay integers; everything else (seconds, rates) is a double, as JavaScript reads it.
                if (e.TryGetInt64(out var whole)) writer.Write(whole);
                else writer.Write(e.GetDouble());
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    static void Read(ref MessagePackReader reader, Utf8JsonWriter json)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var fields = reader.ReadMapHeader();
                json.WriteStartObject();
                for (var i = 0; i < fields; i++)
                {
                    json.WritePropertyName(reader.ReadString()!);
                    Read(ref reader, json);
                }
                json.WriteEndObject();
                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                json.WriteStartArray();
                for (var i = 0; i < items; i++) Read(ref reader, json);
                json.WriteEndArray();
                break;
            case MessagePackType.String:
                json.WriteStringValue(reader.ReadString());
                break;
            case MessagePackType.Integer:
                json.WriteNumberValue(reader.ReadInt64());
                break;
            case MessagePackType.Float:
                json.WriteNumberValue(reader.ReadDouble());
                break;
            case MessagePackType.Boolean:
                json.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Nil:
                reader.ReadNil();
                json.WriteNullValue();
                break;
            default:
                throw new MessagePackSerializationException($"A live message holds no {reader.NextMessagePackType} values.");
        }
    }
}
