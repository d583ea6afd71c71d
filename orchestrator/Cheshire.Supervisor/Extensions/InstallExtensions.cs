using Aspire.Hosting;
using Cheshire.Identity;
using Cheshire.Supervisor.Install;
using Microsoft.Extensions.DependencyInjection;

namespace Cheshire.Supervisor.Extensions;

public static class InstallExtensions
{
    /// <summary>Modules.Install (see <see cref="ModuleInstaller"/>); call after the reload pipeline is registered.</summary>
    public static void AddInstalling(this IDistributedApplicationBuilder builder, string dataDirectory)
    {
        var userKey = UserIdentityStore.ResolvePath(dataDirectory, builder.Configuration[UserIdentityStore.ConfigurationKey]);
        builder.Services.AddSingleton(InstallSettings.Read(builder.Configuration, dataDirectory, userKey));
        builder.Services.AddSingleton<InstalledBuilder>();
        builder.Services.AddSingleton<ModuleInstaller>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ModuleInstaller>());
    }
}
