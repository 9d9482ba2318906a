using System.Text.RegularExpressions;

namespace Queue.Tests.Ops;

/// <summary>
/// deploy/compose.yaml: parsed by docker-compose itself (Debian's 1.29) and read for what it must hold — two nodes
/// behind HAProxy, PostgreSQL 15, Redis 7, a one-shot migration, health checks, settings the service reads, and
/// secrets only from deploy/.env.
/// </summary>
public sealed partial class ComposeTests
{
    static readonly string[] Nodes = ["queue-1", "queue-2"];

    static Dictionary<object, object> Services() => Yaml.Load(OpsFiles.Read("deploy", "compose.yaml")).Map("services");

    static Dictionary<string, string> EnvExample() =>
        OpsFiles.Read("deploy", "env.example").Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>deploy/ copied with env.example as its .env, as an operator sets it up.</summary>
    static OpsFiles.Scratch DeployCopy(Func<string, string>? spoil = null)
    {
        var scratch = OpsFiles.NewScratch();
        foreach (var file in Directory.GetFiles(OpsFiles.PathOf("deploy")))
            scratch.Write(Path.Combine("deploy", Path.GetFileName(file)), File.ReadAllText(file));
        scratch.Write(Path.Combine("deploy", ".env"), OpsFiles.Read("deploy", "env.example"));
        if (spoil is not null) scratch.Write(Path.Combine("deploy", "compose.yaml"), spoil(OpsFiles.Read("deploy", "compose.yaml")));
        return scratch;
    }

    [Fact]
    public void Docker_compose_accepts_the_file()
    {
        using var copy = DeployCopy();

        var (exit, output) = OpsFiles.Run("docker-compose", Path.Combine(copy.Path, "deploy"), "-f", "compose.yaml", "config", "-q");

        Assert.True(exit == 0, output);
    }

