using System.Collections;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DynamoWriter.Configuration;
using DynamoWriter.Diagnostics;
using DynamoWriter.Grains.Operations;
using DynamoWriter.Grains.Operations.Stats;
using DynamoWriter.Options;
using DynamoWriter.Silo.Http;
using DynamoWriter.Tests;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace DynamoWriter.Silo.Tests.Operations;

/// <summary>
/// Docker and Kubernetes do not run here, so the deployment files are checked against the service itself:
/// every SC_ variable and the ConfigMap bind without errors or notices, ports (http, Orleans silo and gateway)
/// and probe paths match what the service serves, the pod labels and Kubernetes hosting variables match the ids, its
/// RBAC is bound to the Deployment's service account, the grace period outlasts the shutdown timeout, compose's
/// writers form one Orleans cluster, and the dashboard only queries exported metrics.
/// </summary>
[Trait("Category", "Unit")]
public sealed partial class DeploymentConsistencyTests
{
    private static readonly string Deploy = Path.Combine(Repository.Root, "deploy");

    // ---------------------------------------------------------------- Dockerfile

    [Fact]
    public void Dockerfile_is_multi_stage_non_root_honours_SIGTERM_and_exposes_the_http_silo_and_gateway_ports()
    {
        var lines = Instructions(File.ReadAllText(Path.Combine(Deploy, "Dockerfile")));
        var froms = lines.Where(l => l.Op == "FROM").Select(l => l.Args).ToList();
        Assert.True(froms.Count >= 2, "multi-stage: a build stage and a runtime stage");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", froms[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", froms[^1], StringComparison.Ordinal);

        var runtime = lines.SkipWhile(l => l.Args != froms[^1]).ToList();
        var user = Assert.Single(runtime, l => l.Op == "USER").Args;
        Assert.DoesNotContain(user.Split(':')[0], new[] { "root", "0" });
        Assert.Equal("SIGTERM", Assert.Single(runtime, l => l.Op == "STOPSIGNAL").Args);
        var entrypoint = JsonSerializer.Deserialize<string[]>(Assert.Single(runtime, l => l.Op == "ENTRYPOINT").Args)!;
        Assert.EndsWith("/dynamo-writer", entrypoint[0], StringComparison.Ordinal);

