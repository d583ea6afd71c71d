using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cheshire.ServiceDefaults.Dependencies;

public static class DependencyWatchExtensions
{
    /// <summary>
    /// Watches <paramref name="module"/>'s grpc.health.v1 (when its address is configured) for as long as this process
    /// runs, and keeps its status in <see cref="DependencyWatch"/>.
    /// </summary>
    public static IServiceCollection WatchModule(this IServiceCollection services, string module)
    {
        var watched = services.FirstOrDefault(d => d.ServiceType == typeof(WatchedModules))?.ImplementationInstance as WatchedModules;
        if (watched is null)
        {
            watched = new WatchedModules();
            services.AddSingleton(watched);
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton<DependencyWatch>();
            services.TryAddSingleton<SupervisorView>();
            services.TryAddSingleton<DependencyGate>();
            services.AddModuleProbeClient<Protos.Modules.Modules.ModulesClient>(SupervisorView.Module);
            services.TryAddSingleton<DependencyWatcher>();
            services.AddHostedService(provider => provider.GetRequiredService<DependencyWatcher>());
        }
        if (watched.Add(module))
            services.AddModuleProbeClient<Health.HealthClient>(module);
        return services;
    }

    /// <summary>
    /// Makes every attempt of this client's calls to <paramref name="module"/> fail at once, with a
    /// <see cref="ModuleUnavailableException"/> saying why, while the module is known down (see <see cref="DependencyGate"/>);
    /// a module that is restarting is still waited for. Watches the module.
    /// </summary>
    public static IHttpClientBuilder FailFastWhenDown(this IHttpClientBuilder client, string module)
    {
        client.Services.WatchModule(module);
        return client.AddHttpMessageHandler(services => new DependencyGateHandler(module, services.GetRequiredService<DependencyGate>()));
    }
}
