using System.Globalization;
using System.Net;

namespace Queue.Tests.Telemetry;

/// <summary>One <c>GET /metrics</c> in the Prometheus text format, read as Prometheus reads it: samples by name and labels.</summary>
public sealed class Scrape
{
    readonly List<(string Name, Dictionary<string, string> Labels, double Value)> samples = [];
    readonly Dictionary<string, string> types = new(StringComparer.Ordinal);

    Scrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }
            if (line.StartsWith('#')) continue;
            var (name, labels, rest) = Sample(line);
            samples.Add((name, labels, double.Parse(rest.Split(' ')[0], CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    // name{label="value",…} value [timestamp]; a value may hold any character, with \\, \" and \n escaped.
    static (string Name, Dictionary<string, string> Labels, string Value) Sample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' ')) i++;
        var name = line[..i];
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq].Trim(',', ' ');
                var value = new System.Text.StringBuilder();
                for (i = eq + 2; line[i] != '"'; i++)
                    value.Append(line[i] == '\\' ? line[++i] switch { 'n' => '\n', var c => c } : line[i]);
                labels[label] = value.ToString();
                i++;
                while (line[i] is ',' or ' ') i++;
            }
            i++;
        }
        return (name, labels, line[i..].Trim());
    }

    public static async Task<Scrape> OfAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /metrics answered {(int)response.StatusCode}: {text}");
        return new Scrape(text);
    }

    /// <summary>The sum of the samples of <paramref name="name"/> that carry these labels (0 when there is none).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value)).Sum(s => s.Value);

    public bool Has(string name) => samples.Any(s => s.Name == name);

    /// <summary>The label sets of <paramref name="name"/>'s samples.</summary>
    public IEnumerable<IReadOnlyDictionary<string, string>> Series(string name) => samples.Where(s => s.Name == name).Select(s => s.Labels);

    public string? Type(string family) => types.GetValueOrDefault(family);
}