        var env = EnvOf(runtime);
        var options = BindEnvironment(env.Where(e => e.Key.StartsWith("SC_", StringComparison.Ordinal)));
        var exposed = Assert.Single(runtime, l => l.Op == "EXPOSE").Args.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => int.Parse(p.Split('/')[0], CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(new[] { options.Http.Port, options.Orleans.SiloPort, options.Orleans.GatewayPort }.Order(), exposed);

        // Everything the build stage copies exists in the repository (the build context).
        foreach (var copy in lines.TakeWhile(l => l.Args != froms[^1]).Where(l => l.Op == "COPY"))
        {
            foreach (var source in copy.Args.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1])
            {
                Assert.True(Path.Exists(Path.Combine(Repository.Root, source)), $"COPY {source}: not in the repository");
            }
        }
    }

    [Fact]
    public void Dockerfile_sets_the_runtime_environment_that_run_sh_and_the_benchmark_source()
    {
        var image = EnvOf(Instructions(File.ReadAllText(Path.Combine(Deploy, "Dockerfile"))));
        var script = File.ReadAllText(Path.Combine(Repository.Root, "scripts", "runtime-env.sh"));
        var defaults = ScriptDefaults().Matches(script).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);

        Assert.NotEmpty(defaults);
        foreach (var (name, value) in defaults)
        {
            Assert.True(image.TryGetValue(name, out var inImage), $"{name}: set by scripts/runtime-env.sh, not by the Dockerfile");
            Assert.Equal(value, inImage);
        }

        foreach (var launcher in new[] { "run.sh", Path.Combine("bench", "run.sh") })
        {
            Assert.Contains("source scripts/runtime-env.sh", File.ReadAllText(Path.Combine(Repository.Root, launcher)), StringComparison.Ordinal);
        }
    }

    // ---------------------------------------------------------------- docker-compose + prometheus.yml

    [Fact]
    public void Compose_runs_two_writers_in_one_cluster_whose_environment_binds_and_prometheus_scrapes_both()
    {
        var compose = Map(LoadYaml(Path.Combine(Deploy, "docker-compose.yml")).Single());
        var services = Map(compose["services"]);
        Assert.Contains("redis", services.Keys);
        Assert.Contains("dynamodb", services.Keys);
        var writers = services.Where(s => Map(s.Value).TryGetValue("build", out var b) && Str(Map(b)["dockerfile"]) == "deploy/Dockerfile")
            .ToDictionary(s => Str(s.Key), s => Map(s.Value), StringComparer.Ordinal);
        Assert.True(writers.Count >= 2, "two DynamoWriter replicas");

        var targets = new List<string>();
        var clusterIds = new HashSet<string>(StringComparer.Ordinal);
        var environments = new List<Dictionary<string, string>>();
        var hostPorts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, writer) in writers)
        {
            var env = Map(writer["environment"]).ToDictionary(e => Str(e.Key), e => Str(e.Value), StringComparer.Ordinal);
            Assert.All(env.Keys, k => Assert.StartsWith("SC_", k, StringComparison.Ordinal));
            environments.Add(env);
            var options = BindEnvironment(env);
            clusterIds.Add(options.Orleans.ClusterId);
            Assert.Equal(OrleansOptions.RedisClustering, options.Orleans.Clustering, ignoreCase: true);
            Assert.Equal("redis:6379", options.Stream.Redis.Address);
            Assert.Equal("http://dynamodb:8000", options.DynamoDB.Endpoint);
            var ports = List(writer["ports"]).Select(Str).ToList();
            Assert.Contains(ports, p => p.EndsWith(":" + options.Http.Port, StringComparison.Ordinal));
            Assert.Contains(ports, p => p.EndsWith(":" + options.Orleans.GatewayPort, StringComparison.Ordinal));
            Assert.All(ports, p => Assert.True(hostPorts.Add(p.Split(':')[0]), $"{name}: host port {p} is published twice"));
            Assert.True(GoDuration.Parse(Str(writer["stop_grace_period"])) > options.ShutdownTimeout, $"{name}: stop_grace_period must exceed the shutdown timeout");
            targets.Add($"{name}:{options.Http.Port}");
        }

        // One Orleans cluster: the same clusterId, and otherwise the same environment (they differ only in host ports).
        Assert.Single(clusterIds);
        Assert.All(environments, e => Assert.Equal(environments[0].OrderBy(kv => kv.Key, StringComparer.Ordinal), e.OrderBy(kv => kv.Key, StringComparer.Ordinal)));

        var prometheusService = Map(services["prometheus"]);
        Assert.Contains(List(prometheusService["volumes"]), v => Str(v).StartsWith("./prometheus.yml:", StringComparison.Ordinal));
        var prometheus = Map(LoadYaml(Path.Combine(Deploy, "prometheus.yml")).Single());
        var job = Map(Assert.Single(List(prometheus["scrape_configs"])));
        Assert.Equal(OperationsEndpoints.MetricsPath, Str(job["metrics_path"]));
        var scraped = List(job["static_configs"]).SelectMany(c => List(Map(c)["targets"])).Select(Str).OrderBy(t => t, StringComparer.Ordinal);
        Assert.Equal(targets.OrderBy(t => t, StringComparer.Ordinal), scraped);
    }

    // ---------------------------------------------------------------- Kubernetes

    [Fact]
    public void Kubernetes_configmap_and_environment_bind_and_probes_ports_and_grace_period_agree()
    {
        var k8s = KubernetesObjects();
        var configMap = Single(k8s, "ConfigMap");
        var deployment = Single(k8s, "Deployment");
        var secret = Single(k8s, "Secret");

        var pod = Map(Map(Map(deployment["spec"])["template"])["spec"]);
        var container = Map(Assert.Single(List(pod["containers"])));
        var args = List(container["args"]).Select(Str).ToList();
        var configPath = args[args.IndexOf("--config") + 1];

        // The --config file is a key of the ConfigMap, mounted where the argument points.
        var mount = List(container["volumeMounts"]).Select(Map).Single(m => configPath.StartsWith(Str(m["mountPath"]) + "/", StringComparison.Ordinal));
        var volume = List(pod["volumes"]).Select(Map).Single(v => Str(v["name"]) == Str(mount["name"]));
        Assert.Equal(Name(configMap), Str(Map(volume["configMap"])["name"]));
        var key = configPath[(Str(mount["mountPath"]).Length + 1)..];
        var yaml = Str(Map(configMap["data"])[key]);

        // The ConfigMap's YAML plus the container's SC_ environment bind and validate without a single error.
        var env = List(container["env"]).Select(Map).ToList();
        // Values Kubernetes fills in (secrets, the pod IP) stand in as a placeholder of the right shape.
        var variables = env.Where(e => Str(e["name"]).StartsWith("SC_", StringComparison.Ordinal))
            .ToDictionary(e => Str(e["name"]), e => e.TryGetValue("value", out var v) ? Str(v) : FromKubernetes(e), StringComparer.Ordinal);
        var options = BindYamlAndEnvironment(yaml, variables);
        Assert.Equal("", BindYamlAndEnvironment(yaml, []).Stream.Redis.Password); // the password is not in the ConfigMap

        var password = env.Single(e => Str(e["name"]) == "SC_STREAM_REDIS_PASSWORD");
        var secretRef = Map(Map(password["valueFrom"])["secretKeyRef"]);
        Assert.Equal(Name(secret), Str(secretRef["name"]));
        Assert.Contains(Str(secretRef["key"]), Map(secret["stringData"]).Keys.Select(Str));

        // Probes: the right paths on the port the service listens on.
        var ports = List(container["ports"]).Select(Map).ToDictionary(p => Str(p["name"]), p => int.Parse(Str(p["containerPort"]), CultureInfo.InvariantCulture), StringComparer.Ordinal);
        int Resolve(object port) => int.TryParse(Str(port), out var n) ? n : ports[Str(port)];
        var liveness = Map(Map(container["livenessProbe"])["httpGet"]);
        var readiness = Map(Map(container["readinessProbe"])["httpGet"]);
        Assert.Equal(OperationsEndpoints.LivenessPath, Str(liveness["path"]));
        Assert.Equal(OperationsEndpoints.ReadinessPath, Str(readiness["path"]));
        Assert.Equal(options.Http.Port, Resolve(liveness["port"]));
        Assert.Equal(options.Http.Port, Resolve(readiness["port"]));

        // The Orleans ports the pod declares are the ones the ConfigMap (or the defaults) makes the silo listen on.
        Assert.Equal(options.Orleans.SiloPort, ports["silo"]);
        Assert.Equal(options.Orleans.GatewayPort, ports["gateway"]);
        Assert.Equal(OrleansOptions.KubernetesClustering, options.Orleans.Clustering, ignoreCase: true);

        // Every other variable is one Orleans' Kubernetes hosting reads, taken from the pod itself; the ids come from
        // the pod's labels, which equal the ids the ConfigMap binds (the ones the silo runs with).
        var podLabels = Map(Map(Map(Map(deployment["spec"])["template"])["metadata"])["labels"]);
        Assert.Equal(
            new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                [KubernetesHostingOptions.PodNameEnvironmentVariable] = "metadata.name",
                [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = "metadata.namespace",
                [KubernetesHostingOptions.PodIPEnvironmentVariable] = "status.podIP",
                [KubernetesHostingOptions.ServiceIdEnvironmentVariable] = $"metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']",
                [KubernetesHostingOptions.ClusterIdEnvironmentVariable] = $"metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']",
            },
            env.Where(e => !Str(e["name"]).StartsWith("SC_", StringComparison.Ordinal)).ToDictionary(e => Str(e["name"]), FieldPath, StringComparer.Ordinal));
        Assert.Equal(options.Orleans.ServiceId, Str(podLabels[KubernetesHostingOptions.ServiceIdLabel]));
        Assert.Equal(options.Orleans.ClusterId, Str(podLabels[KubernetesHostingOptions.ClusterIdLabel]));
        Assert.Equal("status.podIP", FieldPath(env.Single(e => Str(e["name"]) == "SC_ORLEANS_ADVERTISEDADDRESS")));

        var grace = TimeSpan.FromSeconds(int.Parse(Str(pod["terminationGracePeriodSeconds"]), CultureInfo.InvariantCulture));
        Assert.True(grace > options.ShutdownTimeout, $"terminationGracePeriodSeconds {grace} must exceed sc.shutdownTimeout {options.ShutdownTimeout}");
        Assert.Equal("true", Str(Map(pod["securityContext"])["runAsNonRoot"]));

        // The metrics Service and the PodDisruptionBudget select these pods and reach the http port.
        var service = Single(k8s, "Service");
        Assert.All(Map(Map(service["spec"])["selector"]), l => Assert.Equal(Str(l.Value), Str(podLabels[l.Key])));
        var servicePort = Map(Assert.Single(List(Map(service["spec"])["ports"])));
        Assert.Equal(options.Http.Port, Resolve(servicePort["targetPort"]));
        var pdb = Single(k8s, "PodDisruptionBudget");
        Assert.All(Map(Map(Map(pdb["spec"])["selector"])["matchLabels"]), l => Assert.Equal(Str(l.Value), Str(podLabels[l.Key])));
    }

    [Fact]
    public void Kubernetes_hosting_may_get_watch_list_delete_and_patch_pods_as_the_deployments_service_account()
    {
        var k8s = KubernetesObjects();
        var pod = Map(Map(Map(Single(k8s, "Deployment")["spec"])["template"])["spec"]);
        var account = Single(k8s, "ServiceAccount");
        Assert.Equal(Name(account), Str(pod["serviceAccountName"]));

        var binding = Single(k8s, "RoleBinding");
        var subject = Map(Assert.Single(List(binding["subjects"])));
        Assert.Equal("ServiceAccount", Str(subject["kind"]));
        Assert.Equal(Name(account), Str(subject["name"]));
        var roleRef = Map(binding["roleRef"]);
        var role = Single(k8s, "Role");
        Assert.Equal("Role", Str(roleRef["kind"]));
        Assert.Equal(Name(role), Str(roleRef["name"]));

        var rule = Map(Assert.Single(List(role["rules"])));
        Assert.Equal([""], List(rule["apiGroups"]).Select(Str));
        Assert.Equal(["pods"], List(rule["resources"]).Select(Str));
        Assert.Equal(["delete", "get", "list", "patch", "watch"], List(rule["verbs"]).Select(Str).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Kustomization_lists_every_manifest_of_the_folder()
    {
        var kustomization = Map(LoadYaml(Path.Combine(Deploy, "k8s", "kustomization.yaml")).Single());
        var files = Directory.GetFiles(Path.Combine(Deploy, "k8s"), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");

        Assert.Equal(files.Order(StringComparer.Ordinal), List(kustomization["resources"]).Select(Str).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Keda_scales_the_deployment_on_the_pending_entries_of_the_configured_streams_and_group()
    {
        var k8s = KubernetesObjects();
        var options = BindYamlAndEnvironment(Str(Map(Single(k8s, "ConfigMap")["data"])["config.yaml"]), []);
        var scaled = Single(k8s, "ScaledObject");
        var spec = Map(scaled["spec"]);
        Assert.Equal(Name(Single(k8s, "Deployment")), Str(Map(spec["scaleTargetRef"])["name"]));

        var triggers = List(spec["triggers"]).Select(Map).ToList();
        Assert.All(triggers, t => Assert.Equal("redis-streams", Str(t["type"])));
        var metadata = triggers.Select(t => Map(t["metadata"])).ToList();
        Assert.Equal(options.Stream.Streams.OrderBy(s => s, StringComparer.Ordinal), metadata.Select(m => Str(m["stream"])).OrderBy(s => s, StringComparer.Ordinal));
        Assert.All(metadata, m =>
        {
            Assert.Equal(options.Stream.Group, Str(m["consumerGroup"]));
            Assert.Equal(options.Stream.Redis.Address, Str(m["address"]));
            Assert.True(int.Parse(Str(m["pendingEntriesCount"]), CultureInfo.InvariantCulture) > 0);
        });

        // The trigger authenticates with the same Secret the pods use.
        var auth = Single(k8s, "TriggerAuthentication");
        Assert.All(triggers, t => Assert.Equal(Name(auth), Str(Map(t["authenticationRef"])["name"])));
        var secretRef = Map(Assert.Single(List(Map(auth["spec"])["secretTargetRef"])));
        Assert.Equal("password", Str(secretRef["parameter"]));
        Assert.Equal(Name(Single(k8s, "Secret")), Str(secretRef["name"]));
    }

    // ---------------------------------------------------------------- Grafana and README

    [Fact]
    public async Task Every_metric_of_ours_the_dashboard_queries_is_one_the_service_exports()
    {
        var exported = Operations.Exposition.SeriesNames(await ExportedTextAsync());
        var expressions = GrafanaDashboard.Expressions();
        Assert.True(expressions.Count >= 10);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var expr in expressions)
        {
            var names = GrafanaDashboard.MetricsIn(expr);
            Assert.True(names.Count > 0, $"no metric of ours, Orleans' or the runtime's in: {expr}");
            // Orleans' and the runtime's only appear in a running silo: MetricsEndToEndTests checks those.
            foreach (var name in names.Where(n => n.StartsWith("dynamowriter_", StringComparison.Ordinal)))
            {
                Assert.True(exported.Contains(name), $"the dashboard queries {name}, which the service does not export ({expr})");
                used.Add(name);
            }
        }

        // And the dashboard covers the metrics the issue asks for.
        foreach (var required in new[]
        {
            "dynamowriter_entries_read_total", "dynamowriter_entries_written_total", "dynamowriter_entries_skipped_total",
            "dynamowriter_entries_dead_lettered_total", "dynamowriter_entries_claimed_total", "dynamowriter_entries_acknowledged_total",
            "dynamowriter_dynamodb_retries_total", "dynamowriter_dynamodb_throttles_total", "dynamowriter_batch_size_sum",
            "dynamowriter_dynamodb_request_duration_seconds_bucket", "dynamowriter_entry_latency_seconds_bucket",
            "dynamowriter_dynamodb_requests_in_flight", "dynamowriter_stream_lag", "dynamowriter_stream_pending",
            "dynamowriter_stream_oldest_pending_age_seconds", "dynamowriter_partitions_paused", "dynamowriter_items_deleted_total",
        })
        {
            Assert.Contains(required, used);
        }
    }

    [Fact]
    public async Task Every_DynamoWriter_instrument_with_a_value_passes_promtool_lint()
    {
        var text = await ExportedTextAsync();
        var (code, lint) = await Promtool.CheckMetricsAsync(text);
        Assert.True(code is 0 or 3, $"promtool check metrics: exit {code}\n{lint}");
        Assert.DoesNotContain(lint.Split('\n'), l => l.StartsWith("dynamowriter_", StringComparison.Ordinal) || l.StartsWith("dotnet_", StringComparison.Ordinal));
        // Every instrument of DynamoWriterMetrics and the four stream gauges came out as a family of its own.
        using var metrics = new DynamoWriterMetrics();
        var instruments = typeof(DynamoWriterMetrics).GetProperties().Count(p => p.GetValue(metrics) is Instrument);
        Assert.Equal(instruments + 4, Operations.Exposition.Types(text).Keys.Count(f => f.StartsWith("dynamowriter_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_readme_documents_every_exported_metric()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        // Ours; Orleans' and the runtime's are documented by their owners.
        foreach (var family in Operations.Exposition.Types(await ExportedTextAsync()).Keys.Where(f => f.StartsWith("dynamowriter_", StringComparison.Ordinal)))
        {
            Assert.Contains($"`{family}`", readme, StringComparison.Ordinal);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static string FromKubernetes(Dictionary<object, object> variable) =>
        FieldPath(variable) == "status.podIP" ? "127.0.0.2" : "from-k8s";

    /// <summary>The <c>valueFrom.fieldRef.fieldPath</c> of a container variable, or null when it has none.</summary>
    private static string? FieldPath(Dictionary<object, object> variable) =>
        variable.TryGetValue("valueFrom", out var from) && from is Dictionary<object, object> source
            && source.TryGetValue("fieldRef", out var field) && field is Dictionary<object, object> reference
            && reference.TryGetValue("fieldPath", out var path)
            ? Str(path)
            : null;

    /// <summary>
    /// What a DynamoWriter process exports once each instrument has a value (the exporter shows only those):
    /// one measurement on every instrument of DynamoWriterMetrics, and the stream gauges of one poll of a
    /// stream with a group and a dead letter on the real Redis.
    /// </summary>
    private static async Task<string> ExportedTextAsync()
    {
        await using var telemetry = await InProcessMetrics.StartAsync();
        var tag = new KeyValuePair<string, object?>("stream", DynamoWriter.Tests.TestServers.Unique("exported"));
        foreach (var property in typeof(DynamoWriterMetrics).GetProperties())
        {
            switch (property.GetValue(telemetry.Metrics))
            {
                case Counter<long> c: c.Add(1, tag); break;
                case UpDownCounter<long> u: u.Add(1, tag); break;
                case Histogram<double> h: h.Record(0.01, tag); break;
                case Histogram<int> h: h.Record(1, tag); break;
            }
        }

        var stream = (string)tag.Value!;
        var options = new DynamoWriterOptions();
        options.Stream.Streams = [stream];
        options.Stream.Redis.Address = DynamoWriter.Tests.TestServers.RedisAddress;
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        await using var operations = new DynamoWriterRedis(wrapped);
        var db = await operations.GetDatabaseAsync(default);
        await db.StreamAddAsync(stream, "pk", "1");
        await db.StreamCreateConsumerGroupAsync(stream, options.Stream.Group, "0");
        await db.StreamAddAsync(stream + ":dlq", "pk", "1");
        using var collector = new StreamStatsCollector(wrapped, telemetry.Metrics, operations, NullLogger<StreamStatsCollector>.Instance);
        await collector.PollOnceAsync(default);
        var text = (await telemetry.ScrapeAsync()).Body;
        await db.KeyDeleteAsync([stream, stream + ":dlq"]);
        return text;
    }

    private static DynamoWriterOptions BindEnvironment(IEnumerable<KeyValuePair<string, string>> variables) =>
        BindYamlAndEnvironment(null, variables);

    /// <summary>
    /// Binds and validates like the service at start (YAML file, then SC_ variables); fails on any error, and on
    /// any notice: the deployment files set no key the Orleans engine ignores and no unknown SC_ variable.
    /// </summary>
    private static DynamoWriterOptions BindYamlAndEnvironment(string? yaml, IEnumerable<KeyValuePair<string, string>> variables)
    {
        var env = new Hashtable();
        foreach (var (k, v) in variables)
        {
            env[k] = v;
        }

        var file = Path.GetTempFileName();
        try
        {
            var builder = new ConfigurationBuilder();
            if (yaml is not null)
            {
                File.WriteAllText(file, yaml);
                builder.AddYamlFile(file, optional: false);
            }

            var root = builder.AddScEnvironmentVariables(env).Build();
            var options = ConfigurationLoader.LoadAndValidate(root, out var errors);
            Assert.True(errors.Count == 0, "configuration errors:\n" + string.Join("\n", errors));
            var notices = ConfigurationNotices.Collect(root);
            Assert.True(notices.Count == 0, "configuration notices:\n" + string.Join("\n", notices));
            return options;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static List<Dictionary<object, object>> KubernetesObjects() =>
        Directory.GetFiles(Path.Combine(Deploy, "k8s"), "*.yaml").Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal))
            .SelectMany(LoadYaml).Select(Map).ToList();

    private static Dictionary<object, object> Single(List<Dictionary<object, object>> objects, string kind) =>
        Assert.Single(objects, o => Str(o["kind"]) == kind);

    private static string Name(Dictionary<object, object> o) => Str(Map(o["metadata"])["name"]);

    private static List<object> LoadYaml(string path)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new MergingParser(new Parser(new StringReader(File.ReadAllText(path))));
        parser.Consume<StreamStart>();
        var documents = new List<object>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize<object>(parser)!);
        }

        return documents;
    }

    private static Dictionary<object, object> Map(object? node) => Assert.IsType<Dictionary<object, object>>(node);

    private static List<object> List(object? node) => Assert.IsType<List<object>>(node);

    private static string Str(object? node) => Assert.IsType<string>(node);

    private static List<(string Op, string Args)> Instructions(string dockerfile) =>
        dockerfile.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (Op: l.Split(' ', 2)[0].ToUpperInvariant(), Args: l.Split(' ', 2)[1].Trim()))
            .ToList();

    /// <summary>The variables the ENV instructions among <paramref name="lines"/> set.</summary>
    private static Dictionary<string, string> EnvOf(IEnumerable<(string Op, string Args)> lines) =>
        lines.Where(l => l.Op == "ENV").SelectMany(l => EnvPairs().Matches(l.Args))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value.Trim('"'), StringComparer.Ordinal);

    [GeneratedRegex("""(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?<value>"[^"]*"|\S*)""")]
    private static partial Regex EnvPairs();

    /// <summary><c>export NAME="${NAME:-value}"</c>: a default the caller's environment can override.</summary>
    [GeneratedRegex("""^export (?<name>[A-Za-z_][A-Za-z0-9_]*)="\$\{\k<name>:-(?<value>[^}]*)\}"$""", RegexOptions.Multiline)]
    private static partial Regex ScriptDefaults();
}
