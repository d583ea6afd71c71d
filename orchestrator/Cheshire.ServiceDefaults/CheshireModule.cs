using Cheshire.Identity;
using Cheshire.Modules;
using Cheshire.ServiceDefaults.Config;
using Cheshire.ServiceDefaults.Dependencies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cheshire.ServiceDefaults;

public static class CheshireModule
{
    /// <summary>
    /// Reads the module's module.json (copied next to the binary), loads the node identity from the
    /// data folder (Cheshire:DataDir, else $CHESHIRE_DATA_DIR, else ~/.cheshire), checks the network salt (Cheshire:Salt), watches each
    /// dependency's grpc.health.v1 (see DependencyWatcher), and a health check that is Degraded while one of them does not serve.
    /// Loads the module's dynamic configuration (config/NAME.json in the data folder, set through ModuleConfig or
    /// Modules.SetConfig) above every other configuration source.
    /// </summary>
    public static TBuilder AddCheshireModule<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var descriptor = ModuleDescriptor.Load(Path.Combine(AppContext.BaseDirectory, ModuleDescriptor.FileName));
        var dataDirectory = DataDirectory.Resolve(builder.Configuration["Cheshire:DataDir"]);
        NetworkSalt.Resolve(builder.Configuration[NetworkSalt.ConfigurationKey]); // a bad salt stops the module at start
        builder.AddDynamicConfiguration(descriptor, dataDirectory);

        builder.Services.AddSingleton(descriptor);
        builder.Services.AddSingleton(_ => NodeIdentityStore.LoadOrCreate(dataDirectory));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ModuleInfoProvider>();
        foreach (var dependency in descriptor.DependsOn)
            builder.Services.WatchModule(dependency);
        if (descriptor.DependsOn.Count > 0)
        {
            builder.Services.AddSingleton<DependencyHealth>();
            builder.Services.AddHealthChecks().AddCheck<DependenciesHealthCheck>(DependenciesHealthCheck.Name);
        }
        return builder;
    }

    /// <summary>
    /// The node's user key, for modules that act for the user: Cheshire:UserKey, else user.key in the data folder,
    /// created on first use. GetInfo then reports the uid.
    /// </summary>
    public static TBuilder AddUserIdentity<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var path = UserIdentityStore.ResolvePath(DataDirectory.Resolve(builder.Configuration[DataDirectory.ConfigurationKey]),
            builder.Configuration[UserIdentityStore.ConfigurationKey]);
        builder.Services.AddSingleton(_ => UserIdentityStore.LoadOrCreate(path));
        return builder;
    }
}
