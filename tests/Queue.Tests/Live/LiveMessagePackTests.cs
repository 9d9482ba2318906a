using System.Text.Json;
using MessagePack;
using Queue.Live;

namespace Queue.Tests.Live;

/// <summary>The hub's MessagePack carries the JSON messages' shape, both ways, and refuses what JSON cannot say.</summary>
public sealed class LiveMessagePackTests
{
    [Fact]
    public void A_JSON_document_goes_through_MessagePack_and_back_unchanged_with_whole_numbers_as_integers()
    {
        var json = JsonDocument.Parse("""
            {"queue":"b2c","seq":9007199254740991,"asOf":"2026-12-06T10:00:00+05:00","rate":0.25,"none":null,"ok":true,"no":false,
             "agents":{"busy":3},"list":[1,-2,3.5,"x",[],{}],"unicode":"Щёлково ☎"}
            """).RootElement;
        var packed = MessagePackSerializer.Serialize(json, LiveMessagePack.Options);
        Assert.True(JsonElement.DeepEquals(json, MessagePackSerializer.Deserialize<JsonElement>(packed, LiveMessagePack.Options)));
        // What a JavaScript client reads: the same document, counts as integers and instants as text.
        Assert.True(JsonElement.DeepEquals(json, JsonDocument.Parse(MessagePackSerializer.ConvertToJson(packed)).RootElement));
        var reader = new MessagePackReader(packed);
        Assert.Equal(MessagePackType.Map, reader.NextMessagePackType);
        Assert.Equal(10, reader.ReadMapHeader());
    }

    [Fact]
    public void A_MessagePack_value_JSON_has_no_words_for_is_refused_clearly()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write("raw");
        writer.Write(new byte[] { 1, 2, 3 }); // binary: no JSON counterpart
        writer.Flush();
        var e = Assert.ThrowsAny<MessagePackSerializationException>(() =>
            MessagePackSerializer.Deserialize<JsonElement>(buffer.WrittenMemory, LiveMessagePack.Options));
        Assert.Contains("Binary", e.ToString(), StringComparison.Ordinal);
    }
}
