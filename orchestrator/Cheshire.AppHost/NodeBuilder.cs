using Cheshire.Identity;
using Cheshire.Modules;
using Microsoft.Extensions.Configuration;

namespace Cheshire.AppHost;

public static class NodeBuilder
{
    /// <summary>
    /// Adds every module found under services/*/module.json, in dependency order, each referencing
    /// and waiting for the modules it depends on. All modules of the node share one data folder.
    /// </summary>
    public static IReadOnlyDictionary<string, IResourceBuilder<ProjectResource>> AddCheshireNode(this IDistributedApplicationBuilder builder)
    {
        var servicesDirectory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", "services"));
        var graph = ModuleGraph.Load(servicesDirectory);
        var dataDirectory = DataDirectory.Resolve(builder.Configuration["Cheshire:DataDir"]);

        var modules = new Dictionary<string, IResourceBuilder<ProjectResource>>();
        foreach (var module in graph.Modules)
        {
            var project = ReferencedProjects.Add(builder, module.Name, module.ProjectPath)
                .WithEnvironment("Cheshire__DataDir", dataDirectory)
                .WithHttpHealthCheck("/health", endpointName: "http");
            foreach (var endpoint in module.Endpoints)
                AddFixedEndpoint(builder, project, module.Name, endpoint);
            foreach (var (key, value) in module.Config)
                project.WithEnvironment(key.Replace(":", "__"), value);
            foreach (var dependency in module.DependsOn)
                project.WithReference(modules[dependency]).WaitFor(modules[dependency]);
            modules[module.Name] = project;
        }
        return modules;
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
