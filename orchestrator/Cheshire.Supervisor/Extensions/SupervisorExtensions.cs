using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Cheshire.Modules;
using Cheshire.Supervisor.Api;
using Cheshire.Supervisor.Policy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Cheshire.Supervisor.Extensions;

public static class SupervisorExtensions
{
    /// <summary>
    /// Supervises the node's module resources (<paramref name="resources"/>: each module's resources, one per instance)
    /// and serves the Modules API. Hands every module the API's address as service "supervisor"
    /// (services__supervisor__grpc__0), as Aspire hands it the addresses of the modules it references.
    /// </summary>
    public static SupervisorSettings AddSupervisor(this IDistributedApplicationBuilder builder, ModuleGraph graph,
        IReadOnlyDictionary<string, IReadOnlyList<IResourceBuilder<ProjectResource>>> resources, PortOffset offset,
        string dataDirectory, string salt)
    {
        var settings = SupervisorSettings.Read(builder.Configuration, offset);
        var address = $"http://{settings.Endpoint}";
        foreach (var instance in resources.Values.SelectMany(r => r))
            instance.WithEnvironment(SupervisorAddress.EnvironmentVariable, address);

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(new SupervisorIdentity(dataDirectory, salt));
        foreach (var module in graph.Modules)
        {
            var dependents = graph.Modules.Where(m => m.DependsOn.Contains(module.Name) || m.Uses.Contains(module.Name))
                .Select(m => m.Name).ToList();
            // The instances after the first Cheshire:Instances:NAME (module.json "instances") are its spares.
            var running = builder.Configuration.GetValue($"Cheshire:Instances:{module.Name}", module.Instances);
            var instances = resources[module.Name];
            for (var i = 0; i < instances.Count; i++)
            {
                var (name, spare) = (instances[i].Resource.Name, i >= running);
                builder.Services.AddSingleton(services => new SupervisedModule(name, module, dependents,
                    new RestartIntensity(settings, services.GetRequiredService<TimeProvider>())) { Spare = spare });
            }
        }
        builder.Services.AddSingleton<ModuleSupervisor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModuleSupervisor>());
        builder.Services.AddSingleton<Starting.ModuleStarter>();
        builder.AddReloading(graph, resources, dataDirectory);
        builder.AddInstalling(dataDirectory);
        builder.Services.AddHostedService<ModulesServer>();
        return settings;
    }
}
