using Cheshire.Dht.Node;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Persistence;
using Cheshire.Protos.Mainline;
using Cheshire.ServiceDefaults;
using Cheshire.ServiceDefaults.Config;

namespace Cheshire.Dht.Extensions;

public static class DhtNodeExtensions
{
    /// <summary>
    /// The Kademlia node on UDP (Dht:Address, Dht:Port), persisted in its data folder, started and
    /// stopped with the host, bootstrapped from Dht:Bootstrap and from the dht peers mainline-dht finds, with a "dht" health check.
    /// Its routing id is the node's key, or the instance's own key when the AppHost starts several.
    /// </summary>
    public static TBuilder AddDhtNode<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var settings = DhtSettings.From(builder.Configuration);
        // For Modules.SetConfig: checked like at start; none is live (the socket and engine are built once).
        builder.AddModuleSettings<DhtOptions>(DhtOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(services =>
        {
            var routingIdentity = settings.OwnRoutingIdentity
                ? NodeIdentityStore.LoadOrCreate(settings.DataDirectory)
                : services.GetRequiredService<NodeIdentity>();
            Directory.CreateDirectory(settings.DataDirectory);
            return new KademliaNode(routingIdentity, UdpBinding.Bind(settings), settings.Kademlia,
                SqlitePersistence.InDirectory(settings.DataDirectory), services.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<Bootstrapper>();
        builder.Services.AddSingleton<Republisher>();
        builder.Services.AddHostedService<DhtNodeHost>();
        // Other dht nodes announced on the BitTorrent DHT, through the mainline-dht module.
        builder.Services.AddModuleClient<Mainline.MainlineClient>(MainlineDiscovery.Module);
        builder.Services.AddHostedService<MainlineDiscovery>();
        builder.Services.AddHealthChecks().AddCheck<DhtHealthCheck>("dht");
        return builder;
    }
}
