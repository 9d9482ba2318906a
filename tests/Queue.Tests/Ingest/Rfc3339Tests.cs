using Queue.Events;

namespace Queue.Tests.Ingest;

/// <summary>The timestamp rule of the ingest contract: strict RFC 3339 with an offset, cut to microseconds.</summary>
public sealed class Rfc3339Tests
{
    [Theory]
    [InlineData("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.0000000+00:00")]
    [InlineData("2026-11-25t10:00:00z", "2026-11-25T10:00:00.0000000+00:00")]
    [InlineData("2026-11-25T10:00:00+05:00", "2026-11-25T10:00:00.0000000+05:00")]
    [InlineData("2026-11-25T10:00:00-03:30", "2026-11-25T10:00:00.0000000-03:30")]
    [InlineData("2026-11-25T10:00:00-00:00", "2026-11-25T10:00:00.0000000+00:00")]
    [InlineData("2026-11-25T10:00:00.5Z", "2026-11-25T10:00:00.5000000+00:00")]
    [InlineData("2026-11-25T10:00:00.123456Z", "2026-11-25T10:00:00.1234560+00:00")]
    [InlineData("2026-11-25T10:00:00.123456789+01:00", "2026-11-25T10:00:00.1234560+01:00")]
    [InlineData("2026-11-25T10:00:00.9999999Z", "2026-11-25T10:00:00.9999990+00:00")]
    [InlineData("2024-02-29T23:59:59+14:00", "2024-02-29T23:59:59.0000000+14:00")]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.0000000+00:00")]
    [InlineData("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.9999990+00:00")]
    public void Good_timestamps_are_read_with_their_offset_and_cut_to_microseconds(string text, string expected)
    {
        Assert.True(Rfc3339.TryParse(text, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture).Offset, value.Offset);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-11-25")]
    [InlineData("2026-11-25T10:00:00")]
    [InlineData("2026-11-25 10:00:00Z")]
    [InlineData("2026-11-25T10:00Z")]
    [InlineData("2026-11-25T10:00:00.Z")]
    [InlineData("2026-11-25T10:00:00.1234567890Z")]
    [InlineData("2026-11-25T10:00:00+0500")]
    [InlineData("2026-11-25T10:00:00+05")]
    [InlineData("2026-11-25T10:00:00 +05:00")]
    [InlineData("2026-11-25T10:00:00ZZ")]
    [InlineData(" 2026-11-25T10:00:00Z")]
    [InlineData("26-11-25T10:00:00Z")]
    [InlineData("+2026-11-25T10:00:00Z")]
    [InlineData("2026-1-25T10:00:00Z")]
    [InlineData("2026-02-30T10:00:00Z")]
    [InlineData("2025-02-29T10:00:00Z")]
    [InlineData("2026-13-01T10:00:00Z")]
    [InlineData("2026-00-01T10:00:00Z")]
    [InlineData("2026-11-00T10:00:00Z")]
    [InlineData("0000-11-25T10:00:00Z")]
    [InlineData("2026-11-25T24:00:00Z")]
    [InlineData("2026-11-25T10:60:00Z")]
    [InlineData("2026-11-25T10:00:60Z")]
    [InlineData("2026-11-25T10:00:00+24:00")]
    [InlineData("2026-11-25T10:00:00+05:60")]
    [InlineData("2026-11-25T10:00:00+14:01")]
    [InlineData("0001-01-01T00:00:00+00:01")]
    [InlineData("9999-12-31T23:59:59-00:01")]
    [InlineData("２026-11-25T10:00:00Z")]
    [InlineData("2026-11-25T10:00:00.１Z")]
    [InlineData("2026-11-25T10:00:00.000000000000000000000000000Z")]
    [InlineData("2026-11-25T10:00:00Z\n")]
    [InlineData("2026-11-25T10:00:00.1234567٣Z")]
    public void Bad_timestamps_are_refused(string? text)
    {
        Assert.False(Rfc3339.TryParse(text, out _));
    }

    [Fact]
    public void Format_is_read_back_to_the_same_instant_and_offset()
    {
        var at = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.FromMinutes(-210)).AddTicks(1234560);

        Assert.Equal("2026-11-25T10:00:00.123456-03:30", Rfc3339.Format(at));
        Assert.True(Rfc3339.TryParse(Rfc3339.Format(at), out var back));
        Assert.Equal(at, back);
        Assert.Equal(at.Offset, back.Offset);
    }
}
