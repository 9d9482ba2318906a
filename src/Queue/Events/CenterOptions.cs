using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Queue.Events;

/// <summary>
/// The center's time zone (IANA id), from <c>Queue:Live:TimeZone</c>: where its days begin ("today", a report's days),
/// its ISO weeks and its months (the event log's partitions, retention's schedule).
/// </summary>
public sealed class CenterOptions
{
    public const string Section = "Queue:Live";

    [Required]
    public string TimeZone { get; set; } = "Asia/Yekaterinburg";

    public TimeZoneInfo Zone() => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
}

public static class CenterSetup
{
    public static WebApplicationBuilder AddCenter(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CenterOptions>().BindConfiguration(CenterOptions.Section).ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _),
                $"{CenterOptions.Section}:TimeZone is not a known time zone (use an IANA id such as Asia/Yekaterinburg)")
            .ValidateOnStart();
        return builder;
    }

    public static TimeZoneInfo CenterZone(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<CenterOptions>>().Value.Zone();
}
