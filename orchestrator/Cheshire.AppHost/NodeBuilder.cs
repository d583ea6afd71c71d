using Cheshire.Identity;
using Cheshire.Modules;
using Microsoft.Extensions.Configuration;

namespace Cheshire.AppHost;

public static class NodeBuilder
{
    /// <summary>The Kestrel endpoints every module serves: gRPC (h2c) and health (HTTP/1).</summary>
    private static readonly string[] Endpoints = ["grpc", "http"];

    /// <summary>
    /// Adds every module found under services/*/module.json, in dependency order, each referencing
    /// and waiting for the modules it depends on. All modules of the node share one data folder and one user key
    /// (Cheshire:UserKey, else user.key in that folder).
    /// A module with several instances (module.json "instances", or Cheshire:Instances:NAME) becomes
    /// NAME-0 … NAME-(N-1), each with Cheshire:Instance, its own Cheshire:InstanceDataDir and free
    /// gRPC/health ports after the first; dependents discover all of them under the module's name.
    /// AppHost settings Cheshire:Config:NAME:KEY=VALUE override the module's config.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IResourceBuilder<ProjectResource>>> AddCheshireNode(this IDistributedApplicationBuilder builder)
    {
        var servicesDirectory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", "services"));
        var graph = ModuleGraph.Load(servicesDirectory);
        var dataDirectory = DataDirectory.Resolve(builder.Configuration["Cheshire:DataDir"]);
        var userKey = UserIdentityStore.ResolvePath(dataDirectory, builder.Configuration[UserIdentityStore.ConfigurationKey]);

        var modules = new Dictionary<string, IReadOnlyList<IResourceBuilder<ProjectResource>>>();
        foreach (var module in graph.Modules)
        {
            var count = builder.Configuration.GetValue($"Cheshire:Instances:{module.Name}", module.Instances);
            if (count < 1 || count > 1 && module.Endpoints.Count > 0)
                throw new InvalidOperationException($"Module '{module.Name}' cannot run {count} instances (fixed endpoints allow only one).");
            var instances = new List<IResourceBuilder<ProjectResource>>();
            for (var i = 0; i < count; i++)
            {
                var name = count == 1 ? module.Name : $"{module.Name}-{i}";
                var project = ReferencedProjects.Add(builder, name, module.ProjectPath)
                    .WithEnvironment("Cheshire__DataDir", dataDirectory)
                    .WithEnvironment("Cheshire__UserKey", userKey)
                    .WithHttpHealthCheck("/health", endpointName: "http");
                if (count > 1) AsInstance(project, i, Path.Combine(dataDirectory, name));
                foreach (var endpoint in module.Endpoints)
                    AddFixedEndpoint(builder, project, module.Name, endpoint);
                foreach (var (key, value) in module.Config)
                    project.WithEnvironment(key.Replace(":", "__"), value);
                // AppHost configuration Cheshire:Config:NAME:KEY overrides module.json's config (e.g. in tests).
                foreach (var (key, value) in builder.Configuration.GetSection($"Cheshire:Config:{module.Name}").AsEnumerable(makePathsRelative: true))
                    if (value is not null) project.WithEnvironment(key.Replace(":", "__"), value);
                foreach (var dependency in module.DependsOn)
                    Reference(project, dependency, modules[dependency]);
                instances.Add(project);
            }
            modules[module.Name] = instances;
        }
        // "uses": a reference without waiting, added once every module exists (the used module may start later).
        foreach (var module in graph.Modules)
            foreach (var used in module.Uses)
                foreach (var instance in modules[module.Name])
                    Reference(instance, used, modules[used], wait: false);
        AnnounceDhtPort(builder, graph, modules);
        return modules;
    }

    private static void AsInstance(IResourceBuilder<ProjectResource> project, int index, string instanceDirectory)
    {
        project.WithEnvironment("Cheshire__Instance", index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Cheshire__InstanceDataDir", instanceDirectory);
        if (index == 0) return;
        foreach (var endpoint in Endpoints)
            project.WithEndpoint(endpoint, e => e.Port = null, createIfNotExists: false);
    }

    /// <summary>A single instance by plain reference; several under the module's own service-discovery name.</summary>
    private static void Reference(IResourceBuilder<ProjectResource> project, string dependency,
        IReadOnlyList<IResourceBuilder<ProjectResource>> instances, bool wait = true)
    {
        if (instances.Count == 1)
        {
            project.WithReference(instances[0]);
            if (wait) project.WaitFor(instances[0]);
            return;
        }
        for (var i = 0; i < instances.Count; i++)
        {
            foreach (var endpoint in Endpoints)
                project.WithEnvironment($"services__{dependency}__{endpoint}__{i}", instances[i].GetEndpoint(endpoint));
            if (wait) project.WaitFor(instances[i]);
        }
    }

    /// <summary>
    /// mainline-dht announces the port other nodes reach the dht on (Mainline:CheshireDhtPort): the dht's Dht:Port
    /// from its module.json or Cheshire:Config:dht, unless mainline-dht's own config sets it. Unset, both default to 4222.
    /// </summary>
    private static void AnnounceDhtPort(IDistributedApplicationBuilder builder, ModuleGraph graph,
        Dictionary<string, IReadOnlyList<IResourceBuilder<ProjectResource>>> modules)
    {
        if (!modules.TryGetValue("mainline-dht", out var mainline) || graph.Modules.FirstOrDefault(m => m.Name == "dht") is not { } dht)
            return;
        var port = builder.Configuration["Cheshire:Config:dht:Dht:Port"] ?? dht.Config.GetValueOrDefault("Dht:Port");
        var mainlineModule = graph.Modules.First(m => m.Name == "mainline-dht");
        if (port is null || mainlineModule.Config.ContainsKey("Mainline:CheshireDhtPort")
            || builder.Configuration["Cheshire:Config:mainline-dht:Mainline:CheshireDhtPort"] is not null)
            return;
        foreach (var instance in mainline)
            instance.WithEnvironment("Mainline__CheshireDhtPort", port);
    }

    /// <summary>A non-HTTP port the module binds itself, on loopback, shown on the dashboard.</summary>
    private static void AddFixedEndpoint(IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> project,
        string module, ModuleEndpoint endpoint)
    {
        var port = builder.Configuration.GetValue($"Cheshire:Ports:{module}:{endpoint.Name}", endpoint.Port);
        project.WithEndpoint(endpoint.Name, e =>
        {
            e.UriScheme = endpoint.Protocol;
            e.Protocol = endpoint.Protocol == "udp" ? System.Net.Sockets.ProtocolType.Udp : System.Net.Sockets.ProtocolType.Tcp;
            e.Port = port;
            e.TargetPort = port;
            e.TargetHost = "127.0.0.1";
            e.IsProxied = false;
        });
        string address = "127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        project.WithEnvironment(endpoint.Setting.Replace(":", "__"), address);
    }
}
