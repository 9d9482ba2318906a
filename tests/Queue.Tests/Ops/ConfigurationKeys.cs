using System.Collections;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Logging.Console;

namespace Queue.Tests.Ops;

/// <summary>
/// Whether a configuration key (or an environment variable, <c>__</c> for <c>:</c>) is one the service reads: a
/// property of an options class bound from its section (any class of the service with a <c>Section</c> constant), a key
/// of appsettings.json, a connection string the service asks for, or one of the few keys read by name.
/// </summary>
internal static class ConfigurationKeys
{
    // A section may bind to more than one class (Queue:Live: live state's options and the center's time zone).
    static readonly Dictionary<string, Type[]> Sections = typeof(Program).Assembly.GetTypes()
        .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
        .Where(x => x.Field is { IsLiteral: true } && x.Field.FieldType == typeof(string))
        .Select(x => (Section: (string)x.Field!.GetRawConstantValue()!, x.Type))
        .Append((Section: "Logging:Console", Type: typeof(ConsoleLoggerOptions)))
        .GroupBy(x => x.Section, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.Select(x => x.Type).ToArray(), StringComparer.OrdinalIgnoreCase);

    // Read by name: Auth/Roles.cs (QUEUE_BOOTSTRAP_ADMIN_KEY), GetConnectionString("Queue") and ("Redis"); the host's environment.
    static readonly HashSet<string> Named = new(
        ["QUEUE_BOOTSTRAP_ADMIN_KEY", "ConnectionStrings:Queue", "ConnectionStrings:Redis", "ASPNETCORE_ENVIRONMENT"],
        StringComparer.OrdinalIgnoreCase);

    static readonly HashSet<string> AppSettings = Flatten(
        JsonDocument.Parse(OpsFiles.Read("src", "Queue", "appsettings.json")).RootElement, "");

    public static string FromEnvironment(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    public static bool IsKnownVariable(string variable) => IsKnown(FromEnvironment(variable));

    public static bool IsKnown(string key)
    {
        if (Named.Contains(key) || AppSettings.Contains(key)) return true;
        // Any category's log level.
        if (key.StartsWith("Logging:LogLevel:", StringComparison.OrdinalIgnoreCase) && key.Length > "Logging:LogLevel:".Length) return true;
        var section = Sections.Keys.Where(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)).MaxBy(s => s.Length);
        return section is not null && Sections[section].Any(type => IsPath(type, key[(section.Length + 1)..].Split(':')));
    }

    static bool IsPath(Type type, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty) return IsValue(type);
        if (Element(type) is { } element) return int.TryParse(path[0], out var i) && i >= 0 && IsPath(element, path[1..]);
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is { CanRead: true } && IsPath(property.PropertyType, path[1..]);
    }

    static bool IsValue(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal)
        || Nullable.GetUnderlyingType(type) is { } inner && IsValue(inner);

    static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType()
        : type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType ? type.GetGenericArguments()[0]
        : null;

    static HashSet<string> Flatten(JsonElement e, string prefix)
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (e.ValueKind == JsonValueKind.Object)
            foreach (var p in e.EnumerateObject())
                keys.UnionWith(Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}:{p.Name}"));
        else if (e.ValueKind != JsonValueKind.Array)
            keys.Add(prefix);
        return keys;
    }
}
