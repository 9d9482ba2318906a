using System.ComponentModel.DataAnnotations;
using Queue.EventLog;

namespace Queue.Tests.EventLog;

public sealed class IngestOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_let_single_events_share_commits()
    {
        var options = Valid();
        Assert.Empty(Check(options));
        Assert.True(options.GroupRequestMaxEvents >= 1);
        Assert.Equal(TimeSpan.Zero, options.GroupWait);
    }

    [Theory]
    [InlineData(nameof(IngestOptions.GroupRequestMaxEvents), 1_001)]
    [InlineData(nameof(IngestOptions.GroupMaxEvents), 0)]
    [InlineData(nameof(IngestOptions.GroupWriters), 0)]
    [InlineData(nameof(IngestOptions.GroupWriters), 17)]
    public void Group_settings_out_of_range_are_refused(string setting, int value)
    {
        var options = Valid();
        typeof(IngestOptions).GetProperty(setting)!.SetValue(options, value);
        Assert.Contains(Check(options), r => r.MemberNames.Contains(setting));
    }

    [Fact]
    public void A_group_wait_over_100_ms_is_refused()
    {
        var options = Valid();
        options.GroupWait = TimeSpan.FromMilliseconds(101);
        Assert.Contains(Check(options), r => r.MemberNames.Contains(nameof(IngestOptions.GroupWait)));
    }

    [Fact]
    public void A_request_that_may_join_a_group_must_fit_in_one_and_writers_need_turns()
    {
        var options = Valid();
        options.GroupMaxEvents = 50;
        options.GroupRequestMaxEvents = 100;
        Assert.Contains(Check(options), r => r.ErrorMessage!.Contains("GroupRequestMaxEvents", StringComparison.Ordinal));

        options = Valid();
        options.MaxConcurrentBatches = 2;
        options.GroupWriters = 3;
        Assert.Contains(Check(options), r => r.ErrorMessage!.Contains("GroupWriters", StringComparison.Ordinal));
    }

    static IngestOptions Valid() => new() { CallerHashSecret = new string('s', 32) };

    static List<ValidationResult> Check(IngestOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
