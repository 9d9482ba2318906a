using k8s;
using k8s.Models;

namespace Queue.Tests.Ops;

/// <summary>
/// deploy/k8s/: every manifest read strictly by the Kubernetes client's models (a misspelt field fails), and checked for
/// what running Queue needs — probes on /health/live and /health/ready, resources, a non-root read-only container,
/// secrets by reference, an autoscaler and a disruption budget that find the Deployment and its pods, a migration Job,
/// and settings that are configuration keys the service reads.
/// </summary>
public sealed class KubernetesManifestTests
{
    static readonly string Dir = OpsFiles.PathOf("deploy", "k8s");

    static List<object> Manifests() =>
        [.. Directory.GetFiles(Dir, "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f), strict: true))];

    static T One<T>() => Assert.Single(Manifests().OfType<T>());

    static V1Deployment Deployment() => One<V1Deployment>();

    static V1Container Container() => Assert.Single(Deployment().Spec.Template.Spec.Containers);

    static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    [Fact]
    public void Every_manifest_loads_strictly_and_a_misspelt_field_does_not()
    {
        var kinds = Manifests().Select(m => m.GetType()).ToList();

        Assert.Equal(
            new[] { typeof(V1ConfigMap), typeof(V1Deployment), typeof(V2HorizontalPodAutoscaler), typeof(V1Ingress), typeof(V1Job), typeof(V1Namespace), typeof(V1PodDisruptionBudget), typeof(V1Service) }
                .Select(t => t.Name).Order(StringComparer.Ordinal),
            kinds.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.All(Manifests().Cast<IMetadata<V1ObjectMeta>>().Where(m => m is not V1Namespace), m => Assert.Equal("queue", m.Metadata.NamespaceProperty));
        var spoilt = File.ReadAllText(Path.Combine(Dir, "deployment.yaml")).Replace("readinessProbe:", "readynessProbe:", StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(spoilt, strict: true));
    }

    [Fact]
    public void Kustomization_lists_every_manifest()
    {
        var listed = Yaml.Load(File.ReadAllText(Path.Combine(Dir, "kustomization.yaml"))).List("resources").Select(r => r.ToString()!);
        var files = Directory.GetFiles(Dir, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");

        Assert.Equal(files.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_nodes_are_probed_on_health_live_and_ready_for_ingest()
    {
        var c = Container();
        var port = Assert.Single(c.Ports);

        Assert.Equal("http", port.Name);
        Assert.Equal(DockerfileTests.ExposedPort(), port.ContainerPort);
        Assert.Equal("/health/live", c.LivenessProbe.HttpGet.Path);
        Assert.Equal("/health/ready/ingest", c.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/health/live", c.StartupProbe.HttpGet.Path);
        foreach (var probe in new[] { c.LivenessProbe, c.ReadinessProbe, c.StartupProbe })
        {
            Assert.Equal("http", probe.HttpGet.Port.Value);
            Assert.True(probe.TimeoutSeconds is > 0);
        }
        // Start-up applies migrations, waiting up to a minute for PostgreSQL, before the service listens.
        Assert.True(c.StartupProbe.PeriodSeconds * c.StartupProbe.FailureThreshold >= 120);
        Assert.True(c.Lifecycle.PreStop.Sleep.Seconds > 0);
        Assert.True(Deployment().Spec.Template.Spec.TerminationGracePeriodSeconds > c.Lifecycle.PreStop.Sleep.Seconds);
        Assert.Equal(0, int.Parse(Deployment().Spec.Strategy.RollingUpdate.MaxUnavailable.Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_nodes_ask_for_CPU_and_memory_and_have_a_memory_limit()
    {
        foreach (var c in new[] { Container(), Assert.Single(One<V1Job>().Spec.Template.Spec.Containers) })
        {
            Assert.True(c.Resources.Requests["cpu"].ToDecimal() > 0, c.Name);
            Assert.True(c.Resources.Requests["memory"].ToDecimal() > 0, c.Name);
            Assert.True(c.Resources.Limits["memory"].ToDecimal() >= c.Resources.Requests["memory"].ToDecimal(), c.Name);
        }
        // A weekly report of a 10,000-operator week peaked at 603 MiB (docs/performance.md).
        Assert.True(Container().Resources.Limits["memory"].ToDecimal() >= 700m * 1024 * 1024);
    }

    [Fact]
    public void Containers_run_as_a_non_root_user_on_a_read_only_root_without_privileges()
    {
        foreach (var pod in new[] { Deployment().Spec.Template.Spec, One<V1Job>().Spec.Template.Spec })
        {
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.True(pod.SecurityContext.RunAsUser is > 0);
            Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
            Assert.False(pod.AutomountServiceAccountToken);
            var c = Assert.Single(pod.Containers);
            Assert.True(c.SecurityContext.ReadOnlyRootFilesystem);
            Assert.False(c.SecurityContext.AllowPrivilegeEscalation);
            Assert.Equal(["ALL"], c.SecurityContext.Capabilities.Drop);
            // .NET writes its diagnostics socket and temporary files under /tmp: a volume of its own.
            var tmp = Assert.Single(c.VolumeMounts, m => m.MountPath == "/tmp");
            Assert.NotNull(Assert.Single(pod.Volumes, v => v.Name == tmp.Name).EmptyDir);
        }
        Assert.Equal("restricted", One<V1Namespace>().Metadata.Labels["pod-security.kubernetes.io/enforce"]);
    }

    [Fact]
    public void The_service_the_autoscaler_the_disruption_budget_and_the_ingress_find_the_deployment_and_its_pods()
    {
        var deployment = Deployment();
        var pods = deployment.Spec.Template.Metadata.Labels;
        Assert.True(Selects(deployment.Spec.Selector.MatchLabels, pods));

        var service = One<V1Service>();
        Assert.True(Selects(service.Spec.Selector, pods), "the Service selects no pod of the Deployment");
        var servicePort = Assert.Single(service.Spec.Ports);
        Assert.Equal(Container().Ports[0].Name, servicePort.TargetPort.Value);
        Assert.Equal("ClientIP", service.Spec.SessionAffinity);

        var hpa = One<V2HorizontalPodAutoscaler>();
        Assert.Equal(("apps/v1", "Deployment", deployment.Metadata.Name), (hpa.Spec.ScaleTargetRef.ApiVersion, hpa.Spec.ScaleTargetRef.Kind, hpa.Spec.ScaleTargetRef.Name));
        Assert.True(hpa.Spec.MinReplicas >= 2 && hpa.Spec.MaxReplicas > hpa.Spec.MinReplicas);
        Assert.Equal("cpu", Assert.Single(hpa.Spec.Metrics).Resource.Name);

        var pdb = One<V1PodDisruptionBudget>();
        Assert.True(Selects(pdb.Spec.Selector.MatchLabels, pods), "the PodDisruptionBudget selects no pod of the Deployment");
        Assert.True(int.Parse(pdb.Spec.MinAvailable.Value, System.Globalization.CultureInfo.InvariantCulture) < hpa.Spec.MinReplicas);
        Assert.False(Selects(pdb.Spec.Selector.MatchLabels, One<V1Job>().Spec.Template.Metadata.Labels), "the budget counts the migration's pods");

        var backend = Assert.Single(Assert.Single(One<V1Ingress>().Spec.Rules).Http.Paths).Backend.Service;
        Assert.Equal(service.Metadata.Name, backend.Name);
        Assert.Equal(servicePort.Name, backend.Port.Name);
        Assert.Equal("cookie", One<V1Ingress>().Metadata.Annotations["nginx.ingress.kubernetes.io/affinity"]);
    }

    [Fact]
    public void The_migration_job_runs_the_same_image_once_with_migrate_only()
    {
        var job = One<V1Job>();
        var c = Assert.Single(job.Spec.Template.Spec.Containers);

        Assert.Equal(["--migrate-only"], c.Args);
        Assert.Null(c.Command);
        Assert.Equal(Container().Image, c.Image);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.True(job.Spec.BackoffLimit is > 0);
        Assert.Equal(Container().EnvFrom.Select(e => e.ConfigMapRef.Name), c.EnvFrom.Select(e => e.ConfigMapRef.Name));
        // What start-up validates and migrates with; not Redis, which migrating does not touch.
        var required = Container().Env.Select(e => e.Name).Where(n => n != "ConnectionStrings__Redis");
        Assert.Equal(required.Order(StringComparer.Ordinal), c.Env.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Secrets_are_referenced_never_written_and_every_setting_is_a_configuration_key_the_service_reads()
    {
        var config = One<V1ConfigMap>();
        foreach (var c in new[] { Container(), Assert.Single(One<V1Job>().Spec.Template.Spec.Containers) })
        {
            Assert.Equal(config.Metadata.Name, Assert.Single(c.EnvFrom).ConfigMapRef.Name);
            foreach (var e in c.Env)
            {
                Assert.Null(e.Value);
                Assert.Equal("queue-secrets", e.ValueFrom.SecretKeyRef.Name);
                Assert.True(ConfigurationKeys.IsKnownVariable(e.Name), $"{e.Name} is not a configuration key of the service");
            }
            foreach (var name in new[] { "ConnectionStrings__Queue", "Queue__Ingest__CallerHashSecret", "QUEUE_BOOTSTRAP_ADMIN_KEY" })
                Assert.True(Assert.Single(c.Env, e => e.Name == name).ValueFrom.SecretKeyRef.Optional is null or false, name);
        }
        foreach (var (key, _) in config.Data)
        {
            Assert.True(ConfigurationKeys.IsKnownVariable(key), $"{key} is not a configuration key of the service");
            Assert.DoesNotMatch("(?i)password|secret|connectionstrings|bootstrap", key);
        }
        Assert.Equal("http://+:" + DockerfileTests.ExposedPort(), config.Data["Urls"]);
    }

    [Fact]
    public void The_configuration_key_check_refuses_a_misspelt_or_unknown_key()
    {
        Assert.True(ConfigurationKeys.IsKnownVariable("Queue__Alerts__Escalation__Webhooks__0__Secret"));
        Assert.True(ConfigurationKeys.IsKnownVariable("Queue__Reports__To__3"));
        Assert.True(ConfigurationKeys.IsKnownVariable("Logging__LogLevel__Queue.Live"));
        Assert.False(ConfigurationKeys.IsKnownVariable("Queue__Ingest__CallerHashSecrett"));
        Assert.False(ConfigurationKeys.IsKnownVariable("Queue__Alerts__Escalation__Email"));
        Assert.False(ConfigurationKeys.IsKnownVariable("Queue__Reports__To__first"));
        Assert.False(ConfigurationKeys.IsKnownVariable("ConnectionStrings__Postgres"));
        Assert.False(ConfigurationKeys.IsKnownVariable("QUEUE_ADMIN_KEY"));
    }
}
