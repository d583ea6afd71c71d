using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Cheshire.Deploy.Tests.Manifests;

/// <summary>A pod template and the workload that runs it.</summary>
public sealed record Workload(string Kind, string Name, V1PodTemplateSpec Template, int Replicas, IReadOnlyList<V1PersistentVolumeClaim> ClaimTemplates)
{
    public V1PodSpec Pod => Template.Spec;
    public IEnumerable<V1Container> AllContainers => Pod.Containers.Concat(Pod.InitContainers ?? []);
}

/// <summary>Every object of one kustomization, as <c>kubectl kustomize</c> renders it, loaded strictly by KubernetesClient.</summary>
public sealed class RenderedNode(IReadOnlyList<object> objects)
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<RenderedNode>>> Cache = new();

    public IReadOnlyList<object> Objects { get; } = objects;

    /// <summary>deploy/<paramref name="directory"/> rendered once per test run.</summary>
    public static Task<RenderedNode> OfAsync(string directory) =>
        Cache.GetOrAdd(directory, d => new Lazy<Task<RenderedNode>>(async () =>
            new RenderedNode(KubernetesYaml.LoadAllFromString(await Kustomize.RenderAsync(d), strict: true)))).Value;

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Named<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"no {typeof(T).Name} named '{name}' in the render");

    public IEnumerable<Workload> Workloads =>
        All<V1Deployment>().Select(d => new Workload("Deployment", d.Metadata.Name, d.Spec.Template, d.Spec.Replicas ?? 1, []))
            .Concat(All<V1StatefulSet>().Select(s => new Workload("StatefulSet", s.Metadata.Name, s.Spec.Template, s.Spec.Replicas ?? 1,
                [.. s.Spec.VolumeClaimTemplates ?? []])));

    /// <summary>The workload whose pod runs the container named <paramref name="container"/>.</summary>
    public Workload WorkloadRunning(string container) =>
        Workloads.SingleOrDefault(w => w.Pod.Containers.Any(c => c.Name == container))
        ?? throw new Xunit.Sdk.XunitException($"no workload runs a container named '{container}'");

    /// <summary>The environment a container gets: its envFrom ConfigMaps in order, then its own env entries.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(V1Container container)
    {
        var environment = new Dictionary<string, string>();
        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef is not { } reference) continue;
            foreach (var (key, value) in Named<V1ConfigMap>(reference.Name).Data ?? new Dictionary<string, string>())
                environment[(source.Prefix ?? "") + key] = value;
        }
        foreach (var variable in container.Env ?? [])
            if (variable.Value is not null) environment[variable.Name] = variable.Value;
        return environment;
    }

    /// <summary>Services whose selector matches the workload's pod labels.</summary>
    public IEnumerable<V1Service> ServicesSelecting(Workload workload) =>
        All<V1Service>().Where(s => s.Spec.Selector is { Count: > 0 } selector &&
            selector.All(pair => workload.Template.Metadata.Labels?.TryGetValue(pair.Key, out var value) == true && value == pair.Value));
}
