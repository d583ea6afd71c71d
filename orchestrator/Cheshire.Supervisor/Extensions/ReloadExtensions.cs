using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Cheshire.Modules;
using Cheshire.Supervisor.Reload;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cheshire.Supervisor.Extensions;

public static class ReloadExtensions
{
    /// <summary>
    /// Restart on source change (see <see cref="ModuleReloader"/>): each module resource runs its current build, which
    /// the AppHost hands to `dotnet run` as a start argument evaluated at every start, so a restart switches builds.
    /// </summary>
    public static void AddReloading(this IDistributedApplicationBuilder builder, ModuleGraph graph,
        IReadOnlyDictionary<string, IReadOnlyList<IResourceBuilder<ProjectResource>>> resources, string dataDirectory)
    {
        var checkout = Path.GetDirectoryName(Path.GetDirectoryName(graph.Modules[0].Directory))!;
        var settings = ReloadSettings.Read(builder.Configuration, checkout, dataDirectory);
        var builds = new ModuleBuilds(settings.BuildsDirectory);
        foreach (var (module, instances) in resources)
            foreach (var instance in instances)
                instance.WithArgs(context =>
                {
                    foreach (var argument in builds.StartArguments(module))
                        context.Args.Add(argument);
                });

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(builds);
        builder.Services.AddSingleton(new SourceTree(settings, graph));
        builder.Services.AddSingleton<SourceWatcher>();
        builder.Services.AddSingleton<ModuleBuilder>();
        builder.Services.AddSingleton<ModuleTestRunner>();
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ModuleReloader>(services, graph));
        builder.Services.AddHostedService(services => services.GetRequiredService<ModuleReloader>());
    }
}
