using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Queue.Tests.Ops;

/// <summary>
/// ops/grafana/queue.json: a dashboard Grafana imports (its data source a variable, job and node variables), whose
/// every query is valid PromQL (promtool) over metric names the service exports.
/// </summary>
public sealed class GrafanaDashboardTests
{
    const string DataSource = "${datasource}";

    static JsonObject Dashboard() => JsonNode.Parse(OpsFiles.Read("ops", "grafana", "queue.json"))!.AsObject();

    static List<JsonObject> Panels() => [.. Dashboard()["panels"]!.AsArray().Select(p => p!.AsObject())];

    static List<(string Panel, string Expr)> Queries() =>
        [.. Panels().SelectMany(p => (p["targets"]?.AsArray() ?? []).Select(t => (p["title"]!.GetValue<string>(), t!["expr"]!.GetValue<string>())))];

    [Fact]
    public void The_data_source_is_a_Prometheus_variable_and_job_and_node_are_variables()
    {
        var dashboard = Dashboard();
        var variables = dashboard["templating"]!["list"]!.AsArray().Select(v => v!.AsObject()).ToDictionary(v => v["name"]!.GetValue<string>());

        Assert.Equal("queue-ops", dashboard["uid"]!.GetValue<string>());
        Assert.True(dashboard["schemaVersion"]!.GetValue<int>() >= 36);
        Assert.Null(dashboard["id"]);
        Assert.Equal("datasource", variables["datasource"]["type"]!.GetValue<string>());
        Assert.Equal("prometheus", variables["datasource"]["query"]!.GetValue<string>());
        Assert.Equal("query", variables["job"]["type"]!.GetValue<string>());
        Assert.Equal("queue", variables["job"]["current"]!["value"]!.GetValue<string>());
        Assert.Contains("up", variables["job"]["definition"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("query", variables["instance"]["type"]!.GetValue<string>());
        Assert.Contains("up{job=\"$job\"}", variables["instance"]["definition"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(variables["instance"]["includeAll"]!.GetValue<bool>());
        Assert.Equal(".*", variables["instance"]["allValue"]!.GetValue<string>());
        foreach (var v in new[] { "job", "instance" })
            Assert.Equal(DataSource, variables[v]["datasource"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public void Every_panel_and_query_reads_the_data_source_variable()
    {
        foreach (var panel in Panels().Where(p => p["type"]!.GetValue<string>() != "row"))
        {
            var title = panel["title"]!.GetValue<string>();
            Assert.True(panel["datasource"]!["uid"]!.GetValue<string>() == DataSource, title);
            Assert.True(panel["datasource"]!["type"]!.GetValue<string>() == "prometheus", title);
            var targets = panel["targets"]!.AsArray();
            Assert.True(targets.Count > 0, $"{title} has no query");
            foreach (var t in targets) Assert.True(t!["datasource"]!["uid"]!.GetValue<string>() == DataSource, title);
            Assert.False(string.IsNullOrWhiteSpace(panel["description"]?.GetValue<string>()), $"{title} says nothing of what it shows");
        }
    }

    [Fact]
    public void Panels_have_ids_of_their_own_and_fit_the_grid_without_overlapping()
    {
        var panels = Panels();
        Assert.Equal(panels.Count, panels.Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
        var cells = new HashSet<(int X, int Y)>();
        foreach (var p in panels)
        {
            var g = p["gridPos"]!;
            int x = g["x"]!.GetValue<int>(), y = g["y"]!.GetValue<int>(), w = g["w"]!.GetValue<int>(), h = g["h"]!.GetValue<int>();
            Assert.True(x >= 0 && w > 0 && x + w <= 24 && h > 0, $"{p["title"]} is outside the 24-column grid");
            for (var i = x; i < x + w; i++)
                for (var j = y; j < y + h; j++)
                    Assert.True(cells.Add((i, j)), $"{p["title"]} overlaps another panel at ({i}, {j})");
        }
    }

    [Fact]
    public void The_dashboard_shows_ingest_live_lag_alerts_screens_reports_notifications_errors_and_the_process()
    {
        var used = Queries().SelectMany(q => MetricNames.In(q.Expr)).ToHashSet(StringComparer.Ordinal);
        var expressions = string.Join('\n', Queries().Select(q => q.Expr));

        foreach (var metric in MetricNames.Exported.Where(m => m.StartsWith("queue_", StringComparison.Ordinal) && !m.EndsWith("_sum", StringComparison.Ordinal) && !m.EndsWith("_count", StringComparison.Ordinal)))
            Assert.True(used.Contains(metric), $"no panel shows {metric}");
        Assert.Contains("sum by (reason) (rate(queue_events_rejected_total", expressions, StringComparison.Ordinal);
        Assert.Contains("histogram_quantile(0.5, sum by (le) (rate(queue_ingest_duration_seconds_bucket", expressions, StringComparison.Ordinal);
        Assert.Contains("histogram_quantile(0.99, sum by (le) (rate(queue_ingest_duration_seconds_bucket", expressions, StringComparison.Ordinal);
        Assert.Contains("max by (instance) (queue_live_lag_seconds", expressions, StringComparison.Ordinal);
        Assert.Contains("max by (kind) (queue_alerts_open", expressions, StringComparison.Ordinal);
        Assert.Contains("http_response_status_code=~\"5..\"", expressions, StringComparison.Ordinal);
        Assert.Contains("dotnet_process_cpu_time_seconds_total", used);
        Assert.Contains("dotnet_process_memory_working_set_bytes", used);
    }

    [Fact]
    public void Every_query_uses_only_metric_names_the_service_exports_and_is_filtered_by_job()
    {
        var queries = Queries();
        Assert.True(queries.Count >= 15, $"{queries.Count} queries");
        foreach (var (panel, expr) in queries)
        {
            Assert.True(MetricNames.Unknown(expr, MetricNames.Exported) is [], $"{panel}: {string.Join(", ", MetricNames.Unknown(expr, MetricNames.Exported))} not exported");
            Assert.True(expr.Contains("job=\"$job\"", StringComparison.Ordinal), $"{panel}: not filtered by $job");
        }
    }

    [Fact]
    public void Every_query_is_valid_PromQL()
    {
        using var scratch = OpsFiles.NewScratch();
        var exit = CheckWithPromtool(scratch, Queries().Select(q => q.Expr), out var output);

        Assert.True(exit == 0, output);
        Assert.Contains($"SUCCESS: {Queries().Count} rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_query_with_a_typo_or_a_metric_outside_the_contract_is_caught()
    {
        using var scratch = OpsFiles.NewScratch();

        Assert.NotEqual(0, CheckWithPromtool(scratch, ["sum(rate(queue_events_accepted_total{job=\"$job\"}[$__rate_interval])"], out _));
        Assert.Equal(["queue_events_acepted_total"], MetricNames.Unknown("sum by (reason) (rate(queue_events_acepted_total{job=\"$job\",reason=~\"in.*\"}[5m])) > 1e3", MetricNames.Exported));
        Assert.Empty(MetricNames.Unknown("histogram_quantile(0.99, sum by (le) (rate(queue_ingest_duration_seconds_bucket{job=\"queue\"}[5m]))) and on() vector(1)", MetricNames.Exported));
    }

    /// <summary>Grafana's variables given values, each query made a recording rule of a throwaway file, checked by promtool.</summary>
    static int CheckWithPromtool(OpsFiles.Scratch scratch, IEnumerable<string> expressions, out string output)
    {
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        var i = 0;
        foreach (var expr in expressions)
        {
            var concrete = expr.Replace("$job", "queue", StringComparison.Ordinal).Replace("$instance", ".*", StringComparison.Ordinal)
                .Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$__interval", "1m", StringComparison.Ordinal)
                .Replace("$__range", "1h", StringComparison.Ordinal);
            rules.Append("      - record: dashboard:query_").Append(++i).Append('\n')
                 .Append("        expr: ").Append(JsonSerializer.Serialize(concrete)).Append('\n');
        }
        scratch.Write("dashboard-rules.yml", rules.ToString());
        (var exit, output) = OpsFiles.Run("promtool", scratch.Path, "check", "rules", "dashboard-rules.yml");
        return exit;
    }
}
