using System.Collections;
using System.Reflection;
using HueGrains.Api;
using HueGrains.Api.Auth;
using HueGrains.Api.Mqtt;
using HueGrains.Api.Open311;
using HueGrains.Grains.Domain;
using HueGrains.Persistence;
using HueGrains.Silo;
using HueGrains.Tests.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Routing;
using YamlDotNet.RepresentationModel;

namespace HueGrains.Tests.Deployment;

/// <summary>
/// The Dockerfile, deploy/docker-compose.yml and deploy/k8s/ parse, and name the same ports, paths, roles and settings as
/// the code: every environment variable binds to a real option, every probe path is a mapped endpoint, every port is
/// the code's default, every secret or config reference exists, every selector finds its pods.
/// </summary>
[Collection(ApiCollection.Name)]
public class ManifestTests(ApiFixture api)
{
    private static readonly string Root = RepositoryRoot();

    /// <summary>Configuration sections the platform binds, by the options type that reads them.</summary>
    private static readonly (string Section, Type Options)[] Sections =
    [
        ("Hue", typeof(HueHostOptions)), (HueAuthOptions.Section, typeof(HueAuthOptions)), (IngestOptions.Section, typeof(IngestOptions)),
        (MqttOptions.Section, typeof(MqttOptions)), (HistoryOptions.Section, typeof(HistoryOptions)), (CalendarOptions.Section, typeof(CalendarOptions)),
        (FeedbackOptions.Section, typeof(FeedbackOptions)), (Open311Options.Section, typeof(Open311Options)),
        (ClientRateLimitOptions.Section, typeof(ClientRateLimitOptions)), (CorsOriginsOptions.Section, typeof(CorsOriginsOptions)),
        (KnownProxiesOptions.Section, typeof(KnownProxiesOptions)),
    ];

