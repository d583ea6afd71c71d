using Cheshire.Identity;
using Cheshire.Modules;
using Cheshire.Supervisor.Extensions;
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
    /// Every module gets the network salt (Cheshire:Salt). Cheshire:PortOffset moves every fixed port: module.json
    /// endpoints, the gRPC and health ports of appsettings.json and the dashboard's (see <see cref="DashboardPorts"/>).
    /// A module with several instances (module.json "instances", or Cheshire:Instances:NAME) becomes
    /// NAME-0 … NAME-(N-1), each with Cheshire:Instance, its own Cheshire:InstanceDataDir and free
    /// gRPC/health ports after the first; dependents discover all of them under the module's name.
    /// Spare instances (module.json "spareInstances", or Cheshire:SpareInstances:NAME) follow them as explicit-start
    /// NAME-N … resources, started at run time by Modules.Ensure; dependents are not given their addresses.
    /// AppHost settings Cheshire:Config:NAME:KEY=VALUE override the module's config. An explicit-start module (module.json
    /// "explicitStart", or Cheshire:ExplicitStart:NAME=true) is not started with the node (see <see cref="IsExplicitStart"/>).
    /// The supervisor watches every module resource, restarts crashed ones and serves the Modules API (see Cheshire.Supervisor).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IResourceBuilder<ProjectResource>>> AddCheshireNode(this IDistributedApplicationBuilder builder)
    {
        var servicesDirectory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", "services"));
        var graph = ModuleGraph.Load(servicesDirectory);
        graph = ModuleGraph.From(graph.Modules.Select(m => m with { ExplicitStart = IsExplicitStart(builder.Configuration, m) }));
        var dataDirectory = DataDirectory.Create(builder.Configuration[DataDirectory.ConfigurationKey]);
        var userKey = UserIdentityStore.ResolvePath(dataDirectory, builder.Configuration[UserIdentityStore.ConfigurationKey]);
        var salt = NetworkSalt.Resolve(builder.Configuration[NetworkSalt.ConfigurationKey]);
        var ports = new NodePorts(graph, PortOffset.Parse(builder.Configuration[PortOffset.ConfigurationKey]), key => builder.Configuration[key]);
        DashboardPorts.Move(builder.Configuration, ports.Offset);

        var modules = new Dictionary<string, IReadOnlyList<IResourceBuilder<ProjectResource>>>();
        // What dependents reference: every instance but the spares.
        var referenced = new Dictionary<string, IReadOnlyList<IResourceBuilder<ProjectResource>>>();
        foreach (var module in graph.Modules)
        {
            var count = builder.Configuration.GetValue($"Cheshire:Instances:{module.Name}", module.Instances);
            var spares = builder.Configuration.GetValue($"{SpareInstancesSection}:{module.Name}", module.SpareInstances);
            var total = count + spares;
            if (spares < 0)
                throw new InvalidOperationException($"{SpareInstancesSection}:{module.Name} is {spares}; it cannot be negative.");
            if (count < 1 || total > 1 && module.Endpoints.Any(e => e.Format != ModuleEndpoint.PortFormat))
                throw new InvalidOperationException($"Module '{module.Name}' cannot run {count} instances and {spares} spares (fixed endpoints allow only one).");
            var instances = new List<IResourceBuilder<ProjectResource>>();
            for (var i = 0; i < total; i++)
            {
                var name = total == 1 ? module.Name : $"{module.Name}-{i}";
                var project = ReferencedProjects.Add(builder, name, module.ProjectPath)
                    .WithEnvironment("Cheshire__DataDir", dataDirectory)
                    .WithEnvironment("Cheshire__UserKey", userKey)
                    .WithEnvironment("Cheshire__Salt", salt)
                    .WithHttpHealthCheck("/health", endpointName: "http");
                MoveKestrelEndpoints(project, module.Name, ports.Offset);
                if (module.ExplicitStart || i >= count) project.WithExplicitStart();
                if (total > 1) AsInstance(project, i, Path.Combine(dataDirectory, name));
                foreach (var endpoint in module.Endpoints)
                    AddFixedEndpoint(project, ports.Port(module, endpoint) + (endpoint.Port == 0 ? 0 : i), endpoint, ports.SettingValue(module, endpoint));
                foreach (var (key, value) in module.Config)
                    project.WithEnvironment(key.Replace(":", "__"), ports.Expand(module, key, value));
                // AppHost configuration Cheshire:Config:NAME:KEY overrides module.json's config (e.g. in tests).
                foreach (var (key, value) in builder.Configuration.GetSection($"Cheshire:Config:{module.Name}").AsEnumerable(makePathsRelative: true))
                    if (value is not null) project.WithEnvironment(key.Replace(":", "__"), value);
                foreach (var dependency in module.DependsOn)
                    Reference(project, dependency, referenced[dependency]);
                instances.Add(project);
            }
            modules[module.Name] = instances;
            referenced[module.Name] = instances[..count];
        }
        // "uses": a reference without waiting, added once every module exists (the used module may start later).
        foreach (var module in graph.Modules)
            foreach (var used in module.Uses)
                foreach (var instance in modules[module.Name])
                    Reference(instance, used, referenced[used], wait: false);
        builder.AddSupervisor(graph, modules, ports.Offset, dataDirectory, salt);
        return modules;
    }

    /// <summary>
    /// module.json "explicitStart", or the AppHost setting Cheshire:ExplicitStart:NAME (true/false) over it: the module is
    /// not started with the node but by the supervisor's Modules.Ensure (or Start); dependents wait for it until then.
    /// </summary>
    public static bool IsExplicitStart(IConfiguration configuration, ModuleDescriptor module)
    {
        var key = $"{ExplicitStartSection}:{module.Name}";
        if (configuration[key] is not { Length: > 0 } text) return module.ExplicitStart;
        return bool.TryParse(text, out var value) ? value
            : throw new InvalidOperationException($"{key} '{text}' is not true or false.");
    }

    public const string ExplicitStartSection = "Cheshire:ExplicitStart";

    /// <summary>Cheshire:SpareInstances:NAME over module.json "spareInstances" (see <see cref="ModuleDescriptor.SpareInstances"/>).</summary>
    public const string SpareInstancesSection = "Cheshire:SpareInstances";

    private static void AsInstance(IResourceBuilder<ProjectResource> project, int index, string instanceDirectory)
    {
        project.WithEnvironment("Cheshire__Instance", index.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("Cheshire__InstanceDataDir", instanceDirectory);
        if (index == 0) return;
        foreach (var endpoint in Endpoints)
            project.WithEndpoint(endpoint, e => e.Port = null, createIfNotExists: false);
    }

    /// <summary>
    /// A single instance by plain reference; several (or one named NAME-0 beside spares) under the module's own
    /// service-discovery name.
    /// </summary>
    private static void Reference(IResourceBuilder<ProjectResource> project, string dependency,
        IReadOnlyList<IResourceBuilder<ProjectResource>> instances, bool wait = true)
    {
        if (instances.Count == 1 && instances[0].Resource.Name == dependency)
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
    /// The gRPC and health ports Aspire took from the module's appsettings.json (Kestrel:Endpoints), moved by the offset.
    /// Aspire's proxy listens there; the module itself gets a free port behind it.
    /// </summary>
    private static void MoveKestrelEndpoints(IResourceBuilder<ProjectResource> project, string module, PortOffset offset)
    {
        foreach (var endpoint in Endpoints)
            project.WithEndpoint(endpoint, e =>
            {
                if (e.Port is { } port) e.Port = offset.Apply(port, $"the {endpoint} port of {module}");
            }, createIfNotExists: false);
    }

    /// <summary>A non-HTTP port the module binds itself, shown on the dashboard; the module's setting gets where to bind.</summary>
    private static void AddFixedEndpoint(IResourceBuilder<ProjectResource> project, int port, ModuleEndpoint endpoint, string settingValue)
    {
        project.WithEndpoint(endpoint.Name, e =>
        {
            e.UriScheme = endpoint.Protocol;
            e.Protocol = endpoint.Protocol == "udp" ? System.Net.Sockets.ProtocolType.Udp : System.Net.Sockets.ProtocolType.Tcp;
            e.Port = port;
            e.TargetPort = port;
            e.TargetHost = "127.0.0.1";
            e.IsProxied = false;
        });
        project.WithEnvironment(endpoint.Setting.Replace(":", "__"), settingValue);
    }
}
