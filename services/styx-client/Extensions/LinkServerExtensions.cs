using Cheshire.ServiceDefaults;
using Cheshire.ServiceDefaults.Config;
using Cheshire.StyxClient.Links;
using Grpc.Net.ClientFactory;
using ProviderClient = Cheshire.Protos.Provider.Provider.ProviderClient;

namespace Cheshire.StyxClient.Extensions;

public static class LinkServerExtensions
{
    /// <summary>
    /// The serving side of node-to-node links: a TLS 1.3 listener on Link:Endpoint authenticated with the node's key and
    /// its user's binding, each link spliced onto its own styx-provider connection for the exports (as styx-provider
    /// lists them) its uid may attach.
    /// </summary>
    public static WebApplicationBuilder AddLinkServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(LinkSettings.From(builder.Configuration));
        builder.AddModuleSettings<LinkListenerOptions>(LinkListenerOptions.Section, o => o.Validate());
        builder.Services.AddModuleClient<ProviderClient>(ExportCatalog.Module);
        builder.Services.AddSingleton(s => new ExportCatalog(
            s.GetRequiredService<GrpcClientFactory>().CreateModuleClient<ProviderClient>(ExportCatalog.Module)));
        builder.Services.AddHostedService<LinkListener>();
        return builder;
    }
}
