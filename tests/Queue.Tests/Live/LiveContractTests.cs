using System.Reflection;
using System.Text.RegularExpressions;
using Queue.Live;
using Queue.Staffing;
using Queue.Targets;

namespace Queue.Tests.Live;

/// <summary>The TypeScript mirror of the live hub (src/Queue/Web/src/live.ts) names every member the service sends and serves.</summary>
public sealed partial class LiveContractTests
{
    static readonly string Mirror = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Queue", "Web", "src", "live.ts"));

    public static TheoryData<Type> Records() =>
        [typeof(QueueSnapshot), typeof(LiveWindow), typeof(LiveWindowStates), typeof(LiveWindows3), typeof(LiveVisits),
         typeof(LiveTargets), typeof(LiveStates), typeof(LiveStaffing), typeof(LiveStaffingInputs), typeof(CenterJoined), typeof(LiveUpdate), typeof(SnapshotChange), typeof(LiveChanges), typeof(Queue.Alerts.Alert),
         typeof(QueueDetail), typeof(WaitingLeg), typeof(AgentLive)];

    [Theory]
    [MemberData(nameof(Records))]
    public void Every_property_of_a_pushed_record_is_in_its_TypeScript_interface(Type record)
    {
        var body = InterfaceBody(record.Name);
        foreach (var property in record.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
        {
            var name = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            Assert.True(Regex.IsMatch(body, $@"\b{name}\??:"), $"{record.Name}.{property.Name} is not in live.ts as '{name}'");
        }
        var declared = Member().Matches(body).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(record.GetProperties(BindingFlags.Public | BindingFlags.Instance).Length, declared.Count);
    }

    [Fact]
    public void Every_client_and_hub_method_is_in_the_mirror()
    {
        foreach (var method in typeof(ILiveClient).GetMethods())
            Assert.Contains($"\"{method.Name}\"", Mirror, StringComparison.Ordinal);
        // The hub's own methods, not its overrides of Hub's (connection events are not callable).
        var hub = typeof(LiveHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetBaseDefinition().DeclaringType == typeof(LiveHub)).ToArray();
        Assert.NotEmpty(hub);
        foreach (var method in hub) Assert.Contains($"\"{method.Name}\"", Mirror, StringComparison.Ordinal);
        Assert.Contains($"\"{LiveHub.Path}\"", Mirror, StringComparison.Ordinal);
    }

    static string InterfaceBody(string name)
    {
        var match = Regex.Match(Mirror, $@"export interface {name} \{{(?<body>[^}}]*)\}}");
        Assert.True(match.Success, $"live.ts has no interface {name}");
        return match.Groups["body"].Value;
    }

    [GeneratedRegex(@"^\s*(\w+)\??:", RegexOptions.Multiline)]
    private static partial Regex Member();

    static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Queue.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("the repository root (Queue.sln) is not above the test binaries");
    }
}
