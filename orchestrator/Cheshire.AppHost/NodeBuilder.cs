using Cheshire.Identity;
using Cheshire.Modules;

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
            foreach (var (key, value) in module.Config)
                project.WithEnvironment(key.Replace(":", "__"), value);
            foreach (var dependency in module.DependsOn)
                project.WithReference(modules[dependency]).WaitFor(modules[dependency]);
            modules[module.Name] = project;
        }
        return modules;
    }
}
