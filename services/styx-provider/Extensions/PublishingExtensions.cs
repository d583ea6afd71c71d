using Cheshire.StyxProvider.Publishing;

namespace Cheshire.StyxProvider.Extensions;

public static class PublishingExtensions
{
    /// <summary>
    /// The <see cref="Publisher"/>: the exports file's servers in the global namespace, through the dht module's client
    /// that <see cref="ControlTreeExtensions.AddControlTrees"/> registers. Settings: Link:Advertise, Cheshire:Salt,
    /// Publishing:EntryLifetime.
    /// </summary>
    public static IServiceCollection AddPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(PublishingSettings.From(configuration));
        services.AddHostedService<Publisher>();
        return services;
    }
}