    [Fact]
    public void Docker_compose_refuses_a_node_that_waits_for_a_service_that_does_not_exist()
    {
        using var copy = DeployCopy(text => text.Replace("    migrate:\n      condition: service_completed_successfully", "    migrations:\n      condition: service_completed_successfully", StringComparison.Ordinal));

        var (exit, output) = OpsFiles.Run("docker-compose", Path.Combine(copy.Path, "deploy"), "-f", "compose.yaml", "config", "-q");

        Assert.NotEqual(0, exit);
        Assert.Contains("migrations", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_compose_refuses_to_run_without_the_database_password()
    {
        using var copy = DeployCopy();
        File.WriteAllText(Path.Combine(copy.Path, "deploy", ".env"), "QUEUE_BOOTSTRAP_ADMIN_KEY=0123456789abcdef\n");

        var (exit, output) = OpsFiles.Run("docker-compose", Path.Combine(copy.Path, "deploy"), "-f", "compose.yaml", "config", "-q");

        Assert.NotEqual(0, exit);
        Assert.Contains("set POSTGRES_PASSWORD in deploy/.env", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_nodes_run_behind_the_load_balancer_after_the_migrations_with_PostgreSQL_15_and_Redis_7()
    {
        var services = Services();

        Assert.Equal("postgres:15", services.Map("postgres").Text("image"));
        Assert.Equal("redis:7", services.Map("redis").Text("image"));
        var migrate = services.Map("migrate");
        Assert.Equal(["--migrate-only"], migrate.List("command").Select(c => c.ToString()));
        Assert.Equal("service_healthy", migrate.Map("depends_on").Map("postgres").Text("condition"));
        Assert.Equal("no", migrate.Text("restart"));
        foreach (var node in Nodes)
        {
            var service = services.Map(node);
            Assert.Equal("deploy/Dockerfile", service.Map("build").Text("dockerfile"));
            Assert.Equal("..", service.Map("build").Text("context"));
            Assert.False(service.Has("command"), $"{node} runs the service, not a one-off command");
            Assert.Equal("service_completed_successfully", service.Map("depends_on").Map("migrate").Text("condition"));
            Assert.Equal("service_healthy", service.Map("depends_on").Map("redis").Text("condition"));
            Assert.False(service.Has("ports"), $"{node} is reached through the load balancer only");
        }
        var lb = services.Map("lb");
        Assert.StartsWith("haproxy:", lb.Text("image"), StringComparison.Ordinal);
        Assert.Contains("./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro", lb.List("volumes").Select(v => v.ToString()));
        Assert.Equal(Nodes, lb.Map("depends_on").Entries().Select(e => e.Key).Order(StringComparer.Ordinal));
        Assert.Equal("${QUEUE_PORT:-8080}:8080", Assert.Single(lb.List("ports")).ToString());
    }

    [Fact]
    public void Every_long_running_service_has_a_health_check_and_the_nodes_probe_health_live()
    {
        var services = Services();

        string[] running = ["postgres", "redis", "lb", .. Nodes];
        foreach (var name in running)
            Assert.True(services.Map(name).Map("healthcheck").List("test").Count > 1, $"{name} has no health check");
        foreach (var node in Nodes)
            Assert.Contains("http://127.0.0.1:8080/health/live", services.Map(node).Map("healthcheck").List("test").Select(t => t.ToString()));
    }

    [Fact]
    public void Secrets_come_from_deploy_env_only_and_nothing_secret_is_written_in_the_file()
    {
        var text = OpsFiles.Read("deploy", "compose.yaml");
        var services = Services();

        string[] queue = ["migrate", .. Nodes];
        foreach (var name in queue)
        {
            var service = services.Map(name);
            Assert.Equal(".env", service.Text("env_file"));
            foreach (var (key, value) in service.Map("environment").Entries())
                if (SecretName().IsMatch(key)) Assert.Matches(@"^\$\{[A-Z_]+(:\?[^}]*)?\}$", value.ToString());
            Assert.Contains("Password=${POSTGRES_PASSWORD:?", service.Map("environment").Text("ConnectionStrings__Queue"), StringComparison.Ordinal);
        }
        Assert.Equal("${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in deploy/.env}", services.Map("postgres").Map("environment").Text("POSTGRES_PASSWORD"));
        foreach (var (key, value) in EnvExample().Where(e => SecretName().IsMatch(e.Key)))
        {
            Assert.StartsWith("REPLACE", value, StringComparison.Ordinal);
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
        }
        Assert.Contains("deploy/.env", OpsFiles.Read(".gitignore").Split('\n'));
        Assert.Contains("deploy/.env", OpsFiles.Read(".dockerignore").Split('\n'));
    }

    [Fact]
    public void Every_setting_given_to_the_service_is_a_configuration_key_it_reads()
    {
        var text = OpsFiles.Read("deploy", "compose.yaml");
        var settings = Services().Map("queue-1").Map("environment").Entries().Select(e => e.Key)
            .Concat(EnvExample().Keys)
            .Concat(CommentedSettings().Matches(OpsFiles.Read("deploy", "env.example")).Select(m => m.Groups[1].Value))
            .ToList();

        Assert.Contains("Queue__Ingest__CallerHashSecret", settings);
        Assert.Contains("QUEUE_BOOTSTRAP_ADMIN_KEY", settings);
        foreach (var key in settings)
        {
            // Compose's own variables (used as ${NAME} in compose.yaml) are not the service's settings.
            if (text.Contains("${" + key, StringComparison.Ordinal)) continue;
            Assert.True(ConfigurationKeys.IsKnownVariable(key), $"{key} is not a configuration key of the service");
        }
    }

    [Fact]
    public void The_load_balancer_checks_readiness_keeps_a_browser_on_one_node_keeps_WebSockets_open_and_logs_no_query_string()
    {
        var cfg = OpsFiles.Read("deploy", "haproxy.cfg");
        var servers = Regex.Matches(cfg, @"^\s*server (\S+) (\S+):(\d+) cookie (\S+)", RegexOptions.Multiline);

        Assert.Equal(Nodes.Concat(Nodes).Order(StringComparer.Ordinal), servers.Select(s => s.Groups[1].Value).Order(StringComparer.Ordinal));
        foreach (Match s in servers)
        {
            Assert.Equal(s.Groups[1].Value, s.Groups[2].Value);
            Assert.Equal("8080", s.Groups[3].Value);
        }
        Assert.Contains("option httpchk GET /health/ready", cfg, StringComparison.Ordinal);
        Assert.Contains("use_backend queue-up if { nbsrv(queue) eq 0 }", cfg, StringComparison.Ordinal);
        Assert.Contains("option httpchk GET /health/ready/ingest", cfg, StringComparison.Ordinal);
        Assert.Contains("cookie queue_node insert indirect nocache", cfg, StringComparison.Ordinal);
        Assert.Matches(@"timeout tunnel \d+h", cfg);
        Assert.Contains("bind :8080", cfg, StringComparison.Ordinal);
        var format = Regex.Match(cfg, "log-format \"([^\"]*)\"").Groups[1].Value;
        Assert.Matches(@"%(\{[^}]*\})?HP\b", format);
        Assert.DoesNotMatch(@"%(\{[^}]*\})?(HU|HQ|r)\b", format);
        Assert.DoesNotContain("option httplog", cfg, StringComparison.Ordinal);
    }

    [GeneratedRegex("(?i)password|secret|key")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^# (Queue__[A-Za-z0-9_]+)=", RegexOptions.Multiline)]
    private static partial Regex CommentedSettings();
}
