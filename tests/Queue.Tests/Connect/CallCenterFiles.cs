using System.Text;
using Queue.Connect;
using Queue.Connect.FreeSwitch;

namespace Queue.Tests.Connect;

/// <summary>The hand-written day of mod_callcenter events beside these tests (Files/callcenter.events): event bodies in the plain form, one empty line apart.</summary>
internal static class CallCenterFiles
{
    public static IReadOnlyList<byte[]> Day { get; } = Bodies("callcenter.events");

    public static IReadOnlyList<byte[]> Bodies(string name) =>
        [.. File.ReadAllText(ConnectFiles.PathOf(name)).TrimEnd('\n').Split("\n\n").Select(b => Encoding.UTF8.GetBytes(b + "\n"))];

    public static (List<WireEvent> Events, CallCenterMapper Mapper) Map(IEnumerable<byte[]> bodies)
    {
        var mapper = new CallCenterMapper("fs");
        var events = new List<WireEvent>();
        foreach (var body in bodies) Assert.Null(mapper.Map(EslEvent.Parse(body), events));
        return (events, mapper);
    }

    public static string Call(int n) => $"fs:a1b2c3d4-0000-4000-8000-0000000000{n:00}";

    public static DateTimeOffset At(long secondsAfterBase) => ConnectFiles.At(secondsAfterBase);
}
