using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Queue.Connect;

/// <summary>The JSON of the ingest contract: camelCase, absent optionals omitted.</summary>
internal static class WireJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Serialize(IReadOnlyList<WireEvent> events) => JsonSerializer.SerializeToUtf8Bytes(events, Options);

    public static string Serialize(WireEvent e) => JsonSerializer.Serialize(e, Options);
}

/// <summary>RFC 3339 in UTC (<c>Z</c>), with a fraction of a second only where there is one: the instant is what counts.</summary>
internal sealed class Rfc3339Converter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    public static string Format(DateTimeOffset value)
    {
        // "F" digits drop trailing zeros, and the point with them when the fraction is zero.
        return value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
    }
}
