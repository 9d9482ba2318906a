namespace Queue.Tests.Ops;

/// <summary>
/// ops/prometheus/queue-rules.yml: valid for Prometheus (promtool check), behaving as its unit tests say (promtool test:
/// input series → the alerts expected), each alert with a severity, a summary, a description and a runbook that exists.
/// </summary>
public sealed class PrometheusRulesTests
{
    static readonly string Dir = OpsFiles.PathOf("ops", "prometheus");
    static readonly string[] TestFiles = ["queue-rules.test.yml", "queue-rules.weekly.test.yml"];

    static List<Dictionary<object, object>> Rules() =>
        [.. Yaml.Load(OpsFiles.Read("ops", "prometheus", "queue-rules.yml")).List("groups")
            .SelectMany(g => g.List("rules")).Cast<Dictionary<object, object>>()];

    [Fact]
    public void The_rules_pass_promtool_check()
    {
        var (exit, output) = OpsFiles.Run("promtool", Dir, "check", "rules", "queue-rules.yml");

        Assert.True(exit == 0, output);
        Assert.Contains($"SUCCESS: {Rules().Count} rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rules_raise_the_alerts_their_unit_tests_expect()
    {
        var (exit, output) = OpsFiles.Run("promtool", Dir, ["test", "rules", .. TestFiles]);

        Assert.True(exit == 0, output);
    }

    [Fact]
    public void The_example_scrape_configuration_passes_promtool_check()
    {
        var (exit, output) = OpsFiles.Run("promtool", Dir, "check", "config", "prometheus.example.yml");

        Assert.True(exit == 0, output);
    }

    [Fact]
    public void A_rule_whose_threshold_moved_fails_its_unit_tests()
    {
        using var scratch = OpsFiles.NewScratch();
        var rules = OpsFiles.Read("ops", "prometheus", "queue-rules.yml");
        Assert.Contains("queue_live_lag_seconds{job=\"queue\"} > 5", rules, StringComparison.Ordinal);
        scratch.Write("queue-rules.yml", rules.Replace("queue_live_lag_seconds{job=\"queue\"} > 5", "queue_live_lag_seconds{job=\"queue\"} > 50", StringComparison.Ordinal));
        scratch.Write("queue-rules.test.yml", OpsFiles.Read("ops", "prometheus", "queue-rules.test.yml"));

        var (exit, output) = OpsFiles.Run("promtool", scratch.Path, "test", "rules", "queue-rules.test.yml");

        Assert.NotEqual(0, exit);
        Assert.Contains("QueueLiveLagCritical", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_with_bad_PromQL_fails_promtool_check()
    {
        using var scratch = OpsFiles.NewScratch();
        var rules = OpsFiles.Read("ops", "prometheus", "queue-rules.yml");
        scratch.Write("queue-rules.yml", rules.Replace("absent(up{job=\"queue\"} == 1)", "absent(up{job=\"queue\"} == 1", StringComparison.Ordinal));

        var (exit, output) = OpsFiles.Run("promtool", scratch.Path, "check", "rules", "queue-rules.yml");

        Assert.NotEqual(0, exit);
        Assert.Contains("QueueServiceDown", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_a_description_and_its_runbook()
    {
        var rules = Rules();
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            var name = rule.Text("alert");
            Assert.False(string.IsNullOrEmpty(name), "every rule is an alert");
            Assert.Contains(rule.Map("labels").Text("severity"), new[] { "critical", "warning" });
            var annotations = rule.Map("annotations");
            Assert.False(string.IsNullOrWhiteSpace(annotations.Text("summary")), $"{name}: summary");
            Assert.False(string.IsNullOrWhiteSpace(annotations.Text("description")), $"{name}: description");
            Assert.Equal($"ops/runbooks/{name}.md", annotations.Text("runbook_url"));
            Assert.True(File.Exists(OpsFiles.PathOf("ops", "runbooks", $"{name}.md")), $"ops/runbooks/{name}.md is missing");
        }
        Assert.Equal(rules.Count, rules.Select(r => r.Text("alert")).Distinct().Count());
    }

    [Fact]
    public void Every_runbook_is_for_an_alert_and_answers_what_it_means_what_to_look_at_what_to_do_and_when_to_escalate()
    {
        var alerts = Rules().Select(r => r.Text("alert")!).ToHashSet(StringComparer.Ordinal);
        var runbooks = Directory.GetFiles(OpsFiles.PathOf("ops", "runbooks"), "*.md")
            .Where(f => Path.GetFileName(f) != "README.md").ToList();

        Assert.Equal(alerts.Order(StringComparer.Ordinal), runbooks.Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        foreach (var file in runbooks)
        {
            var text = File.ReadAllText(file);
            var name = Path.GetFileNameWithoutExtension(file);
            Assert.StartsWith($"# {name}", text, StringComparison.Ordinal);
            foreach (var heading in new[] { "## What it means", "## What to look at", "## What to do", "## When to escalate" })
                Assert.True(text.Contains(heading, StringComparison.Ordinal), $"{name}.md has no '{heading}'");
        }
    }

    [Fact]
    public void Every_alert_is_unit_tested_firing()
    {
        var firing = TestFiles.SelectMany(f => Yaml.Load(OpsFiles.Read("ops", "prometheus", f)).List("tests"))
            .SelectMany(t => t.List("alert_rule_test"))
            .Where(a => a.List("exp_alerts").Count > 0)
            .Select(a => a.Text("alertname"))
            .ToHashSet(StringComparer.Ordinal);

        foreach (var rule in Rules())
            Assert.True(firing.Contains(rule.Text("alert")), $"{rule.Text("alert")} has no unit test in which it fires");
    }

    [Fact]
    public void The_rules_use_only_metrics_the_service_or_the_readiness_probe_exports()
    {
        foreach (var rule in Rules())
            Assert.Empty(MetricNames.Unknown(rule.Text("expr")!, MetricNames.ForRules));
    }
}