    /// <summary>Keys read directly rather than through an options type.</summary>
    private static readonly string[] DirectKeys = ["ConnectionStrings:Hue", "Hue:Logging:Json", "HUE_SECRETS_DIR", "OTEL_EXPORTER_OTLP_ENDPOINT"];

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HueGrains.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }

    private static List<YamlMappingNode> Documents(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, path));
        stream.Load(new YamlDotNet.Core.MergingParser(new YamlDotNet.Core.Parser(reader))); // Compose uses "<<:" merge keys
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static YamlNode? At(YamlNode node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var next)) return null;
            node = next;
        }
        return node;
    }

    private static string? Text(YamlNode node, params string[] path) => (At(node, path) as YamlScalarNode)?.Value;

    private static IEnumerable<YamlMappingNode> Items(YamlNode node, params string[] path) =>
        At(node, path) is YamlSequenceNode list ? list.Children.OfType<YamlMappingNode>() : [];

    /// <summary>Whether a configuration key ("Hue__Orleans__Address", "Hue:Open311:ApiKeys:0") binds to a real option.</summary>
    public static bool IsKnownSetting(string key)
    {
        key = key.Replace("__", ":", StringComparison.Ordinal);
        if (DirectKeys.Contains(key, StringComparer.OrdinalIgnoreCase)) return true;
        foreach (var (section, type) in Sections)
        {
            if (!key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)) continue;
            Type? current = type;
            foreach (var part in key[(section.Length + 1)..].Split(':'))
            {
                if (current is null) break;
                if (current.IsGenericType && typeof(IList).IsAssignableFrom(current) && int.TryParse(part, out _)) { current = current.GetGenericArguments()[0]; continue; }
                if (current.IsGenericType && current.GetGenericTypeDefinition() == typeof(Dictionary<,>)) { current = current.GetGenericArguments()[1]; continue; }
                current = current.GetProperty(part, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType;
            }
            if (current is not null) return true;
        }
        return false;
    }

    private static List<YamlMappingNode> Kubernetes() => [.. Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml").Order()
        .SelectMany(f => Documents(Path.GetRelativePath(Root, f)))];

    private static IEnumerable<(YamlMappingNode Workload, YamlMappingNode Container)> Containers(IEnumerable<YamlMappingNode> docs) =>
        docs.SelectMany(d => Items(d, "spec", "template", "spec", "containers").Select(c => (d, c)));

    private static readonly HueHostOptions Defaults = new();

    [Fact]
    public void The_settings_check_itself_knows_real_keys_from_made_up_ones()
    {
        Assert.True(IsKnownSetting("Hue__Orleans__Address"));
        Assert.True(IsKnownSetting("Hue__Open311__ApiKeys__0"));
        Assert.True(IsKnownSetting("Hue__History__RetentionDaysByKind__rainfall"));
        Assert.False(IsKnownSetting("Hue__Orleans__Adress"));
        Assert.False(IsKnownSetting("Hue__Grains__Count"));
    }

    [Fact]
    public void Kubernetes_manifests_parse_and_match_the_code()
    {
        var docs = Kubernetes();
        Assert.All(docs, d => Assert.False(string.IsNullOrEmpty(Text(d, "apiVersion")) || string.IsNullOrEmpty(Text(d, "kind")) || string.IsNullOrEmpty(Text(d, "metadata", "name"))));
        var kinds = docs.Select(d => Text(d, "kind")).ToList();
        foreach (var kind in new[] { "ConfigMap", "Secret", "Job", "Deployment", "PodDisruptionBudget", "Service", "HorizontalPodAutoscaler" }) Assert.Contains(kind, kinds);

        var config = docs.Single(d => Text(d, "kind") == "ConfigMap");
        var configKeys = ((YamlMappingNode)At(config, "data")!).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        var secret = docs.Single(d => Text(d, "kind") == "Secret");
        var secretKeys = ((YamlMappingNode)At(secret, "stringData")!).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        Assert.All(configKeys, k => Assert.True(IsKnownSetting(k), $"ConfigMap key {k} binds to no option"));
        Assert.Equal(Defaults.Http.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(config, "data", "Hue__Http__Port"));
        Assert.Equal(new MqttOptions().Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(config, "data", "Hue__Mqtt__Port"));
        Assert.Equal(Defaults.Orleans.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(config, "data", "Hue__Orleans__SiloPort"));
        Assert.Equal(Defaults.Orleans.GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Text(config, "data", "Hue__Orleans__GatewayPort"));

        var paths = ((IEndpointRouteBuilder)api.App).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText).ToHashSet();
        foreach (var (workload, container) in Containers(docs))
        {
            var name = Text(workload, "metadata", "name");
            var argv = At(container, "args") is YamlSequenceNode seq ? seq.Children.Select(c => ((YamlScalarNode)c).Value!).ToList() : [];
            if (argv is ["--role", var role]) Assert.True(Enum.TryParse<PlatformRole>(role, ignoreCase: true, out _), $"{name}: role {role}");
            else Assert.Equal(["migrate"], argv);

            foreach (var env in Items(container, "env"))
            {
                var key = Text(env, "name")!;
                Assert.True(IsKnownSetting(key), $"{name}: {key} binds to no option");
                if (At(env, "valueFrom", "secretKeyRef") is { } secretRef)
                {
                    Assert.Equal(Text(secret, "metadata", "name"), Text(secretRef, "name"));
                    Assert.Contains(Text(secretRef, "key"), secretKeys);
                }
            }
            Assert.All(Items(container, "envFrom"), e => Assert.Equal(Text(config, "metadata", "name"), Text(e, "configMapRef", "name")));

            var ports = Items(container, "ports").ToDictionary(p => Text(p, "name")!, p => int.Parse(Text(p, "containerPort")!, System.Globalization.CultureInfo.InvariantCulture));
            if (ports.Count > 0) Assert.Equal(Defaults.Http.Port, ports["http"]);
            if (ports.TryGetValue("mqtt", out var mqtt)) Assert.Equal(new MqttOptions().Port, mqtt);
            if (ports.TryGetValue("silo", out var silo)) Assert.Equal(Defaults.Orleans.SiloPort, silo);
            if (ports.TryGetValue("gateway", out var gateway)) Assert.Equal(Defaults.Orleans.GatewayPort, gateway);
            foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
            {
                if (At(container, probe) is not { } p) { Assert.Equal("huegrains-migrate", name); continue; }
                Assert.Contains(Text(p, "httpGet", "path"), paths);
                Assert.Contains(Text(p, "httpGet", "port"), ports.Keys);
            }
        }

        // Selectors find pods; services and the autoscaler name things that exist.
        var deployments = docs.Where(d => Text(d, "kind") == "Deployment").ToList();
        string? PodLabel(YamlMappingNode d) => Text(d, "spec", "template", "metadata", "labels", "app.kubernetes.io/name");
        foreach (var d in deployments) Assert.Equal(Text(d, "spec", "selector", "matchLabels", "app.kubernetes.io/name"), PodLabel(d));
        var silos = deployments.Single(d => Text(d, "metadata", "name") == "huegrains-silo");
        var pdb = docs.Single(d => Text(d, "kind") == "PodDisruptionBudget");
        Assert.Equal(PodLabel(silos), Text(pdb, "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
        Assert.Contains(Items(silos, "spec", "template", "spec", "containers").SelectMany(c => Items(c, "env")),
            e => Text(e, "name") == "Hue__Orleans__Address" && Text(e, "valueFrom", "fieldRef", "fieldPath") == "status.podIP");
        foreach (var service in docs.Where(d => Text(d, "kind") == "Service"))
        {
            var target = deployments.Single(d => PodLabel(d) == Text(service, "spec", "selector", "app.kubernetes.io/name"));
            var portNames = Containers([target]).SelectMany(x => Items(x.Container, "ports")).Select(p => Text(p, "name")).ToList();
            Assert.All(Items(service, "spec", "ports"), p => Assert.Contains(Text(p, "targetPort"), portNames));
        }
        var hpa = docs.Single(d => Text(d, "kind") == "HorizontalPodAutoscaler");
        Assert.Contains(Text(hpa, "spec", "scaleTargetRef", "name"), deployments.Select(d => Text(d, "metadata", "name")));
    }

    [Fact]
    public void The_example_Secret_holds_only_placeholders_the_platform_refuses_and_every_mounted_secret_is_checked()
    {
        var docs = Kubernetes();
        var secret = docs.Single(d => Text(d, "kind") == "Secret");
        var values = ((YamlMappingNode)At(secret, "stringData")!).Children
            .ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);
        // The setting each key of the Secret becomes in the pods.
        var mounted = Containers(docs).SelectMany(c => Items(c.Container, "env"))
            .Where(e => At(e, "valueFrom", "secretKeyRef") is not null)
            .Select(e => (Setting: Text(e, "name")!, Key: Text(e, "valueFrom", "secretKeyRef", "key")!))
            .Distinct().ToList();
        Assert.Equal(values.Keys.Order(), mounted.Select(m => m.Key).Distinct().Order());

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(
            mounted.Select(m => KeyValuePair.Create(m.Setting.Replace("__", ":", StringComparison.Ordinal), (string?)values[m.Key]))).Build();
        var problems = SecretSettings.Problems(configuration);
        Assert.All(mounted, m => Assert.Contains(problems, p => p.StartsWith($"{m.Setting} holds a placeholder", StringComparison.Ordinal)));

        // Docker Compose mounts its secrets as files named after the setting: each is one the check covers.
        var compose = Documents("deploy/docker-compose.yml").Single();
        var targets = ((YamlMappingNode)At(compose, "services")!).Children.Values
            .SelectMany(service => Items(service, "secrets")).Select(s => Text(s, "target")!).Distinct().ToList();
        Assert.NotEmpty(targets);
        var composed = new ConfigurationBuilder().AddInMemoryCollection(
            targets.Select(t => KeyValuePair.Create(t.Replace("__", ":", StringComparison.Ordinal), (string?)"CHANGE-ME"))).Build();
        Assert.Equal(targets.Order(), SecretSettings.Secrets(composed).Select(s => s.Name).Order());
    }

    [Fact]
    public void Docker_compose_and_the_Dockerfile_match_the_code()
    {
        var compose = Documents("deploy/docker-compose.yml").Single();
        var services = (YamlMappingNode)At(compose, "services")!;
        var names = services.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList();
        Assert.Equal(["postgres", "migrate", "silo1", "silo2", "api"], names);
        foreach (var name in names.Where(n => n != "postgres"))
        {
            var service = At(services, name)!;
            var command = ((YamlSequenceNode)At(service, "command")!).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();
            if (name == "migrate") Assert.Equal(["migrate"], command);
            else Assert.True(command is ["--role", var role] && Enum.TryParse<PlatformRole>(role, true, out _), $"{name}: {string.Join(' ', command)}");
            foreach (var (key, _) in ((YamlMappingNode)At(service, "environment")!).Children)
                Assert.True(IsKnownSetting(((YamlScalarNode)key).Value!), $"{name}: {key} binds to no option");
            Assert.All(Items(service, "secrets"), s => Assert.True(IsKnownSetting(Text(s, "target")!), $"{name}: secret {Text(s, "target")}"));
            if (name.StartsWith("silo", StringComparison.Ordinal)) Assert.Equal(name, Text(service, "environment", "Hue__Orleans__Address"));
            if (name != "migrate") Assert.Equal("service_completed_successfully", Text(service, "depends_on", "migrate", "condition"));
        }
        var api = At(services, "api")!;
        var published = ((YamlSequenceNode)At(api, "ports")!).Children.Select(p => ((YamlScalarNode)p).Value).ToList();
        Assert.Contains($"{Defaults.Http.Port}:{Defaults.Http.Port}", published);
        Assert.Contains($"{new MqttOptions().Port}:{new MqttOptions().Port}", published);

        var dockerfile = File.ReadAllText(Path.Combine(Root, "Dockerfile"));
        Assert.Contains("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", dockerfile, StringComparison.Ordinal);
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile, StringComparison.Ordinal);
        Assert.Contains($"EXPOSE {Defaults.Http.Port} {new MqttOptions().Port} {Defaults.Orleans.SiloPort} {Defaults.Orleans.GatewayPort}", dockerfile, StringComparison.Ordinal);
        foreach (var env in System.Text.RegularExpressions.Regex.Matches(dockerfile, @"(Hue__[A-Za-z_]+)=").Select(m => m.Groups[1].Value))
            Assert.True(IsKnownSetting(env), $"Dockerfile: {env}");
        foreach (var copied in System.Text.RegularExpressions.Regex.Matches(dockerfile, @"^COPY (?!--from)(\S+) ", System.Text.RegularExpressions.RegexOptions.Multiline)
                     .Select(m => m.Groups[1].Value).Where(p => p.EndsWith('/')))
            Assert.True(Directory.Exists(Path.Combine(Root, copied)), $"Dockerfile copies {copied}, which does not exist");
    }
}
