using System.Text.Json;
using k8s.Models;

namespace Cheshire.Deploy.Tests.Manifests;

/// <summary>
/// deploy/k8s as a cluster would get it: rendered by <c>kubectl kustomize</c>, every object loaded strictly, and the
/// objects checked against each other and against the modules' own module.json.
/// </summary>
public sealed class ManifestTests
{
    public static readonly TheoryData<string> Kustomizations = new("k8s/base", "k8s/overlays/example");

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Renders_one_node_and_commits_no_secret(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);

        Assert.Equal(["Deployment/mainline-dht", "Deployment/styx", "StatefulSet/dht"],
            node.Workloads.Select(w => $"{w.Kind}/{w.Name}").Order());
        Assert.Empty(node.All<V1Secret>());
        Assert.All(node.Objects.Cast<k8s.IKubernetesObject<V1ObjectMeta>>(), o =>
            Assert.Equal("cheshire", o.Metadata.Labels?["app.kubernetes.io/part-of"]));
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Every_module_runs_once_from_its_own_image(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        var containers = node.Workloads.SelectMany(w => w.Pod.Containers).ToList();

        Assert.Equal(DeployedModules.All.Select(m => m.Name).Order(), containers.Select(c => c.Name).Order());
        Assert.All(containers, c => Assert.StartsWith($"cheshire/{c.Name}:", c.Image));
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Every_container_runs_unprivileged_on_a_read_only_root_within_limits(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        foreach (var workload in node.Workloads)
        {
            var pod = workload.Pod.SecurityContext;
            Assert.True(pod.RunAsNonRoot, $"{workload.Name}: runAsNonRoot");
            Assert.True(pod.RunAsUser > 0, $"{workload.Name}: runAsUser");
            Assert.Equal("RuntimeDefault", pod.SeccompProfile?.Type);
            Assert.False(workload.Pod.AutomountServiceAccountToken, $"{workload.Name} talks to no Kubernetes API");
            Assert.NotEqual(true, workload.Pod.HostNetwork);
            foreach (var container in workload.AllContainers)
            {
                var what = $"{workload.Name}/{container.Name}";
                var security = container.SecurityContext ?? throw new Xunit.Sdk.XunitException($"{what}: no securityContext");
                Assert.False(security.AllowPrivilegeEscalation, $"{what}: allowPrivilegeEscalation");
                Assert.False(security.Privileged, $"{what}: privileged");
                Assert.True(security.ReadOnlyRootFilesystem, $"{what}: readOnlyRootFilesystem");
                Assert.Contains("ALL", security.Capabilities?.Drop ?? []);
                Assert.Empty(security.Capabilities?.Add ?? []);
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    var request = container.Resources?.Requests?[resource] ?? throw new Xunit.Sdk.XunitException($"{what}: no {resource} request");
                    var limit = container.Resources?.Limits?[resource] ?? throw new Xunit.Sdk.XunitException($"{what}: no {resource} limit");
                    Assert.True(request.ToDecimal() <= limit.ToDecimal(), $"{what}: {resource} request {request} above its limit {limit}");
                }
            }
        }
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Every_module_is_probed_over_grpc_health_where_it_serves_grpc(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        foreach (var workload in node.Workloads)
            foreach (var container in workload.Pod.Containers)
            {
                var grpcUrl = node.EnvironmentOf(container)["Kestrel__Endpoints__grpc__Url"];
                // The kubelet probes the pod's address, so gRPC listens on every interface.
                Assert.Equal("0.0.0.0", Ports.HostOf(grpcUrl));
                var port = Ports.Of(grpcUrl);
                Assert.Contains(container.Ports, p => p.ContainerPort == port && p.Protocol == "TCP");
                foreach (var (kind, probe) in new[] { ("liveness", container.LivenessProbe), ("readiness", container.ReadinessProbe) })
                {
                    var grpc = probe?.Grpc ?? throw new Xunit.Sdk.XunitException($"{container.Name}: no grpc {kind} probe");
                    Assert.Equal(port, grpc.Port);
                    Assert.True(string.IsNullOrEmpty(grpc.Service), "the empty service name is the whole server's grpc.health.v1 status");
                }
            }
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Every_module_endpoint_is_set_where_its_container_declares_it(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        foreach (var module in DeployedModules.All)
        {
            var container = node.WorkloadRunning(module.Name).Pod.Containers.Single(c => c.Name == module.Name);
            var environment = node.EnvironmentOf(container);
            foreach (var endpoint in module.Endpoints)
            {
                var key = endpoint.Setting.Replace(":", "__", StringComparison.Ordinal);
                Assert.True(environment.TryGetValue(key, out var value), $"{module.Name}: {key} is not set");
                var port = Ports.Of(value!);
                Assert.Contains(container.Ports, p => p.ContainerPort == port && p.Protocol == endpoint.Protocol.ToUpperInvariant());
            }
        }
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Every_dependency_is_discovered_at_an_address_that_reaches_its_grpc(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        foreach (var module in DeployedModules.All)
        {
            var workload = node.WorkloadRunning(module.Name);
            var environment = node.EnvironmentOf(workload.Pod.Containers.Single(c => c.Name == module.Name));
            foreach (var dependency in module.DependsOn.Concat(module.Uses))
            {
                var key = $"services__{dependency}__grpc__0";
                Assert.True(environment.TryGetValue(key, out var address), $"{module.Name}: {key} is not set");
                var target = node.WorkloadRunning(dependency);
                var served = Ports.Of(node.EnvironmentOf(target.Pod.Containers.Single(c => c.Name == dependency))["Kestrel__Endpoints__grpc__Url"]);
                var host = Ports.HostOf(address!);
                if (host is "127.0.0.1" or "localhost")
                {
                    Assert.True(target == workload, $"{module.Name} reaches {dependency} on loopback, but they are not in one pod");
                    Assert.Equal(served, Ports.Of(address!));
                    continue;
                }
                var service = node.Named<V1Service>(host);
                Assert.Contains(service, node.ServicesSelecting(target));
                var port = Assert.Single(service.Spec.Ports, p => p.Port == Ports.Of(address!));
                var dependencyContainer = target.Pod.Containers.Single(c => c.Name == dependency);
                Assert.Equal(served, Ports.Target(dependencyContainer, port.TargetPort)?.ContainerPort);
            }
        }
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Services_expose_the_module_ports_with_their_protocols(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        string[] expected =
        [
            "dht-peers UDP 4222", "dht UDP 4222", "dht TCP 5111", "mainline-dht UDP 6881", "mainline-dht TCP 5121",
            "styx-root TCP 6666", "styx-root TCP 5131", "styx-provider TCP 5141", "styx-client TCP 5660",
        ];
        Assert.Equal(expected.Order(), node.All<V1Service>().SelectMany(s => s.Spec.Ports.Select(p => $"{s.Metadata.Name} {p.Protocol} {p.Port}")).Order());

        foreach (var service in node.All<V1Service>())
        {
            var workloads = node.Workloads.Where(w => node.ServicesSelecting(w).Contains(service)).ToList();
            Assert.True(workloads.Count == 1, $"Service {service.Metadata.Name} selects {workloads.Count} workloads");
            foreach (var port in service.Spec.Ports)
            {
                var target = workloads[0].Pod.Containers.Select(c => Ports.Target(c, port.TargetPort)).SingleOrDefault(p => p is not null);
                Assert.True(target is not null, $"Service {service.Metadata.Name} port {port.Name}: targetPort {port.TargetPort} is no container port");
                Assert.Equal(port.Protocol, target.Protocol);
            }
        }
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Config_maps_claims_and_the_node_secret_that_pods_name_exist(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        var secret = await NodeSecret.CreateAsync();
        foreach (var workload in node.Workloads)
        {
            var volumes = workload.Pod.Volumes.ToDictionary(v => v.Name);
            foreach (var volume in volumes.Values)
            {
                if (volume.ConfigMap is { } configMap)
                    Assert.All(configMap.Items ?? [], item => Assert.Contains(item.Key, node.Named<V1ConfigMap>(configMap.Name).Data.Keys));
                if (volume.PersistentVolumeClaim is { } claim)
                    node.Named<V1PersistentVolumeClaim>(claim.ClaimName);
                if (volume.Secret is { } secretVolume)
                {
                    Assert.Equal(secret.Metadata.Name, secretVolume.SecretName);
                    Assert.All(secretVolume.Items ?? [], item => Assert.Contains(item.Key, secret.Data.Keys));
                }
            }
            foreach (var container in workload.AllContainers)
            {
                foreach (var source in container.EnvFrom ?? [])
                    node.Named<V1ConfigMap>(source.ConfigMapRef.Name);
                foreach (var mount in container.VolumeMounts ?? [])
                    Assert.True(volumes.ContainsKey(mount.Name) || workload.ClaimTemplates.Any(t => t.Metadata.Name == mount.Name),
                        $"{workload.Name}/{container.Name} mounts '{mount.Name}', which is no volume of its pod");
            }
        }
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Every_module_gets_its_keys_where_the_entry_point_reads_them_and_writes_only_to_volumes(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        var secret = await NodeSecret.CreateAsync();
        foreach (var workload in node.Workloads)
            foreach (var container in workload.Pod.Containers)
            {
                var mounts = container.VolumeMounts.ToDictionary(m => m.MountPath);
                var keys = mounts[EntryPoint.SecretDirectory];
                Assert.True(keys.ReadOnlyProperty, $"{container.Name}: the node secret is mounted read-only");
                var volume = workload.Pod.Volumes.Single(v => v.Name == keys.Name);
                Assert.Equal(secret.Metadata.Name, volume.Secret?.SecretName);
                Assert.All(EntryPoint.KeyFiles, key => Assert.Contains(key, secret.Data.Keys));
                // The group may read the mounted secret (fsGroup), so the entry point copies it as 0600 before the module checks it.
                Assert.Equal(workload.Pod.SecurityContext.RunAsGroup, workload.Pod.SecurityContext.FsGroup);

                var environment = node.EnvironmentOf(container);
                var dataDirectory = environment.GetValueOrDefault("Cheshire__DataDir", EntryPoint.DataDirectory);
                Assert.NotEqual(true, mounts[dataDirectory].ReadOnlyProperty);
                Assert.NotEqual(true, mounts["/tmp"].ReadOnlyProperty);
            }
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Dht_replicas_each_keep_their_own_volume_and_find_each_other_through_the_headless_service(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        var dht = node.Named<V1StatefulSet>("dht");
        var container = dht.Spec.Template.Spec.Containers.Single(c => c.Name == "dht");
        var environment = node.EnvironmentOf(container);

        var claim = Assert.Single(dht.Spec.VolumeClaimTemplates);
        Assert.Equal(environment["Cheshire__InstanceDataDir"], container.VolumeMounts.Single(m => m.Name == claim.Metadata.Name).MountPath);
        var peers = node.Named<V1Service>(dht.Spec.ServiceName);
        Assert.Equal("None", peers.Spec.ClusterIP);
        Assert.True(peers.Spec.PublishNotReadyAddresses, "a lone replica is not ready until it has peers, so peers must be found before");
        Assert.Equal($"{dht.Spec.ServiceName}:{environment["Dht__Port"]}", environment["Dht__Bootstrap__0"]);
        Assert.Contains(peers.Spec.Ports, p => p.Protocol == "UDP" && p.Port == int.Parse(environment["Dht__Port"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory, MemberData(nameof(Kustomizations))]
    public async Task Styx_provider_reads_its_exports_file_from_the_config_map_and_exports_folders_of_the_claim(string directory)
    {
        var node = await RenderedNode.OfAsync(directory);
        var styx = node.WorkloadRunning("styx-provider");
        var provider = styx.Pod.Containers.Single(c => c.Name == "styx-provider");
        var configFile = node.EnvironmentOf(provider)["Provider__ConfigFile"];

        var configMount = provider.VolumeMounts.Single(m => m.MountPath == Path.GetDirectoryName(configFile));
        var configMap = node.Named<V1ConfigMap>(styx.Pod.Volumes.Single(v => v.Name == configMount.Name).ConfigMap.Name);
        using var exports = JsonDocument.Parse(configMap.Data[Path.GetFileName(configFile)]);
        var claimMounts = provider.VolumeMounts.Where(m => styx.Pod.Volumes.Single(v => v.Name == m.Name).PersistentVolumeClaim is not null).ToList();
        var roots = exports.RootElement.EnumerateObject()
            .Where(e => e.Value.GetProperty("server").GetString() == "export")
            .Select(e => e.Value.GetProperty("root").GetString()!)
            .ToList();
        Assert.NotEmpty(roots);
        var made = styx.Pod.InitContainers.SelectMany(c => c.Command).ToList();
        Assert.All(roots, root =>
        {
            Assert.Contains(claimMounts, m => root.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
            Assert.Contains(root, made); // an export whose folder is missing is refused at start
        });
    }

    [Fact]
    public async Task Example_overlay_runs_three_dht_nodes_in_its_own_namespace_and_network()
    {
        var node = await RenderedNode.OfAsync("k8s/overlays/example");

        Assert.Equal(3, node.Named<V1StatefulSet>("dht").Spec.Replicas);
        Assert.Equal("restricted", node.Named<V1Namespace>("cheshire").Metadata.Labels["pod-security.kubernetes.io/enforce"]);
        Assert.All(node.Objects.Where(o => o is not V1Namespace).Cast<k8s.IKubernetesObject<V1ObjectMeta>>(),
            o => Assert.Equal("cheshire", o.Metadata.NamespaceProperty));
        var anyContainer = node.WorkloadRunning("dht").Pod.Containers[0];
        Assert.Equal("friends", node.EnvironmentOf(anyContainer)["Cheshire__Salt"]);
    }
}
